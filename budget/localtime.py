"""One way to show a moment: in the project's time zone (Europe/Berlin), in the active locale.

Datetimes are stored in UTC; a reversal at 18:51 Berlin time is 17:51 UTC in winter. Templates
convert through ``|date`` already; Python code that formats a datetime uses this helper, never
``strftime`` on the stored value.
"""

import datetime

from django.utils import formats, timezone


def local(value: datetime.datetime) -> datetime.datetime:
    """The moment in the current time zone (naive values are taken as already local)."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def format_local(value: datetime.datetime | None) -> str:
    """``01.12.2026 18:51`` in German, in Berlin time; empty for None."""
    if value is None:
        return ""
    return formats.date_format(local(value), "SHORT_DATETIME_FORMAT")
