"""Every endpoint+status the emulator serves validates against Twilio's own OpenAPI spec.

The spec is vendored in tests/data/openapi (see its README), so the suite runs from any clone.
"""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path

import pytest
import requests
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from tests.telephony.conftest import FROM

SPEC_DIR = Path(__file__).resolve().parents[1] / "data" / "openapi"
API = "/2010-04-01/Accounts/{AccountSid}"
SAY = "<Response><Say>Hello, this is CallDeck.</Say></Response>"
FAILS_AFTER_CREATE = "+14155551248"  # the emulator's default outcome for ...8: failed


@cache
def spec(name: str) -> dict:
    path = SPEC_DIR / name
    assert path.exists(), f"Twilio OpenAPI spec not found at {path} (tests/data/openapi)"
    return json.loads(path.read_text(encoding="utf-8"))


def response_schema(doc: dict, path: str, method: str, status: int) -> dict:
    responses = doc["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} has no {status} in the spec"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    # Resolve "#/components/..." refs against the whole spec by carrying its components along.
    return {**schema, "components": doc["components"]}


def _resolve(node: dict, root: dict) -> dict:
    while "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def undeclared_keys(instance, schema: dict, root: dict, where: str = "$") -> list[str]:
    """Keys the emulator sends that Twilio's schema does not declare (same keys, not extra)."""
    schema = _resolve(schema, root)
    found: list[str] = []
    if isinstance(instance, dict) and "properties" in schema:
        props = schema["properties"]
        for key, value in instance.items():
            if key not in props:
                found.append(f"{where}.{key}")
            else:
                found += undeclared_keys(value, props[key], root, f"{where}.{key}")
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(instance[:3]):
            found += undeclared_keys(item, schema["items"], root, f"{where}[{i}]")
    return found


def check(doc_name: str, path: str, method: str, resp: requests.Response) -> None:
    doc = spec(doc_name)
    schema = response_schema(doc, path, method, resp.status_code)
    body = resp.json()
    errors = sorted(
        OAS30Validator(schema, format_checker=oas30_format_checker).iter_errors(body), key=str
    )
    assert not errors, f"{method.upper()} {path} {resp.status_code}: " + "; ".join(
        f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]
    )
    assert undeclared_keys(body, schema, schema) == []


class Api:
    def __init__(self, emu) -> None:
        self.emu = emu
        self.auth = (emu.account_sid, emu.auth_token)
        self.acc = f"/2010-04-01/Accounts/{emu.account_sid}"

    def get(self, path: str, **params) -> requests.Response:
        return requests.get(self.emu.base_url + path, params=params, auth=self.auth, timeout=10)

    def post(self, path: str, data) -> requests.Response:
        return requests.post(self.emu.base_url + path, data=data, auth=self.auth, timeout=10)


def _until(done) -> None:
    deadline = time.monotonic() + 10
    while not done():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def _final_call(api: Api, sid: str) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        body = api.get(f"{api.acc}/Calls/{sid}.json").json()
        if body["status"] not in ("queued", "ringing", "in-progress"):
            return body
        time.sleep(0.02)
    raise AssertionError("call did not finish")


# Which spec path each emulator route serves (media routes are binary: checked as WAV elsewhere).
ROUTES = {
    ("GET", "/2010-04-01/Accounts/{account}.json"): "/2010-04-01/Accounts/{Sid}.json",
    ("POST", "/2010-04-01/Accounts/{account}/Calls.json"): f"{API}/Calls.json",
    ("GET", "/2010-04-01/Accounts/{account}/Calls.json"): f"{API}/Calls.json",
    ("GET", "/2010-04-01/Accounts/{account}/Calls/{sid}.json"): f"{API}/Calls/{{Sid}}.json",
    ("POST", "/2010-04-01/Accounts/{account}/Calls/{sid}.json"): f"{API}/Calls/{{Sid}}.json",
    ("GET", "/2010-04-01/Accounts/{account}/Calls/{sid}/Notifications.json"): (
        f"{API}/Calls/{{CallSid}}/Notifications.json"
    ),
    ("GET", "/2010-04-01/Accounts/{account}/Calls/{sid}/Recordings.json"): (
        f"{API}/Calls/{{CallSid}}/Recordings.json"
    ),
    ("GET", "/2010-04-01/Accounts/{account}/Calls/{sid}/Recordings/{rec}.json"): (
        f"{API}/Calls/{{CallSid}}/Recordings/{{Sid}}.json"
    ),
    ("GET", "/2010-04-01/Accounts/{account}/Recordings.json"): f"{API}/Recordings.json",
    ("GET", "/2010-04-01/Accounts/{account}/Recordings/{name}"): f"{API}/Recordings/{{Sid}}.json",
    ("GET", "/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json"): (
        f"{API}/IncomingPhoneNumbers.json"
    ),
    ("POST", "/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json"): (
        f"{API}/IncomingPhoneNumbers.json"
    ),
    ("GET", "/2010-04-01/Accounts/{account}/OutgoingCallerIds.json"): (
        f"{API}/OutgoingCallerIds.json"
    ),
    ("POST", "/2010-04-01/Accounts/{account}/OutgoingCallerIds.json"): (
        f"{API}/OutgoingCallerIds.json"
    ),
    ("DELETE", "/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{sid}.json"): (
        f"{API}/IncomingPhoneNumbers/{{Sid}}.json"
    ),
    ("DELETE", "/2010-04-01/Accounts/{account}/OutgoingCallerIds/{sid}.json"): (
        f"{API}/OutgoingCallerIds/{{Sid}}.json"
    ),
    ("GET", "/2010-04-01/Accounts/{account}/AvailablePhoneNumbers/{cc}/{type}.json"): (
        f"{API}/AvailablePhoneNumbers/{{CountryCode}}/Local.json"
    ),
    ("POST", "/2010-04-01/Accounts/{account}/Keys.json"): f"{API}/Keys.json",
    ("GET", "/2010-04-01/Accounts/{account}/Keys.json"): f"{API}/Keys.json",
    ("DELETE", "/2010-04-01/Accounts/{account}/Keys/{sid}.json"): f"{API}/Keys/{{Sid}}.json",
    ("POST", "/v2/Services"): "/v2/Services",
    ("GET", "/v2/Services"): "/v2/Services",
    ("GET", "/v2/Services/{sid}"): "/v2/Services/{Sid}",
    ("POST", "/v2/Transcripts"): "/v2/Transcripts",
    ("GET", "/v2/Transcripts"): "/v2/Transcripts",
    ("GET", "/v2/Transcripts/{sid}"): "/v2/Transcripts/{Sid}",
    ("GET", "/v2/Transcripts/{sid}/Sentences"): "/v2/Transcripts/{TranscriptSid}/Sentences",
}


def test_every_emulator_route_is_covered_by_this_test(emulator):
    served = {
        (route.method, route.resource.canonical)
        for route in emulator.emulator.server.app.router.routes()
        if route.method != "HEAD"
    }
    assert served == set(ROUTES)


def test_responses_validate_against_twilio_openapi(emulator):
    api = Api(emulator)
    v2010, intel = "twilio_api_v2010.json", "twilio_intelligence_v2.json"
    checked: set[tuple[str, str, int]] = set()

    def ok(doc, path, method, resp, status):
        assert resp.status_code == status, resp.text
        check(doc, path, method, resp)
        checked.add((method, path, status))

    account = api.get(f"{api.acc}.json")
    ok(v2010, "/2010-04-01/Accounts/{Sid}.json", "get", account, 200)
    calls = f"{API}/Calls.json"
    created = api.post(
        f"{api.acc}/Calls.json",
        {
            "To": "+14155551239",
            "From": FROM,
            "Twiml": SAY,
            "Record": "true",
            "MachineDetection": "DetectMessageEnd",
            "AsyncAmd": "true",
        },
    )
    ok(v2010, calls, "post", created, 201)
    sid = created.json()["sid"]
    live = api.post(
        f"{api.acc}/Calls.json",
        {"To": "+14155551230", "From": FROM, "Twiml": '<Response><Pause length="600"/></Response>'},
    )
    for i in range(3):
        api.post(f"{api.acc}/Calls.json", {"To": f"+1415555124{i}", "From": FROM, "Twiml": SAY})
    final = _final_call(api, sid)
    assert final["status"] == "completed"
    ok(v2010, f"{API}/Calls/{{Sid}}.json", "get", api.get(f"{api.acc}/Calls/{sid}.json"), 200)
    page = api.get(f"{api.acc}/Calls.json", PageSize=2)
    ok(v2010, calls, "get", page, 200)
    next_uri = page.json()["next_page_uri"]
    ok(
        v2010,
        calls,
        "get",
        requests.get(emulator.base_url + next_uri, auth=api.auth, timeout=10),
        200,
    )
    hung = api.post(f"{api.acc}/Calls/{live.json()['sid']}.json", {"Status": "completed"})
    ok(v2010, f"{API}/Calls/{{Sid}}.json", "post", hung, 200)

    failed = api.post(
        f"{api.acc}/Calls.json", {"To": FAILS_AFTER_CREATE, "From": FROM, "Twiml": SAY}
    ).json()["sid"]
    assert _final_call(api, failed)["status"] == "failed"
    notes = api.get(f"{api.acc}/Calls/{failed}/Notifications.json")
    ok(v2010, f"{API}/Calls/{{CallSid}}/Notifications.json", "get", notes, 200)
    assert [n["error_code"] for n in notes.json()["notifications"]] == ["13224"]

    recs = api.get(f"{api.acc}/Calls/{sid}/Recordings.json")
    ok(v2010, f"{API}/Calls/{{CallSid}}/Recordings.json", "get", recs, 200)
    rec_sid = recs.json()["recordings"][0]["sid"]
    _until(lambda: api.get(f"{api.acc}/Recordings/{rec_sid}.json").json()["status"] == "completed")
    ok(
        v2010,
        f"{API}/Calls/{{CallSid}}/Recordings/{{Sid}}.json",
        "get",
        api.get(f"{api.acc}/Calls/{sid}/Recordings/{rec_sid}.json"),
        200,
    )
    ok(
        v2010,
        f"{API}/Recordings.json",
        "get",
        api.get(f"{api.acc}/Recordings.json", CallSid=sid),
        200,
    )
    ok(
        v2010,
        f"{API}/Recordings/{{Sid}}.json",
        "get",
        api.get(f"{api.acc}/Recordings/{rec_sid}.json"),
        200,
    )

    ok(
        v2010,
        f"{API}/IncomingPhoneNumbers.json",
        "get",
        api.get(f"{api.acc}/IncomingPhoneNumbers.json"),
        200,
    )
    ok(
        v2010,
        f"{API}/OutgoingCallerIds.json",
        "get",
        api.get(f"{api.acc}/OutgoingCallerIds.json"),
        200,
    )
    validation = api.post(f"{api.acc}/OutgoingCallerIds.json", {"PhoneNumber": "+14155550142"})
    ok(v2010, f"{API}/OutgoingCallerIds.json", "post", validation, 200)
    local = api.get(f"{api.acc}/AvailablePhoneNumbers/US/Local.json", AreaCode="512", PageSize=3)
    ok(v2010, f"{API}/AvailablePhoneNumbers/{{CountryCode}}/Local.json", "get", local, 200)
    bought = api.post(
        f"{api.acc}/IncomingPhoneNumbers.json",
        {"PhoneNumber": local.json()["available_phone_numbers"][0]["phone_number"]},
    )
    ok(v2010, f"{API}/IncomingPhoneNumbers.json", "post", bought, 201)
    for number_type in ("Mobile", "TollFree"):
        found = api.get(
            f"{api.acc}/AvailablePhoneNumbers/US/{number_type}.json", Contains="55", PageSize=2
        )
        assert found.status_code == 200 and found.json()["available_phone_numbers"], found.text
        check(
            v2010, f"{API}/AvailablePhoneNumbers/{{CountryCode}}/{number_type}.json", "get", found
        )
    released = requests.delete(
        f"{emulator.base_url}{api.acc}/IncomingPhoneNumbers/{bought.json()['sid']}.json",
        auth=api.auth,
        timeout=10,
    )
    assert released.status_code == 204 and released.content == b""
    checked.add(("delete", f"{API}/IncomingPhoneNumbers/{{Sid}}.json", 204))
    caller_id = api.get(f"{api.acc}/OutgoingCallerIds.json").json()["outgoing_caller_ids"][0]
    removed = requests.delete(
        f"{emulator.base_url}{api.acc}/OutgoingCallerIds/{caller_id['sid']}.json",
        auth=api.auth,
        timeout=10,
    )
    assert removed.status_code == 204 and removed.content == b""
    checked.add(("delete", f"{API}/OutgoingCallerIds/{{Sid}}.json", 204))

    key = api.post(f"{api.acc}/Keys.json", {"FriendlyName": "openapi"})
    ok(v2010, f"{API}/Keys.json", "post", key, 201)
    by_key = (key.json()["sid"], key.json()["secret"])
    keys = requests.get(f"{emulator.base_url}{api.acc}/Keys.json", auth=by_key, timeout=10)
    ok(v2010, f"{API}/Keys.json", "get", keys, 200)  # and the key authenticates
    assert [k["sid"] for k in keys.json()["keys"]] == [by_key[0]]
    deleted = requests.delete(
        f"{emulator.base_url}{api.acc}/Keys/{by_key[0]}.json", auth=api.auth, timeout=10
    )
    assert deleted.status_code == 204 and deleted.content == b""
    checked.add(("delete", f"{API}/Keys/{{Sid}}.json", 204))
    refused = requests.get(f"{emulator.base_url}{api.acc}.json", auth=by_key, timeout=10)
    assert refused.status_code == 401 and refused.json()["code"] == 20003

    svc = api.post("/v2/Services", {"UniqueName": "openapi", "AutoTranscribe": "false"})
    ok(intel, "/v2/Services", "post", svc, 201)
    svc_sid = svc.json()["sid"]
    ok(intel, "/v2/Services", "get", api.get("/v2/Services"), 200)
    ok(intel, "/v2/Services/{Sid}", "get", api.get(f"/v2/Services/{svc_sid}"), 200)
    channel = json.dumps({"media_properties": {"source_sid": rec_sid}})
    tr = api.post("/v2/Transcripts", {"ServiceSid": svc_sid, "Channel": channel})
    ok(intel, "/v2/Transcripts", "post", tr, 202)
    tr_sid = tr.json()["sid"]
    _until(lambda: api.get(f"/v2/Transcripts/{tr_sid}").json()["status"] == "completed")
    by_source = api.get("/v2/Transcripts", SourceSid=rec_sid)
    ok(intel, "/v2/Transcripts", "get", by_source, 200)
    assert [t["sid"] for t in by_source.json()["transcripts"]] == [tr_sid]
    ok(intel, "/v2/Transcripts/{Sid}", "get", api.get(f"/v2/Transcripts/{tr_sid}"), 200)
    sentences = api.get(f"/v2/Transcripts/{tr_sid}/Sentences", WordTimestamps="true", PageSize=2)
    ok(intel, "/v2/Transcripts/{TranscriptSid}/Sentences", "get", sentences, 200)
    ok(
        intel,
        "/v2/Transcripts/{TranscriptSid}/Sentences",
        "get",
        api.get(f"/v2/Transcripts/{tr_sid}/Sentences"),
        200,
    )

    assert {(m.upper(), p) for m, p, _ in checked} == {(m, p) for (m, _), p in ROUTES.items()}


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "code"),
    [
        ("post", "/Calls.json", {"To": "+15005550003", "From": FROM, "Twiml": SAY}, 400, 21215),
        ("get", "/Calls/CA00000000000000000000000000000000.json", None, 404, 20404),
        ("post", "/IncomingPhoneNumbers.json", {"PhoneNumber": FROM}, 400, 21422),
        ("get", "/AvailablePhoneNumbers/ZZ/Local.json", None, 404, 20404),
    ],
)
def test_error_bodies_have_twilios_shape(emulator, method, path, data, status, code):
    api = Api(emulator)
    resp = getattr(api, method)(api.acc + path, **({"data": data} if data else {}))
    assert resp.status_code == status
    assert resp.json() == {
        "code": code,
        "message": resp.json()["message"],
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    assert resp.json()["message"]


def test_auth_and_fault_errors_have_twilios_shape(make_emulator):
    emu = make_emulator(faults="429=1.0")
    url = f"{emu.base_url}/2010-04-01/Accounts/{emu.account_sid}/Calls.json"
    unauth = requests.get(url, auth=(emu.account_sid, "wrong"), timeout=10)
    limited = requests.get(url, auth=(emu.account_sid, emu.auth_token), timeout=10)
    assert (unauth.status_code, unauth.json()["code"]) == (401, 20003)
    assert (limited.status_code, limited.json()["code"]) == (429, 20429)
    assert set(limited.json()) == {"code", "message", "more_info", "status"}
    emu500 = make_emulator(faults="500=1.0")
    url500 = f"{emu500.base_url}/2010-04-01/Accounts/{emu500.account_sid}/Calls.json"
    failed = requests.get(url500, auth=(emu500.account_sid, emu500.auth_token), timeout=10)
    assert (failed.status_code, failed.json()["status"]) == (500, 500)


def form_fields(doc: dict, path: str) -> set[str]:
    """The form parameters a POST on *path* accepts, per the spec."""
    body = doc["paths"][path]["post"]["requestBody"]["content"]
    return set(body["application/x-www-form-urlencoded"]["schema"]["properties"])


def test_callback_amd_and_redirect_parameters_are_twilios_and_answers_validate(emulator):
    from app.telephony.base import CallRequest
    from app.telephony.twilio_provider import TwilioProvider

    doc = spec("twilio_api_v2010.json")
    sdk_names = {  # the SDK's keyword -> the form name it sends
        "to": "To",
        "from_": "From",
        "twiml": "Twiml",
        "record": "Record",
        "recording_channels": "RecordingChannels",
        "timeout": "Timeout",
        "machine_detection": "MachineDetection",
        "async_amd": "AsyncAmd",
        "async_amd_status_callback": "AsyncAmdStatusCallback",
        "async_amd_status_callback_method": "AsyncAmdStatusCallbackMethod",
        "status_callback": "StatusCallback",
        "status_callback_event": "StatusCallbackEvent",
        "status_callback_method": "StatusCallbackMethod",
        "recording_status_callback": "RecordingStatusCallback",
        "recording_status_callback_event": "RecordingStatusCallbackEvent",
        "recording_status_callback_method": "RecordingStatusCallbackMethod",
    }
    sent = TwilioProvider("AC" + "0" * 32, "t", base_url=emulator.base_url)._create_params(
        CallRequest(
            to="+14155551230",
            from_=FROM,
            twiml=SAY,
            machine_detection="DetectMessageEnd",
            status_callback="https://x.example/s",
            recording_status_callback="https://x.example/r",
            amd_status_callback="https://x.example/a",
        )
    )
    assert {sdk_names[k] for k in sent} <= form_fields(doc, f"{API}/Calls.json")
    assert {"Twiml", "Status"} <= form_fields(doc, f"{API}/Calls/{{Sid}}.json")

    api = Api(emulator)
    v2010 = "twilio_api_v2010.json"
    live = api.post(
        f"{api.acc}/Calls.json",
        {
            "To": "+14155551230",
            "From": FROM,
            "Twiml": '<Response><Pause length="600"/></Response>',
            "MachineDetection": "Enable",
            "AsyncAmd": "true",
        },
    ).json()["sid"]
    notes = api.get(f"{api.acc}/Calls/{live}/Notifications.json")
    check(v2010, f"{API}/Calls/{{CallSid}}/Notifications.json", "get", notes)
    assert [(n["error_code"], n["log"]) for n in notes.json()["notifications"]] == [("21262", "1")]
    _until(lambda: api.get(f"{api.acc}/Calls/{live}.json").json()["status"] == "in-progress")
    redirected = api.post(f"{api.acc}/Calls/{live}.json", {"Twiml": SAY})
    check(v2010, f"{API}/Calls/{{Sid}}.json", "post", redirected)
    assert _final_call(api, live)["status"] == "completed"
