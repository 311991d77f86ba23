"""Which column holds the phone number and which the name, guessed from multilingual headers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from app.contacts.reading import looks_like_phone

# Normalised header words (lower case, accents removed), best first.
PHONE_WORDS = (
    "phone number",
    "phone",
    "mobile number",
    "mobile phone",
    "mobile",
    "cell phone",
    "cellphone",
    "cell",
    "telephone number",
    "telephone",
    "tel",
    "phone no",
    "contact number",
    "msisdn",
    "number",
    "whatsapp",
    "gsm",
    # de, nl, sv, da, no, pl, cs
    "telefonnummer",
    "telefon",
    "handynummer",
    "handy",
    "mobilnummer",
    "mobil",
    "rufnummer",
    "telefoonnummer",
    "telefoon",
    "mobiel",
    "numer telefonu",
    "telefonni cislo",
    # fr, es, pt, it
    "numero de telephone",
    "telephone portable",
    "portable",
    "numero de telefono",
    "telefono",
    "movil",
    "celular",
    "numero",
    "telefone",
    "telemovel",
    "cellulare",
    "numero di telefono",
    # ru, ar, ja, zh, ko, hi, tr
    "телефон",
    "номер телефона",
    "мобильный",
    "هاتف",
    "جوال",
    "電話番号",
    "電話",
    "携帯",
    "电话",
    "手机",
    "전화번호",
    "전화",
    "फ़ोन",
    "telefon numarasi",
    "cep",
)
NAME_WORDS = (
    "full name",
    "name",
    "contact name",
    "first name",
    "firstname",
    "given name",
    "nombre",
    "nom",
    "prenom",
    "nome",
    "naam",
    "vorname",
    "imie",
    "navn",
    "namn",
    "isim",
    "ad",
    "имя",
    "фио",
    "الاسم",
    "名前",
    "氏名",
    "姓名",
    "名字",
    "이름",
)


@dataclass
class ColumnMapping:
    phone: str | None
    name: str | None = None


def normalise_header(header: str) -> str:
    text = unicodedata.normalize("NFKD", header.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\W_]+", " ", text).strip()
    return re.sub(r"\b(\d+|no|nr|#)$", "", text).strip() if text not in PHONE_WORDS else text


def _score(header: str, words: Sequence[str]) -> float | None:
    """Exact matches beat word matches beat substrings; earlier words beat later ones."""
    norm = normalise_header(header)
    if not norm:
        return None
    tokens = norm.split()
    for rank, word in enumerate(words):
        if norm == word:
            return 3 - rank / 1000
    for rank, word in enumerate(words):
        if " " in word and word in norm or word in tokens:
            return 2 - rank / 1000
    for rank, word in enumerate(words):
        if len(word) >= 4 and word in norm.replace(" ", ""):
            return 1 - rank / 1000
    return None


def _best(headers: Sequence[str], words: Sequence[str], exclude: str | None) -> str | None:
    scored = [(s, -i, h) for i, h in enumerate(headers) if h != exclude and (s := _score(h, words))]
    return max(scored)[2] if scored else None


def guess_mapping(
    headers: Sequence[str], sample_rows: Sequence[Sequence[str]] | None = None
) -> ColumnMapping:
    """Guess from the headers; with sample rows, fall back to the column that holds numbers."""
    phone = _best(headers, PHONE_WORDS, None)
    if phone is None and sample_rows:
        phone = _phone_shaped_column(headers, sample_rows)
    name = _best(headers, NAME_WORDS, phone)
    return ColumnMapping(phone=phone, name=name)


def _phone_shaped_column(
    headers: Sequence[str], sample_rows: Sequence[Sequence[str]]
) -> str | None:
    best: tuple[float, str] | None = None
    for index, header in enumerate(headers):
        cells = [r[index] for r in sample_rows if index < len(r) and r[index].strip()]
        if not cells:
            continue
        share = sum(looks_like_phone(c) for c in cells) / len(cells)
        if share >= 0.5 and (best is None or share > best[0]):
            best = (share, header)
    return best[1] if best else None


def field_key(header: str) -> str:
    """A header as a template variable name: "First Name" -> first_name."""
    key = re.sub(r"[\W]+", "_", header.strip().casefold()).strip("_")
    return key or "column"
