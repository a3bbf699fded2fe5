"""Headers, limits and the interface language that hold for every response, so no view can
forget them."""

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import cc_delim_re, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _


def security_headers(get_response):
    """``Permissions-Policy``: switch off browser features the app never uses."""

    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


def request_size_limit(get_response):
    """Refuse a body larger than one receipt plus the form before anything reads it.

    Django limits only the form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) and streams files of any
    size into the temp folder; this applies the same limit to the whole request, files included.
    """

    def middleware(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
            return HttpResponse(
                _("Die Anfrage ist zu groß (höchstens %(limit)s MB).") % {"limit": limit_mb},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return get_response(request)

    return middleware


def private_pages(get_response):
    """Whatever a logged-in user sees (amounts, names) stays out of shared and browser caches."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


def chosen_language(request, *, check_path=False):
    """The language the user chose, else ``LANGUAGE_CODE`` (German); never Accept-Language.

    Django's ``get_language_from_request`` falls back to the browser's Accept-Language, so an
    English browser got English without anyone asking for it. Here only a choice counts: the
    prefix of an ``i18n_patterns`` URL, or the cookie that ``set_language`` (the language menu in
    base.html) writes.
    """
    if check_path:
        language = translation.get_language_from_path(request.path_info)
        if language is not None:
            return language
    try:
        return translation.get_supported_language_variant(
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        )
    except LookupError:  # no cookie, or a language we do not offer
        return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """``LocaleMiddleware`` that speaks German until the user switches (see ``chosen_language``).

    ``process_request`` is Django's with ``chosen_language`` in place of
    ``get_language_from_request``; ``process_response`` keeps Django's ``Content-Language`` and
    the ``i18n_patterns`` redirect, and says the page varies with the cookie, not Accept-Language.
    """

    def process_request(self, request):
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        i18n_patterns_used, prefixed_default_language = is_language_prefix_patterns_used(urlconf)
        language = chosen_language(request, check_path=i18n_patterns_used)
        language_from_path = translation.get_language_from_path(request.path_info)
        if not language_from_path and i18n_patterns_used and not prefixed_default_language:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        # Django adds "Vary: Accept-Language"; the page no longer depends on it, and a cache that
        # keyed on it would keep one copy per browser language for nothing.
        if response.has_header("Vary"):
            kept = [
                header
                for header in cc_delim_re.split(response.headers["Vary"])
                if header and header.lower() != "accept-language"
            ]
            del response.headers["Vary"]
            if kept:
                response.headers["Vary"] = ", ".join(kept)
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        i18n_patterns_used, _prefixed = is_language_prefix_patterns_used(urlconf)
        if not (i18n_patterns_used and translation.get_language_from_path(request.path_info)):
            patch_vary_headers(response, ("Cookie",))
        return response
