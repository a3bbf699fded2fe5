"""Headers and limits that hold for every response, so no view can forget them."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
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
