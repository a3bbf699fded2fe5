"""The English interface: a complete, compiled catalogue and English number formats."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from budget.models import Expense
from tests.helpers import fresh_key

pytestmark = pytest.mark.django_db

LC_MESSAGES = Path(django_settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[sdf]|%%")


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    # Requests activate the language of the session/cookie in this thread; don't leak English.
    yield
    translation.deactivate()


def url(budget):
    return reverse("budget:expense_new", args=[budget.pk])


def switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_booking_page_in_english_uses_english_words_and_number_formats(
    client, treasurer, budget, category, book
):
    book(category, "1234.56")
    client.force_login(treasurer)
    switch_to_english(client)
    page = client.get(url(budget)).content.decode()
    assert 'id="submit-id-submit">Book</button>' in page
    assert "Book receipt" in page
    assert "Beleg buchen" not in page
    assert "1,234.56\u00a0€" in page  # spent
    assert "1,265.44\u00a0€" in page  # remaining
    assert "2,500.00\u00a0€" in page  # cap


def test_booking_page_is_german_by_default(client, treasurer, budget, category, book):
    book(category, "1234.56")
    client.force_login(treasurer)
    page = client.get(url(budget)).content.decode()
    assert 'id="submit-id-submit">Buchen</button>' in page
    assert "1.234,56\u00a0€" in page
    assert "1.265,44\u00a0€" in page
    assert "1,265.44\u00a0€" not in page


def test_over_the_cap_is_explained_in_english(client, treasurer, budget, category, book):
    book(category, "1234.56")
    client.force_login(treasurer)
    switch_to_english(client)
    response = client.post(
        url(budget),
        {
            "category": category.pk,
            "spent_on": "15.01.2024",
            "payee": "Bakery Roth",
            "description": "Breakfast for the callers",
            "amount": "1500.00",
            "quantity": "1",
            "one_time_key": fresh_key(),
        },
    )
    assert response.status_code == 200
    message = "This expense would exceed the budget by 234.56\u00a0€. Remaining: 1,265.44\u00a0€."
    assert response.context["form"].errors["amount"] == [message]
    assert message in response.content.decode()
    assert Expense.objects.count() == 1


def parse_po(path):
    """A tiny .po reader: a list of entries with their flags, msgid(s) and msgstr(s)."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {
            "flags": set(),
            "msgctxt": None,
            "msgid": None,
            "msgid_plural": None,
            "msgstr": {},
        }
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if key[0] == "msgstr":
                    entry["msgstr"][key[1]] += value
                else:
                    entry[key[0]] += value
            else:
                keyword, _, literal = line.partition(" ")
                value = ast.literal_eval(literal)
                match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
                if match:
                    key = ("msgstr", int(match.group(1) or 0))
                    entry["msgstr"][key[1]] = value
                else:
                    assert keyword in ("msgctxt", "msgid", "msgid_plural"), line
                    key = (keyword, None)
                    entry[keyword] = value
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def po_entries():
    return parse_po(LC_MESSAGES / "django.po")


def test_header_declares_english_utf8_and_two_plural_forms(po_entries):
    header = po_entries[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][0]
    assert "Content-Type: text/plain; charset=UTF-8\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header["msgstr"][0]


def test_every_message_is_translated_and_not_fuzzy(po_entries):
    messages = po_entries[1:]
    assert len(messages) > 250
    untranslated = [
        e["msgid"]
        for e in messages
        if not e["msgstr"] or any(not text for text in e["msgstr"].values())
    ]
    assert untranslated == []
    assert [e["msgid"] for e in messages if "fuzzy" in e["flags"]] == []
    plurals = [e for e in messages if e["msgid_plural"] is not None]
    assert plurals
    assert all(sorted(e["msgstr"]) == [0, 1] for e in plurals)


def test_translations_keep_every_placeholder(po_entries):
    for entry in po_entries[1:]:
        wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for index, text in entry["msgstr"].items():
            if entry["msgid_plural"] is not None and index == 0:
                # The singular may spell out "one" instead of %(counter)s.
                assert set(PLACEHOLDER.findall(text)) <= set(wanted), entry["msgid"]
            else:
                source = entry["msgid_plural"] if index else entry["msgid"]
                assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (
                    entry["msgid"]
                )


def test_compiled_catalogue_matches_the_po_file(po_entries):
    with (LC_MESSAGES / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in po_entries[1:]:
        context = entry["msgctxt"]
        if entry["msgid_plural"] is None:
            if context is None:
                got = compiled.gettext(entry["msgid"])
            else:
                got = compiled.pgettext(context, entry["msgid"])
            assert got == entry["msgstr"][0]
        else:
            for n, index in ((1, 0), (2, 1)):
                if context is None:
                    got = compiled.ngettext(entry["msgid"], entry["msgid_plural"], n)
                else:
                    got = compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], n)
                assert got == entry["msgstr"][index]
