"""A form sent twice books once: expenses and reversals keep the one-time key of their form."""

from django.db import migrations, models

from ._append_only import altering_append_only


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0004_pending_receipt"),
    ]

    operations = [
        *altering_append_only(
            "budget_expense",
            migrations.AddField(
                model_name="expense",
                name="booking_key",
                field=models.UUIDField(
                    blank=True, editable=False, null=True, verbose_name="Einmalschlüssel"
                ),
            ),
            migrations.AddConstraint(
                model_name="expense",
                constraint=models.UniqueConstraint(
                    fields=("budget", "booking_key"), name="expense_booking_key_unique"
                ),
            ),
        ),
        *altering_append_only(
            "budget_reversal",
            migrations.AddField(
                model_name="reversal",
                name="booking_key",
                field=models.UUIDField(
                    blank=True, editable=False, null=True, verbose_name="Einmalschlüssel"
                ),
            ),
            migrations.AddConstraint(
                model_name="reversal",
                constraint=models.UniqueConstraint(
                    fields=("booking_key",), name="reversal_booking_key_unique"
                ),
            ),
        ),
    ]
