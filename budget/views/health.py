"""``/healthz`` for a monitor or the load balancer: no login, no session, a small JSON answer."""

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("healthz: database unreachable")
        return False


def _receipts_writable() -> bool:
    """A booking must be able to store its receipt: create and remove a file in the folder."""
    try:
        folder = Path(settings.MEDIA_ROOT)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".healthz-"):
            pass
        return True
    except OSError:
        logger.exception("healthz: receipt folder %s not writable", settings.MEDIA_ROOT)
        return False


@never_cache
@require_safe
def healthz(request):
    checks = {"database": _database_ok(), "receipts": _receipts_writable()}
    failing = [name for name, ok in checks.items() if not ok]
    body = {"status": "error" if failing else "ok"}
    body.update({name: "ok" if ok else "error" for name, ok in checks.items()})
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
