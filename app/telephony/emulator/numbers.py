"""Phone numbers: the seeded account numbers and a deterministic AvailablePhoneNumbers search."""

from __future__ import annotations

import re

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
