"""The app's URLconf plus one page under language prefixes (/de/…, /en/…), for
tests/test_language.py; the app's pages stay so that the 404 page can render."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import get_language

from telefonaktion import urls


def active_language(request):
    return HttpResponse(get_language(), content_type="text/plain")


urlpatterns = urls.urlpatterns + i18n_patterns(path("language/", active_language))
