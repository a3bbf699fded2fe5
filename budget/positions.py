"""The expense positions of the party's statement of accounts (Rechenschaftsbericht), in one place.

§ 24 Abs. 5 PartG as in force (the 2015 amendment added "Ausgaben im Rahmen einer
Unternehmenstätigkeit" as 2f, so "sonstige Ausgaben" is 2g):

    Die Ausgaberechnung umfasst:
    1. Personalausgaben,
    2. Sachausgaben
       a) des laufenden Geschäftsbetriebes,
       b) für allgemeine politische Arbeit,
       c) für Wahlkämpfe,
       d) für die Vermögensverwaltung einschließlich sich hieraus ergebender Zinsen,
       e) sonstige Zinsen,
       f) Ausgaben im Rahmen einer Unternehmenstätigkeit,
       g) sonstige Ausgaben,
    3. Zuschüsse an Gliederungen und
    4. Gesamtausgaben nach den Nummern 1 bis 3.

Number 4 is the sum, not a position a category can belong to. Every category carries one of the
codes below; the yearly overview sums them in this order.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExpensePosition(models.TextChoices):
    PERSONNEL = "1", _("1 Personalausgaben")
    OPERATIONS = "2a", _("2a Sachausgaben des laufenden Geschäftsbetriebes")
    POLITICAL_WORK = "2b", _("2b Sachausgaben für allgemeine politische Arbeit")
    ELECTION_CAMPAIGNS = "2c", _("2c Sachausgaben für Wahlkämpfe")
    ASSET_MANAGEMENT = (
        "2d",
        _(
            "2d Sachausgaben für die Vermögensverwaltung einschließlich sich hieraus "
            "ergebender Zinsen"
        ),
    )
    OTHER_INTEREST = "2e", _("2e sonstige Zinsen")
    BUSINESS_ACTIVITY = "2f", _("2f Ausgaben im Rahmen einer Unternehmenstätigkeit")
    OTHER = "2g", _("2g sonstige Ausgaben")
    GRANTS_TO_BRANCHES = "3", _("3 Zuschüsse an Gliederungen")
