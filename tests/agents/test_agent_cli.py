"""`calldeck agent ...` as the user runs it: a real process for chat, import and test."""

import json
import subprocess
import sys

import pytest

from app.cli import main
from tests.conftest import REPO

EXAMPLES = REPO / "resources" / "agents"
NOW = "2026-12-01T15:00:00+00:00"  # Tuesday, 10 am in New York


def calldeck(home, *argv: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *argv, "--home", str(home)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=90,
    )


def run(capsys, home, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--home", str(home)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def imported(home, capsys):
    for name in ("appointment-reminder.json", "lead-qualification.json"):
        code, out, _ = run(capsys, home, "agent", "import", str(EXAMPLES / name))
        assert code == 0 and "version 1 published" in out
    return home


def test_list_and_export(imported, capsys):
    code, out, _ = run(capsys, imported, "agent", "list", "--json")
    assert code == 0
    assert [(a["name"], a["published_version"]) for a in json.loads(out)] == [
        ("Appointment reminder", 1),
        ("Solar lead qualification", 1),
    ]
    code, out, _ = run(capsys, imported, "agent", "export", "Appointment reminder")
    original = json.loads((EXAMPLES / "appointment-reminder.json").read_text())
    assert json.loads(out)["flow"]["steps"] == json.loads(json.dumps(original["flow"]["steps"]))


def test_the_appointment_reminder_end_to_end_through_chat(imported):
    lines = (
        "Hello?\nWhere do I park?\nDo you do grooming?\nNo, I can't make it\nnext Tuesday at 4 pm\n"
    )
    result = calldeck(
        imported,
        "agent",
        "chat",
        "Appointment reminder",
        "--var",
        "first_name=Ana",
        "--var",
        "pet_name=Rex",
        "--var",
        "appointment_time=Wednesday at 3:30 pm",
        "--now",
        NOW,
        "--json",
        stdin=lines,
    )
    assert result.returncode == 0, result.stderr
    chat = json.loads(result.stdout)
    assert {
        "turns",
        "outcome",
        "fields",
        "step_path",
        "dnc",
        "dnc_evidence",
        "suggested_disposition",
    } <= set(chat)
    assert chat["outcome"] == "completed"
    assert chat["fields"] == {"confirmed": False, "new_time": "2026-12-08T16:00:00-05:00"}
    assert chat["step_path"] == ["confirm", "reschedule", "rescheduled"]
    assert chat["suggested_disposition"] == "Call back"
    agent = [t["text"] for t in chat["turns"] if t["speaker"] == "agent"]
    assert agent[0].startswith(
        "Hi Ana, this is Sunny, an automated assistant calling from Evergreen Vets"
    )
    assert "There is free parking behind the building." in agent[2]
    assert agent[4].startswith(
        "I don't have that information, but Evergreen Vets can help at one, five"
    )
    assert agent[-1].startswith("Thank you. I've noted Tuesday, December eighth at four pm")
    assert {t["speaker"] for t in chat["turns"]} == {"agent", "callee"}
    assert all(set(t) >= {"speaker", "text", "step"} for t in chat["turns"])


def test_the_lead_qualification_end_to_end_through_chat(imported):
    lines = "yes\nabout 180 dollars a month\n#dtmf 3\nwhat is the warranty?\nyes please\njane at example dot com\n"
    result = calldeck(
        imported,
        "agent",
        "chat",
        "Solar lead qualification",
        "--var",
        "first_name=Jane",
        "--json",
        stdin=lines,
    )
    assert result.returncode == 0, result.stderr
    chat = json.loads(result.stdout)
    assert chat["fields"] == {
        "homeowner": True,
        "monthly_bill": 180,
        "roof": "metal",
        "wants_consultation": True,
        "email": "jane@example.com",
    }
    assert chat["step_path"][-1] == "qualified"
    assert chat["suggested_disposition"] == "Interested"
    assert any("twenty-five year warranty" in t["text"] for t in chat["turns"])


def test_chat_opt_out_silence_and_voicemail_events(imported):
    opt_out = calldeck(
        imported,
        "agent",
        "chat",
        "Appointment reminder",
        "--json",
        stdin="Hello?\nplease take me off your list\n",
    )
    chat = json.loads(opt_out.stdout)
    assert (chat["outcome"], chat["dnc"], chat["dnc_evidence"]) == (
        "dnc",
        True,
        "please take me off your list",
    )
    assert chat["dnc_offset_s"] > 0
    machine = calldeck(
        imported,
        "agent",
        "chat",
        "Appointment reminder",
        "--json",
        stdin="#silence 3\n#silence 3\n",
    )
    chat = json.loads(machine.stdout)
    assert chat["outcome"] == "voicemail_left"
    assert chat["turns"][-1]["text"].endswith(
        "one, five zero zero, five five five, zero zero zero six."
    )
    silent = calldeck(
        imported,
        "agent",
        "chat",
        "Appointment reminder",
        "--json",
        stdin="Hello\n#silence 9\n#silence 9\n#silence 9\n",
    )
    assert json.loads(silent.stdout)["outcome"] == "unresponsive"
    answered = calldeck(
        imported, "agent", "chat", "Solar lead qualification", "--json", stdin="#voicemail\n"
    )
    assert json.loads(answered.stdout)["outcome"] == "voicemail"


def test_agent_test_passes_only_when_every_scenario_does(imported, tmp_path, capsys):
    scenarios = {
        "scenarios": [
            {
                "name": "confirms",
                "lines": ["Hello", "yes"],
                "vars": {"first_name": "Ana"},
                "expect": {
                    "outcome": "completed",
                    "fields": {"confirmed": True},
                    "steps": ["confirmed"],
                    "dnc": False,
                },
            },
            {
                "name": "busy",
                "lines": ["Hello", "not a good time", "tomorrow at 5 pm"],
                "now": NOW,
                "expect": {
                    "outcome": "callback",
                    "fields": {"callback_at": "2026-12-02T17:00:00-05:00"},
                },
            },
        ]
    }
    good = tmp_path / "good.json"
    good.write_text(json.dumps(scenarios))
    code, out, _ = run(
        capsys, imported, "agent", "test", "Appointment reminder", "--scenarios", str(good)
    )
    assert code == 0, out
    assert out.splitlines()[-1] == "2 passed, 0 failed"
    scenarios["scenarios"].append(
        {
            "name": "wrong",
            "lines": ["Hello", "no"],
            "expect": {"outcome": "dnc", "tools": ["advisor"]},
        }
    )
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps(scenarios))
    result = calldeck(
        imported, "agent", "test", "Appointment reminder", "--scenarios", str(mixed), "--json"
    )
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert (report["passed"], report["failed"]) == (2, 1)
    wrong = report["scenarios"][2]
    assert wrong["problems"] == [
        "outcome was 'completed', expected 'dnc'",
        "tool 'advisor' was not called",
    ]


def test_ask_and_kb_add(imported, tmp_path, capsys):
    doc = tmp_path / "faq.md"
    doc.write_text(
        "# Grooming\n\nWe offer dog grooming on Thursdays, by appointment only.\n\n"
        "# Boarding\n\nWe do not board animals overnight.\n"
    )
    code, out, _ = run(
        capsys, imported, "agent", "ask", "Appointment reminder", "Do you groom dogs?", "--json"
    )
    assert json.loads(out)["grounded"] is False
    code, out, _ = run(
        capsys, imported, "agent", "kb", "add", "Appointment reminder", str(doc), "--json"
    )
    assert code == 0 and json.loads(out) == {"documents": 1, "passages": 2}
    code, out, _ = run(
        capsys, imported, "agent", "ask", "Appointment reminder", "Do you groom dogs?", "--json"
    )
    reply = json.loads(out)
    assert reply["grounded"] is True
    assert reply["answer"] == "We offer dog grooming on Thursdays, by appointment only."
    assert (
        reply["sources"][0]["document"] == "faq.md" and reply["sources"][0]["heading"] == "Grooming"
    )
    code, out, _ = run(capsys, imported, "agent", "list", "--json")
    assert json.loads(out)[0]["published_version"] == 2


def test_errors_are_one_line(home, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    data = json.loads((EXAMPLES / "appointment-reminder.json").read_text())
    data["flow"]["steps"][1]["next"][0]["to"] = "thank"
    bad.write_text(json.dumps(data))
    code, _, err = run(capsys, home, "agent", "import", str(bad))
    assert code == 1
    assert err == f"calldeck: {bad}: flow.steps[1].next[0].to: no step named 'thank'\n"
    code, _, err = run(capsys, home, "agent", "export", "Ghost")
    assert (code, err) == (
        1,
        "calldeck: no agent named 'Ghost'; 'calldeck agent list' shows them\n",
    )
    code, _, err = run(capsys, home, "agent", "kb", "add", "Ghost", str(tmp_path / "missing.pdf"))
    assert code == 1 and err.startswith("calldeck: ") and err.count("\n") == 1
