"""Resolution No. 16/2023 of the Landesvorstand of Die LINKE. Thüringen, as the seed document
(shared/seed/beschluss-16-2023.txt) records it."""

import datetime
from decimal import Decimal

RESOLUTION = {
    "number": 16,
    "year": 2023,
    "title": "Finanzierung Telefonaktion 2024",
    "organisation": "Die LINKE. Thüringen",
    "body": "Landesvorstand",
    "decided_on": datetime.date(2023, 11, 24),
    "outcome": "passed_addendum",
    "addendum": "",
    "votes_for": 11,
    "votes_against": 0,
    "votes_abstained": 1,
    "text": (
        "Der Landesvorstand beschließt:\n\n"
        "„Die LINKE. Thüringen stellt für die Vorbereitung, Durchführung und Nachbereitung der "
        "bundesweiten Telefonaktion 2024 der Bundespartei bis zu 2.500 € zur Verfügung. Diese "
        "Finanzmittel sollen insbesondere für Reisekosten, zur Vor- und Nachbereitung, der "
        "Anschaffung von bis zu 15 Headsets und insbesondere der Verpflegung der "
        "Telefonist*innen eingesetzt werden.“"
    ),
    "rationale": (
        "Unsere Bundespartei hat beschlossen, ab dem 15.01.2024, eine bundesweite Telefonaktion "
        "durchzuführen. Dafür sollen 10 regionale Telefonzentralen eingerichtet werden. Die "
        "LINKE. Thüringen beteiligt sich mit der Einrichtung und dem Betrieb einer dieser "
        "Telefonzentralen an dieser bundesweiten Telefonaktion. Hierzu bereitet die "
        "Landesgeschäftsstelle mit der Unterstützung durch die Bundesgeschäftsstelle, die "
        "Telefonaktion zentralisiert in der Landesgeschäftsstelle vor, und nutzt bei der "
        "Durchführung der Telefonaktion die zur Verfügung stehenden Ressourcen der "
        "Landesgeschäftsstelle. Unterstützung dieser bundesweiten Aktion soll die "
        "Landesgeschäftsstelle durch Abgeordnete, deren Mitarbeiter*innen (während deren "
        "Freizeit) und ehrenamtliche Genoss*innen erhalten.\n\n"
        "Die großen Vorteile bei dieser Telefonaktion entstehen durch folgende Überlegungen:\n\n"
        "1. Wir können zentralisiert und kostenlos die Software „Zetkin“ kennenlernen und "
        "nutzen. Diese Software wird die neue zentrale Arbeitssoftware unserer Partei für "
        "Aktivierungen, Mobilisierungen und Mitgliederkontakte darstellen. Eine frühzeitige "
        "Vertrautheit, insbesondere von hauptamtlich Beschäftigten und Ehrenamtlichen in "
        "Kaderpositionen, bringt einen großflächigen Aktivierungs- und Mobilisierungsvorteil für "
        "unseren Landesverband.\n"
        "2. Wir unterstützen frühzeitig die Kreisverbände, ihre Vorstände und vor allem die "
        "Kreiswahlbüros bei einer Zeit- und Personalintensiven, aber im Kern notwendigen, "
        "Planungsarbeit für das Superwahljahr 2024. Insbesondere durch die Aktivierung von "
        "Wahlkreismitarbeitenden und mit den eigenen Genoss*innen kann eine pushende Wirkung, "
        "auch über das Superwahljahr 2024 hinaus, bewirkt werden.\n"
        "3. Wir können den Fragenkatalog bzw. Gesprächsleitfaden der Bundesebene mit unseren "
        "spezifischen Thüringer Fragen ergänzen. Die Telefonlisten für die Kreise bzw. Regionen "
        "können individuell vorbereitet werden und werden fachkundig von der Bundesebene in das "
        "„Zetkin“-Programm eingearbeitet. Eine Auswertung erfolgt nach individuellen Wünschen "
        "durch die Software. Eine umständliche Nutzung von mehreren Excellisten bzw. "
        "Excelblättern gibt es nicht mehr."
    ),
    "responsible": "LGF",
    "political_message": "--",
    "pr_measures": "-",
    "further_measures": "Absprache mit Bundesgeschäftsstelle",
    "finance_note": "",
    "coordinated_with": "Sitzung LaVo am 15.12.2023",
    "recipients": "",
    "attachments_note": "-",
    "is_signed": True,
}

BUDGET = {
    "name": "Telefonaktion 2024",
    "cap": Decimal("2500.00"),
    "currency": "EUR",
    "starts_on": datetime.date(2023, 11, 24),
    "ends_on": None,
    # Volunteers and MPs' staff submit their travel and food costs against this budget.
    "accepts_claims": True,
}

# Every category of the Telefonaktion is political work (§ 24 Abs. 5 Nr. 2b PartG). The accounts
# are editable defaults in the style of DATEV's SKR03; SKR04_ACCOUNTS gives the same accounts in
# SKR04 and is used when the DATEV settings name that chart.
CATEGORIES = [
    {"name": "Reisekosten", "order": 1, "position": "2b", "account": "4660"},
    {"name": "Vor- und Nachbereitung", "order": 2, "position": "2b", "account": "4930"},
    {
        "name": "Headsets",
        "order": 3,
        "quantity_cap": 15,
        "quantity_unit": "Stück",
        "position": "2b",
        "account": "4985",
    },
    {"name": "Verpflegung", "order": 4, "position": "2b", "account": "4650"},
]

# SKR03 → SKR04: Reisekosten Arbeitnehmer, Bürobedarf, Werkzeuge und Kleingeräte,
# Bewirtungskosten; and the bank account that pays.
SKR04_ACCOUNTS = {"4660": "6650", "4930": "6815", "4985": "6845", "4650": "6640", "1200": "1800"}

# DATEV's own sample client (Beraternummer 29098, Mandant 55003), for --demo only: a real
# installation enters its adviser's numbers in the admin.
DEMO_DATEV_SETTINGS = {
    "adviser_number": 29098,
    "client_number": 55003,
    "fiscal_year_start_month": 1,
    "account_length": 4,
    "chart_of_accounts": "03",
    "contra_account": "1200",
}

# Bookings made with --demo only, so the pages have something to show.
DEMO_EXPENSES = [
    ("Headsets", datetime.date(2024, 1, 8), "Elektro Erfurt GmbH", "7 USB-Headsets", "342.93", 7),
    (
        "Vor- und Nachbereitung",
        datetime.date(2024, 1, 10),
        "Copyshop Mitte",
        "Gesprächsleitfäden drucken",
        "48.60",
        1,
    ),
    (
        "Reisekosten",
        datetime.date(2024, 1, 12),
        "Deutsche Bahn",
        "Fahrt Erfurt–Berlin, Schulung Zetkin",
        "119.80",
        1,
    ),
    (
        "Verpflegung",
        datetime.date(2024, 1, 15),
        "Bäckerei Roth",
        "Frühstück für 12 Telefonist*innen",
        "86.45",
        1,
    ),
    (
        "Verpflegung",
        datetime.date(2024, 1, 16),
        "Pizzeria Da Mario",
        "Abendessen Telefonabend",
        "132.00",
        1,
    ),
]
