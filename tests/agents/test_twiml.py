"""Each call's TwiML, which the dialer asks app.agents for."""

from __future__ import annotations

import subprocess
import sys

from app.agents.twiml import DEFAULT_GREETING, twiml_for


def test_the_greeting_is_filled_per_contact_and_escaped():
    twiml = twiml_for("Hi {{first_name}} & welcome <3", {"first_name": "Ana"})
    assert twiml == "<Response><Say>Hi Ana &amp; welcome &lt;3</Say></Response>"


def test_no_greeting_says_the_default():
    expected = f"<Response><Say>{DEFAULT_GREETING}</Say></Response>"
    assert twiml_for(None) == expected
    assert twiml_for("   ") == expected


def test_agents_do_not_import_the_dialer():
    code = "import sys, app.agents, app.agents.twiml; print('app.dialer' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
