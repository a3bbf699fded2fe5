"""Which language a page speaks: German until the user picks English in the language menu.

The browser's Accept-Language is never asked (budget.middleware.ChosenLanguageMiddleware); only
the cookie that Django's ``set_language`` writes, or an ``i18n_patterns`` prefix, changes it.
"""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation
from django.utils.cache import has_vary_header

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}
GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9"}
COOKIE = django_settings.LANGUAGE_COOKIE_NAME


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    # Requests activate the language of the cookie in this thread; don't leak English.
    yield
    translation.deactivate()


def choose(client, language, next_url=LOGIN):
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def assert_speaks(response, language):
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert f'<html lang="{language}"' in response.content.decode()
    # A cache must keep one copy per language choice, and needs none per browser language.
    assert has_vary_header(response, "Cookie")
    assert not has_vary_header(response, "Accept-Language")


@pytest.mark.parametrize(
    "accept_language", ["en-US,en;q=0.9", "en", "en-GB", "fr-FR,en;q=0.8", "*", ""]
)
def test_the_login_page_is_german_whatever_the_browser_asks_for(client, accept_language):
    response = client.get(LOGIN, headers={"Accept-Language": accept_language})
    assert_speaks(response, "de")
    assert '<h1 class="h3 mb-3">Anmelden</h1>' in response.content.decode()
    assert "Log in" not in response.content.decode()


def test_a_logged_in_page_is_german_in_an_english_browser(client, treasurer):
    client.force_login(treasurer)
    response = client.get(reverse("budget:home"), headers=ENGLISH_BROWSER)
    assert_speaks(response, "de")
    assert "Abmelden" in response.content.decode()
    assert "Log out" not in response.content.decode()


def test_the_admin_is_german_in_an_english_browser(client, superuser):
    response = client.get(ADMIN_LOGIN, headers=ENGLISH_BROWSER)
    assert response["Content-Language"] == "de"
    assert "Beschlusskasse – Verwaltung" in response.content.decode()
    client.force_login(superuser)
    response = client.get(reverse("admin:index"), headers=ENGLISH_BROWSER)
    assert response["Content-Language"] == "de"
    assert "Beschlüsse, Budgets und Ausgaben" in response.content.decode()


def test_the_language_cookie_en_gives_english_even_in_a_german_browser(client):
    client.cookies[COOKIE] = "en"
    response = client.get(LOGIN, headers=GERMAN_BROWSER)
    assert_speaks(response, "en")
    assert '<h1 class="h3 mb-3">Log in</h1>' in response.content.decode()


def test_the_language_cookie_en_gives_english_in_the_admin(client, superuser):
    client.cookies[COOKIE] = "en"
    client.force_login(superuser)
    response = client.get(reverse("admin:index"), headers=GERMAN_BROWSER)
    assert response["Content-Language"] == "en"
    assert "Beschlusskasse – Administration" in response.content.decode()


@pytest.mark.parametrize(
    ("cookie", "language"),
    [("en", "en"), ("en-us", "en"), ("de", "de"), ("fr", "de"), ("", "de"), ("e" * 600, "de")],
)
def test_only_a_language_we_offer_counts_from_the_cookie(client, cookie, language):
    client.cookies[COOKIE] = cookie
    assert_speaks(client.get(LOGIN, headers=ENGLISH_BROWSER), language)


def test_the_switch_on_the_login_page_sets_the_cookie_and_english_stays(client, treasurer):
    page = client.get(LOGIN, headers=ENGLISH_BROWSER).content.decode()
    assert f'action="{reverse("set_language")}"' in page

    response = choose(client, "en")
    assert response.cookies[COOKIE].value == "en"
    assert_speaks(client.get(LOGIN, headers=GERMAN_BROWSER), "en")

    # Logging in keeps the choice: it lives in its own cookie, not in the session.
    response = client.post(
        LOGIN,
        {"username": "schatzmeisterin", "password": "correct horse battery"},
        headers=GERMAN_BROWSER,
        follow=True,
    )
    assert "_auth_user_id" in client.session
    assert_speaks(response, "en")
    assert "Log out" in response.content.decode()

    # And so does logging out.
    response = client.post(reverse("logout"), headers=GERMAN_BROWSER, follow=True)
    assert "_auth_user_id" not in client.session
    assert_speaks(response, "en")


def test_switching_back_to_german_wins_over_an_english_browser(client, treasurer):
    client.force_login(treasurer)
    home = reverse("budget:home")
    choose(client, "en", next_url=home)
    assert_speaks(client.get(home, headers=ENGLISH_BROWSER), "en")
    choose(client, "de", next_url=home)
    response = client.get(home, headers=ENGLISH_BROWSER)
    assert_speaks(response, "de")
    assert "Abmelden" in response.content.decode()


@pytest.mark.urls("tests.urls_i18n_patterns")
class TestLanguageInTheUrl:
    """If pages ever get /en/… URLs (i18n_patterns), the prefix still decides."""

    def test_the_prefix_decides(self, client):
        client.cookies[COOKIE] = "de"
        response = client.get("/en/language/", headers=GERMAN_BROWSER)
        assert response.content == b"en"
        assert response["Content-Language"] == "en"
        assert not has_vary_header(response, "Accept-Language")

    @pytest.mark.parametrize(("cookie", "prefix"), [(None, "de"), ("en", "en")])
    def test_without_a_prefix_the_choice_or_german_is_redirected_to(self, client, cookie, prefix):
        if cookie:
            client.cookies[COOKIE] = cookie
        response = client.get("/language/", headers=ENGLISH_BROWSER)
        assert response.status_code == 302
        assert response["Location"] == f"/{prefix}/language/"
        assert has_vary_header(response, "Cookie")
        assert not has_vary_header(response, "Accept-Language")
