"""Phone numbers: the seeded account numbers, a deterministic AvailablePhoneNumbers search
(Local, Mobile, TollFree), and the account's numbers kept in a file between runs (demo mode)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

# Twilio's magic "valid From" test number, plus a demo line and a verified mobile.
DEFAULT_OWNED = (("+15005550006", "CallDeck test line"), ("+14155550100", "CallDeck demo line"))
DEFAULT_VERIFIED = (("+14155550199", "Supervisor mobile"),)

E164 = re.compile(r"^\+[1-9]\d{7,14}$")

_AREAS = {
    "212": ("New York", "NY", "10001"),
    "312": ("Chicago", "IL", "60601"),
    "415": ("San Francisco", "CA", "94105"),
    "512": ("Austin", "TX", "78701"),
    "617": ("Boston", "MA", "02108"),
    "206": ("Seattle", "WA", "98101"),
}
_COUNTRIES = {"US": "1", "CA": "1", "GB": "44"}


def is_e164(number: str) -> bool:
    return bool(E164.match(number))


NUMBER_TYPES = ("Local", "Mobile", "TollFree")
_TOLL_FREE_AREA = "833"


def available_numbers(
    country: str,
    number_type: str,
    area_code: str | None,
    limit: int,
    contains: str | None = None,
    locality: str | None = None,
) -> list[dict] | None:
    """Numbers of *number_type* for sale whose digits contain *contains* (and, with
    *locality*, in that city), or None when the country is not supported (Twilio answers 404)."""
    if locality and not area_code and number_type == "Local":  # the city's area code
        wanted = locality.casefold()
        area_code = next((a for a, (city, *_) in _AREAS.items() if city.casefold() == wanted), None)
    if number_type == "TollFree":
        area_code = _TOLL_FREE_AREA
    elif number_type == "Mobile" and not area_code:
        area_code = "312"
    found = available_local(country, area_code, 30)
    if found is None:
        return None
    if contains:
        digits = "".join(ch for ch in contains if ch.isdigit())
        found = [f for f in found if digits in f["phone_number"][1:]]
    if locality:
        found = [f for f in found if (f["locality"] or "").casefold() == locality.casefold()]
    return found[: max(0, limit)]


def available_local(country: str, area_code: str | None, limit: int) -> list[dict] | None:
    """Numbers for sale, or None when the country is not supported (Twilio answers 404)."""
    country = country.upper()
    prefix = _COUNTRIES.get(country)
    if prefix is None:
        return None
    area = area_code or "415"
    locality, region, postal = _AREAS.get(area, ("Springfield", "IL", "62701"))
    results = []
    for i in range(max(0, min(limit, 30))):
        if prefix == "1":
            number = f"+1{area}555{1000 + 37 * i:04d}"
            friendly = f"({area}) 555-{1000 + 37 * i:04d}"
        else:
            number = f"+{prefix}20{area[-2:]}55{1000 + 37 * i:04d}"
            friendly = number
        results.append(
            {
                "friendly_name": friendly,
                "phone_number": number,
                "lata": "722" if prefix == "1" else None,
                "locality": locality if prefix == "1" else "London",
                "rate_center": locality.upper() if prefix == "1" else None,
                "latitude": 37.78,
                "longitude": -122.39,
                "region": region if prefix == "1" else "England",
                "postal_code": postal if prefix == "1" else None,
                "iso_country": country,
                "address_requirements": "none",
                "beta": False,
                "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
            }
        )
    return results


def load_numbers(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]] | None:
    """The (owned, verified) numbers kept in *path*, or None when there is no such file yet."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return (
        [(n["phone_number"], n["friendly_name"]) for n in data.get("owned", [])],
        [(n["phone_number"], n["friendly_name"]) for n in data.get("verified", [])],
    )


def save_numbers(path: Path, numbers) -> None:
    """Keep the account's numbers (NumberRecords) in *path*, replaced whole (never half-written)."""
    data: dict[str, list[dict]] = {"owned": [], "verified": []}
    for n in numbers:
        kind = "owned" if n.kind == "incoming" else "verified"
        data[kind].append({"phone_number": n.phone_number, "friendly_name": n.friendly_name})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".numbers-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1)
    os.replace(tmp, path)
