"""Mails about claims: the treasurers hear of a new claim; the claimant of the decision and the
payout. Sent after the transaction commits (``transaction.on_commit``) through Django's mail
framework; a failing mail server never undoes a booking, it is logged."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from budget.money import format_eur

logger = logging.getLogger(__name__)


def _send(subject: str, body: str, recipients: list[str]) -> None:
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # a mail server's trouble must not turn a saved claim into an error page
        logger.exception("Mail %r could not be sent", subject)


def _treasurers() -> list[str]:
    users = get_user_model().objects.filter(groups__name="treasurer", is_active=True)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def new_claim(claim) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Neue Erstattung %(reference)s: %(amount)s") % {
            "reference": claim.reference,
            "amount": format_eur(claim.amount),
        }
        body = _(
            "%(name)s hat für „%(budget)s“ eine Erstattung über %(amount)s eingereicht:\n"
            "%(description)s\n\nBitte in der Beschlusskasse prüfen und genehmigen oder ablehnen."
        ) % {
            "name": claim.submitted_by.get_full_name() or claim.submitted_by.get_username(),
            "budget": claim.budget.name,
            "amount": format_eur(claim.amount),
            "description": claim.description,
        }
    _send(subject, body, [a for a in _treasurers() if a != claim.submitted_by.email])


def decided(claim) -> None:
    """Approved or rejected."""
    with translation.override(settings.LANGUAGE_CODE):
        figures = {"reference": claim.reference, "amount": format_eur(claim.amount)}
        if claim.state == claim.State.REJECTED:
            subject = _("Erstattung %(reference)s abgelehnt") % figures
            body = _("Deine Erstattung %(reference)s über %(amount)s wurde abgelehnt.") % figures
            body += "\n" + _("Grund: %(reason)s") % {"reason": claim.reason}
        else:
            subject = _("Erstattung %(reference)s genehmigt") % figures
            body = (
                _(
                    "Deine Erstattung %(reference)s über %(amount)s wurde genehmigt und wird "
                    "überwiesen. Du kannst stattdessen auch auf die Auszahlung verzichten "
                    "(Aufwandsspende)."
                )
                % figures
            )
    _send(subject, body, [claim.submitted_by.email])


def paid(claim) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        figures = {"reference": claim.reference, "amount": format_eur(claim.amount)}
        subject = _("Erstattung %(reference)s ausgezahlt") % figures
        body = _("Deine Erstattung %(reference)s über %(amount)s wurde am %(date)s überwiesen.") % {
            **figures,
            "date": claim.paid_on.strftime("%d.%m.%Y"),
        }
    _send(subject, body, [claim.submitted_by.email])
