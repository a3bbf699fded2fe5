"""``can`` in templates: every question a template asks exists, and the answers are the access
module's, per role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from budget.access import Abilities

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ASKED = sorted(
    {
        name
        for path in TEMPLATES.rglob("*.html")
        for name in re.findall(r"\bcan\.(\w+)", path.read_text(encoding="utf-8"))
    }
)


def test_templates_ask_can_and_never_perms_directly():
    assert ASKED, "no template asks `can` any more: this test has nothing to check"
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "perms.budget." in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.parametrize("question", ASKED)
def test_every_question_a_template_asks_has_an_answer(question):
    # A typo such as ``can.bok`` would silently be false in a template; here it fails.
    assert question in Abilities.QUESTIONS


def test_an_unknown_question_is_an_error_not_false(treasurer):
    with pytest.raises(AttributeError):
        Abilities(treasurer).bok  # noqa: B018


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "yes", "no"),
    [
        ("treasurer", {"view", "book", "see_claims", "pay", "order"}, {"reopen", "close"}),
        ("director", {"view", "export", "close", "see_claims"}, {"book", "pay", "order"}),
        ("auditor", {"view", "export", "see_claims", "see_orders"}, {"book", "pay", "close"}),
        ("helper", {"submit_claims"}, {"view", "see_claims", "book", "export"}),
        ("outsider", set(), {"view", "submit_claims", "book"}),
    ],
)
def test_answers_per_role(request, role, yes, no):
    can = Abilities(request.getfixturevalue(role))
    assert {q for q in yes | no if getattr(can, q)} == yes
