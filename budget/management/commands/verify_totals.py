"""Recompute the running totals from the ledger and compare them with the stored ones."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum

from budget.models import Budget, Category
from budget.money import cents


class Command(BaseCommand):
    help = "Prüft die laufenden Summen gegen das Buchungsjournal; mit --fix werden sie korrigiert."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Abweichende Summen korrigieren.")

    def handle(self, *args, fix=False, **options):
        problems = 0
        for budget_id in Budget.objects.values_list("pk", flat=True):
            with transaction.atomic():
                budget = Budget.objects.select_for_update().get(pk=budget_id)
                problems += self.check_budget(budget, fix)
        if problems and not fix:
            raise CommandError(f"{problems} Abweichung(en) gefunden. Mit --fix korrigieren.")
        self.stdout.write(self.style.SUCCESS(f"Geprüft; {problems} Abweichung(en)."))

    def check_budget(self, budget: Budget, fix: bool) -> int:
        active = Q(expenses__reversal__isnull=True)
        problems = 0
        totals = budget.expenses.aggregate(
            spent=Sum("amount", filter=Q(reversal__isnull=True)), last=Max("receipt_number")
        )
        if cents(totals["spent"]) != budget.spent or (totals["last"] or 0) > budget.last_receipt_number:
            problems += 1
            self.stdout.write(f"Budget {budget.pk} „{budget}“: gespeichert {budget.spent}, "
                              f"Journal {cents(totals['spent'])}")
            if fix:
                Budget.objects.filter(pk=budget.pk).update(
                    spent=cents(totals["spent"]),
                    last_receipt_number=max(totals["last"] or 0, budget.last_receipt_number),
                )
        rows = budget.categories.annotate(
            ledger_spent=Sum("expenses__amount", filter=active),
            ledger_quantity=Sum("expenses__quantity", filter=active),
            n=Count("expenses"),
        )
        for category in rows:
            spent, quantity = cents(category.ledger_spent), category.ledger_quantity or 0
            if spent != category.spent or quantity != category.quantity:
                problems += 1
                self.stdout.write(
                    f"Kategorie {category.pk} „{category}“: gespeichert {category.spent} / "
                    f"{category.quantity}, Journal {spent} / {quantity}"
                )
                if fix:
                    Category.objects.filter(pk=category.pk).update(spent=spent, quantity=quantity)
        return problems
