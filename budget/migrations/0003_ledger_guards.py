"""The database guards the ledger: Expense and Reversal rows are append-only (triggers, see
``_append_only.py``), and the one-row rules the running totals made possible are CHECKs."""

from django.db import migrations, models

from ._append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0002_roles"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="category",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("quantity_cap__isnull", True),
                    ("quantity__lte", models.F("quantity_cap")),
                    _connector="OR",
                ),
                name="category_quantity_within_cap",
            ),
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("over_plan", "stop"), _negated=True),
                    ("planned__isnull", True),
                    ("spent__lte", models.F("planned")),
                    _connector="OR",
                ),
                name="category_stop_within_plan",
            ),
        ),
        append_only("budget_expense"),
        append_only("budget_reversal"),
    ]
