from app.domain.template import contact_variables, render


def test_placeholders_take_the_contacts_values():
    variables = contact_variables("Ana Silva", {"company": "Acme Dental"})
    assert render("Hi {{first_name}}, this is Sunny from {{ company }}.", variables) == (
        "Hi Ana, this is Sunny from Acme Dental."
    )


def test_a_missing_variable_leaves_no_braces_and_no_odd_gap():
    assert render("Hi {{first_name}}, welcome to {{company}}!", {}) == "Hi, welcome to!"
    assert render("Hello {{nobody}} there", {}) == "Hello there"


def test_the_files_own_columns_win_over_the_derived_name():
    variables = contact_variables("Ana Silva", {"first_name": "Annie"})
    assert variables["first_name"] == "Annie" and variables["name"] == "Ana Silva"
    assert render("{{first_name}} {{name}}", variables) == "Annie Ana Silva"
