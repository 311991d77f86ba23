"""Import a generated 100,000-row CSV for real, against the floor measured in the same run.

The floor is what no importer can beat: pandas.read_csv plus phonenumbers
parse + is_valid + format on each distinct phone cell, in one process. The import reads,
validates (sharing big files with helper processes), dedupes, writes a fresh SQLite store
in one transaction and writes the reject report. Goal: import within 1.5x of the floor.

Floor and import run back to back, several times; "ratio" compares the best of each (the
runs least disturbed by other work on the machine), "pair_ratios" each back-to-back pair.
CPU figures include the import's helper processes. Run: python -m benchmarks.bench_import
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import emit

ROWS = 100_000
REPEATS = 4
REGION = "US"


def make_csv(path: Path, rows: int = ROWS, seed: int = 7) -> dict[str, int]:
    """Mostly valid US numbers in assorted formats, ~8% repeats, ~4% invalid, ~1% mangled."""
    rng = random.Random(seed)
    area_codes = [201, 212, 213, 305, 312, 415, 503, 617, 646, 702, 713, 808, 917]
    formats = ["+1 {a} {e} {s}", "({a}) {e}-{s}", "{a}-{e}-{s}", "{a}{e}{s}", "1{a}{e}{s}"]
    lines = ["first_name,last_name,phone,company,city"]
    made: list[str] = []
    counts = {"rows": rows, "repeats": 0, "bad": 0}
    for i in range(rows):
        roll = rng.random()
        if roll < 0.08 and made:
            phone = rng.choice(made)
            counts["repeats"] += 1
        elif roll < 0.12:
            phone = rng.choice(["12345", "n/a", "", f"555{i:07d}"[:10]])
            counts["bad"] += 1
        elif roll < 0.13:
            phone = f"4.{rng.randint(10000, 99999)}E+09"
            counts["bad"] += 1
        else:
            phone = rng.choice(formats).format(
                a=rng.choice(area_codes), e=rng.randint(200, 999), s=f"{rng.randint(0, 9999):04d}"
            )
            made.append(phone)
        lines.append(f'Name{i},Surname{i},{phone},"Company {i % 997}, Inc",City{i % 101}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return counts


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure_floor(path: Path) -> tuple[float, float, int]:
    import pandas as pd
    import phonenumbers

    start, cpu = time.perf_counter(), _cpu()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    distinct = frame["phone"].unique()
    for cell in distinct:
        try:
            number = phonenumbers.parse(cell, REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return time.perf_counter() - start, _cpu() - cpu, len(distinct)


def measure_import(path: Path, workdir: Path) -> tuple[float, float, dict]:
    from app.contacts.importer import import_file
    from app.store.campaigns import create_campaign
    from app.store.engine import open_store

    home = Path(tempfile.mkdtemp(dir=workdir))
    store = open_store(home)
    try:
        with store.session.begin() as session:
            campaign_id = create_campaign(session, "Bench").id
        start, cpu = time.perf_counter(), _cpu()
        report = import_file(store, campaign_id, path, region=REGION, home=home)
        return time.perf_counter() - start, _cpu() - cpu, report.as_json()
    finally:
        store.dispose()


def run() -> dict:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "contacts.csv"
        generated = make_csv(path)
        floors, imports, floor_cpu, import_cpu = [], [], [], []
        report: dict = {}
        distinct = 0
        for _ in range(REPEATS):
            floor_s, floor_c, distinct = measure_floor(path)
            import_s, import_c, report = measure_import(path, workdir)
            floors.append(floor_s)
            imports.append(import_s)
            floor_cpu.append(floor_c)
            import_cpu.append(import_c)
    floor_s, import_s = min(floors), min(imports)
    return {
        "rows": ROWS,
        "distinct_phone_cells": distinct,
        "generated": generated,
        "import_report": {k: v for k, v in report.items() if k != "rejects_file"},
        "floor_s": round(floor_s, 3),
        "import_s": round(import_s, 3),
        "ratio": round(import_s / floor_s, 3),
        "goal_ratio": 1.5,
        "pair_ratios": [round(i / f, 3) for f, i in zip(floors, imports, strict=True)],
        "median_pair_ratio": round(
            statistics.median(i / f for f, i in zip(floors, imports, strict=True)), 3
        ),
        "floor_cpu_s": round(min(floor_cpu), 3),
        "import_cpu_s": round(min(import_cpu), 3),
        "cpu_ratio": round(min(import_cpu) / min(floor_cpu), 3),
        "import_rows_per_s": round(ROWS / import_s),
        "floor_rows_per_s": round(ROWS / floor_s),
        "all_floor_s": [round(x, 3) for x in floors],
        "all_import_s": [round(x, 3) for x in imports],
        "cpus": os.cpu_count(),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


if __name__ == "__main__":
    emit(run())  # one line: `python -m benchmarks` reads the last line
