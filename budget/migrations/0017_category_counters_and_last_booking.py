"""Running counters for a category's valid and reversed expenses (the list filtered to one
category reads them instead of counting its rows) and the budget's last booking (the dashboard's
retention date reads it instead of searching the budget's reversals and late receipts).

Both are filled from the ledger here, with the historical models: no live app code, so this
migration behaves the same however the app changes later. Budget and Category are not
append-only tables, so SQLite may rebuild them freely.
"""

from django.db import migrations, models
from django.db.models import Count, Max, Q


def fill_from_the_ledger(apps, schema_editor):
    Budget = apps.get_model("budget", "Budget")
    Category = apps.get_model("budget", "Category")
    Expense = apps.get_model("budget", "Expense")

    counted = Category.objects.annotate(
        active=Count("expenses", filter=Q(expenses__reversal__isnull=True)),
        reversed=Count("expenses__reversal"),
    ).values_list("pk", "active", "reversed")
    for pk, active, reversed_ in counted:
        if active or reversed_:
            Category.objects.filter(pk=pk).update(
                active_expense_count=active, reversal_count=reversed_
            )

    for pk in Budget.objects.values_list("pk", flat=True):
        newest = Expense.objects.filter(budget_id=pk).aggregate(
            expense=Max("created_at"),
            reversal=Max("reversal__created_at"),
            late_receipt=Max("late_receipt__created_at"),
        )
        moments = [moment for moment in newest.values() if moment is not None]
        if moments:
            Budget.objects.filter(pk=pk).update(last_booked_at=max(moments))


class Migration(migrations.Migration):

    dependencies = [
        ('budget', '0016_claim_receipt_fingerprints'),
    ]

    operations = [
        migrations.AddField(
            model_name='budget',
            name='last_booked_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='letzte Buchung'),
        ),
        migrations.AddField(
            model_name='category',
            name='active_expense_count',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='gültige Ausgaben'),
        ),
        migrations.AddField(
            model_name='category',
            name='reversal_count',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='Stornierungen'),
        ),
        migrations.RunPython(fill_from_the_ledger, migrations.RunPython.noop),
    ]
