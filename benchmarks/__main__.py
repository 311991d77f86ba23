"""`python -m benchmarks` (or `make bench`): every bench_* module, each in its own process.

Prints one JSON object: {module: figures}. A module that fails reports its error instead of
hiding the others.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
TIMEOUT_S = 300


def _last_json_object(output: str) -> dict:
    """A module prints its figures as JSON last, on one line or indented over several."""
    text = output.strip()
    start = text.rfind("\n{")
    return json.loads(text if start < 0 else text[start + 1 :])


def main() -> int:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if len(sys.argv) > 1:
        names = [n for n in names if any(arg in n for arg in sys.argv[1:])]
    report: dict[str, object] = {}
    failed = False
    for name in names:
        started = time.perf_counter()
        print(f"running {name}…", file=sys.stderr, flush=True)
        try:
            result = subprocess.run(
                [sys.executable, "-m", f"benchmarks.{name}"],
                cwd=HERE.parent,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            report[name] = {"error": f"timed out after {TIMEOUT_S} s"}
            failed = True
            continue
        if result.returncode != 0:
            report[name] = {"error": result.stderr.strip().splitlines()[-1:] or ["failed"]}
            failed = True
            continue
        try:
            report[name] = _last_json_object(result.stdout)
        except ValueError:
            report[name] = {"error": "printed no JSON object"}
            failed = True
            continue
        report[name]["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
