"""Small things that make the pages trustworthy: login wording, German reversal errors,
breadcrumbs back to the budget, and the admin's German figures and Berlin times."""

import datetime
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from budget.localtime import format_local
from budget.models import Category
from budget.services import reverse_expense

pytestmark = pytest.mark.django_db


def test_wrong_password_says_so_plainly(client, treasurer):
    response = client.post(reverse("login"), {"username": "schatzmeisterin", "password": "falsch"})
    html = response.content.decode()
    assert "Benutzername oder Passwort falsch." in html
    assert "errorlist" not in html  # one sentence, not a list under a field


def test_logging_out_says_so(client, treasurer):
    client.force_login(treasurer)
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "Sie wurden abgemeldet." in response.content.decode()


def test_reversal_errors_are_german_and_from_the_server(client, treasurer, budget, category, book):
    expense = book(category, "10.00").expense
    url = reverse("budget:expense_reverse", args=[budget.pk, expense.pk])
    client.force_login(treasurer)
    assert '<form method="post" novalidate' in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Bitte einen Grund angeben." in response.content.decode()
    response = client.post(url, {"reason": "x" * 501})
    assert "höchstens 500 Zeichen" in response.content.decode()


def test_every_page_leads_back_to_its_budget(client, treasurer, budget, category, book):
    expense = book(category, "10.00").expense
    client.force_login(treasurer)
    dashboard = reverse("budget:budget_dashboard", args=[budget.pk])
    for name, args in [
        ("budget:expense_new", [budget.pk]),
        ("budget:expense_list", [budget.pk]),
        ("budget:expense_detail", [budget.pk, expense.pk]),
        ("budget:expense_reverse", [budget.pk, expense.pk]),
        ("budget:budget_statement", [budget.pk]),
    ]:
        html = client.get(reverse(name, args=args)).content.decode()
        crumbs = re.search(r'<ol class="breadcrumb small">(.*?)</ol>', html, re.S).group(1)
        assert f'href="{dashboard}"' in crumbs, name
        assert f'href="{reverse("budget:home")}"' in crumbs, name
    html = client.get(reverse("budget:resolution", args=[budget.resolution_id])).content.decode()
    assert 'class="breadcrumb small"' in html and f'href="{dashboard}"' in html


def test_statement_has_no_inline_handler(client, treasurer, budget):
    client.force_login(treasurer)
    html = client.get(reverse("budget:budget_statement", args=[budget.pk])).content.decode()
    assert "onclick" not in html and 'data-action="print"' in html


def test_statement_hides_plan_columns_without_plans(client, treasurer, budget, category, book):
    client.force_login(treasurer)
    url = reverse("budget:budget_statement", args=[budget.pk])
    assert "im Plan noch verfügbar" not in client.get(url).content.decode()
    Category.objects.filter(pk=category.pk).update(planned=Decimal("100.00"))
    assert "im Plan noch verfügbar" in client.get(url).content.decode()


# --- admin ----------------------------------------------------------------------------------


def test_local_time_helper_shows_berlin_time():
    winter = datetime.datetime(2024, 1, 20, 17, 51, tzinfo=datetime.UTC)
    summer = datetime.datetime(2024, 7, 20, 16, 51, tzinfo=datetime.UTC)
    assert format_local(winter) == "20.01.2024 18:51"
    assert format_local(summer) == "20.07.2024 18:51"
    assert format_local(None) == ""


def test_admin_shows_reversal_in_berlin_time(client, superuser, treasurer, category, book):
    expense = book(category, "10.00").expense
    at = datetime.datetime(2024, 1, 20, 17, 51, tzinfo=datetime.UTC)
    with mock.patch.object(timezone, "now", return_value=at):
        reverse_expense(expense=expense, reason="doppelt", created_by=treasurer)
    client.force_login(superuser)
    html = client.get(reverse("admin:budget_expense_change", args=[expense.pk])).content.decode()
    assert "20.01.2024 18:51 von schatzmeisterin: doppelt" in html


def test_admin_reversal_filter_reads_storniert_ja_nein(
    client, superuser, treasurer, category, book
):
    kept = book(category, "10.00", payee="Bleibt").expense
    gone = book(category, "20.00", payee="Weg").expense
    reverse_expense(expense=gone, reason="doppelt", created_by=treasurer)
    client.force_login(superuser)
    url = reverse("admin:budget_expense_changelist")
    html = client.get(url).content.decode()
    assert "Nach storniert" in html or "storniert" in html
    assert "?storniert=ja" in html and "?storniert=nein" in html
    assert [e.pk for e in client.get(url, {"storniert": "ja"}).context["cl"].result_list] == [
        gone.pk
    ]
    assert [e.pk for e in client.get(url, {"storniert": "nein"}).context["cl"].result_list] == [
        kept.pk
    ]


def test_admin_budget_share_uses_the_german_comma(client, superuser, budget, category, book):
    book(category, "1132.50")  # 45.3 %
    client.force_login(superuser)
    html = client.get(reverse("admin:budget_budget_change", args=[budget.pk])).content.decode()
    assert "45,3\u00a0%" in html
    changelist = client.get(reverse("admin:budget_budget_changelist")).content.decode()
    assert "45,3\u00a0%" in changelist


def test_admin_offers_no_delete_that_cannot_succeed(client, superuser, budget):
    client.force_login(superuser)
    change = reverse("admin:budget_resolution_change", args=[budget.resolution_id])
    html = client.get(change).content.decode()
    assert "deletelink" not in html
    changelist = client.get(reverse("admin:budget_resolution_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_admin_inline_inputs_have_labels(client, superuser, budget):
    client.force_login(superuser)
    html = client.get(reverse("admin:budget_budget_change", args=[budget.pk])).content.decode()
    inline_inputs = re.findall(r'<input[^>]*name="categories-0-[^"]+"[^>]*>', html)
    visible = [i for i in inline_inputs if 'type="hidden"' not in i]
    assert visible and all("aria-label=" in i for i in visible), visible
