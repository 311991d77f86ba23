"""Guessing the phone and name columns from headers in several languages."""

from __future__ import annotations

import pytest

from app.contacts.mapping import ColumnMapping, field_key, guess_mapping


@pytest.mark.parametrize(
    ("headers", "phone", "name"),
    [
        (["Name", "Phone"], "Phone", "Name"),
        (["id", "Full Name", "Phone Number", "Email"], "Phone Number", "Full Name"),
        (["first_name", "last_name", "mobile_phone"], "mobile_phone", "first_name"),
        (["Cell", "Contact name"], "Cell", "Contact name"),
        (["Tel.", "Company"], "Tel.", None),
        (["Nom", "Prénom", "Téléphone"], "Téléphone", "Nom"),
        (["Vorname", "Telefonnummer"], "Telefonnummer", "Vorname"),
        (["Nombre", "Número de teléfono"], "Número de teléfono", "Nombre"),
        (["nome", "cellulare"], "cellulare", "nome"),
        (["Naam", "Telefoon"], "Telefoon", "Naam"),
        (["Имя", "Телефон"], "Телефон", "Имя"),
        (["名前", "電話番号"], "電話番号", "名前"),
        (["Phone 2", "Phone 1", "Name"], "Phone 2", "Name"),
        (["Account number", "Mobile"], "Mobile", None),
        (["TELEFON", "NAME"], "TELEFON", "NAME"),
    ],
)
def test_guess_from_headers(headers, phone, name):
    assert guess_mapping(headers) == ColumnMapping(phone=phone, name=name)


def test_no_phone_header_falls_back_to_the_column_holding_numbers():
    rows = [["Amy", "Paris", "+1 415 555 0100"], ["Ben", "Rome", "(415) 555-0101"]]
    assert guess_mapping(["who", "where", "what"], rows).phone == "what"


def test_no_phone_anywhere():
    assert guess_mapping(["a", "b"], [["x", "1"], ["y", "2"]]).phone is None


@pytest.mark.parametrize(
    ("header", "key"),
    [("First Name", "first_name"), ("company", "company"), ("Prénom", "prénom"), ("!!", "column")],
)
def test_field_keys_are_template_names(header, key):
    assert field_key(header) == key
