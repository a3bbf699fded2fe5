"""Recompute the running totals from the ledger and compare them with the stored ones."""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum

from budget import retention
from budget.models import Budget, Category, Claim, DailySpending
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
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(f"Geprüft; {problems} Abweichung(en)."))

    def check_budget(self, budget: Budget, fix: bool) -> int:
        active = Q(expenses__reversal__isnull=True)
        problems = 0
        valid = Q(reversal__isnull=True)
        totals = budget.expenses.aggregate(
            spent=Sum("amount", filter=valid),
            last=Max("receipt_number"),
            active=Count("pk", filter=valid),
            missing=Count("pk", filter=valid & Q(receipt="", late_receipt__isnull=True)),
            reversals=Count("reversal"),
        )
        expected = {
            "spent": cents(totals["spent"]),
            "last_receipt_number": max(totals["last"] or 0, budget.last_receipt_number),
            "active_expense_count": totals["active"],
            "missing_receipt_count": totals["missing"],
            "reversal_count": totals["reversals"],
            "last_booked_at": retention.last_booking(budget),
        }
        stored = {name: getattr(budget, name) for name in expected}
        if stored != expected:
            problems += 1
            self.stdout.write(
                f"Budget {budget.pk} „{budget}“: gespeichert {stored}, Journal {expected}"
            )
            if fix:
                Budget.objects.filter(pk=budget.pk).update(**expected)
        problems += self.check_days(budget, fix)
        problems += self.check_reservations(budget, fix)
        rows = budget.categories.annotate(
            ledger_spent=Sum("expenses__amount", filter=active),
            ledger_quantity=Sum("expenses__quantity", filter=active),
            ledger_active=Count("expenses", filter=active),
            ledger_reversals=Count("expenses__reversal"),
        )
        for category in rows:
            expected = {
                "spent": cents(category.ledger_spent),
                "quantity": category.ledger_quantity or 0,
                "active_expense_count": category.ledger_active,
                "reversal_count": category.ledger_reversals,
            }
            stored = {name: getattr(category, name) for name in expected}
            if stored != expected:
                problems += 1
                self.stdout.write(
                    f"Kategorie {category.pk} „{category}“: gespeichert {stored}, "
                    f"Journal {expected}"
                )
                if fix:
                    Category.objects.filter(pk=category.pk).update(**expected)
        return problems

    def check_days(self, budget: Budget, fix: bool) -> int:
        ledger = {
            row["spent_on"]: cents(row["total"])
            for row in budget.expenses.filter(reversal__isnull=True)
            .values("spent_on")
            .annotate(total=Sum("amount"))
            .order_by()
        }
        stored = {
            row.day: row.spent for row in DailySpending.objects.filter(budget=budget) if row.spent
        }
        if ledger == stored:
            return 0
        self.stdout.write(f"Budget {budget.pk} „{budget}“: Tagessummen weichen vom Journal ab.")
        if fix:
            DailySpending.objects.filter(budget=budget).delete()
            DailySpending.objects.bulk_create(
                DailySpending(budget=budget, day=day, spent=spent) for day, spent in ledger.items()
            )
        return 1

    def check_reservations(self, budget: Budget, fix: bool) -> int:
        """What open claims and orders reserve, recomputed from the claims and orders."""
        claims = budget.claims.filter(state__in=Claim.RESERVING)
        orders = budget.orders.open()
        expected = {
            "reserved_claims": cents(claims.aggregate(total=Sum("amount"))["total"]),
            "reserved_orders": cents(orders.aggregate(total=Sum("amount"))["total"]),
        }
        stored = {name: getattr(budget, name) for name in expected}
        problems = 0
        if stored != expected:
            problems += 1
            self.stdout.write(
                f"Budget {budget.pk} „{budget}“: vorgemerkt gespeichert {stored}, "
                f"aus Erstattungen und Bestellungen {expected}"
            )
            if fix:
                Budget.objects.filter(pk=budget.pk).update(**expected)
        per_category: dict[int, list] = {}
        for rows in (claims, orders):
            for category_id, amount, quantity in rows.values_list(
                "category_id", "amount", "quantity"
            ):
                entry = per_category.setdefault(category_id, [Decimal("0"), 0])
                entry[0] += amount
                entry[1] += quantity
        for category in budget.categories.all():
            amount, quantity = per_category.get(category.pk, [Decimal("0"), 0])
            amount = cents(amount)
            if (category.reserved, category.reserved_quantity) != (amount, quantity):
                problems += 1
                self.stdout.write(
                    f"Kategorie {category.pk} „{category}“: vorgemerkt gespeichert "
                    f"{category.reserved} / {category.reserved_quantity}, "
                    f"aus Erstattungen und Bestellungen {amount} / {quantity}"
                )
                if fix:
                    Category.objects.filter(pk=category.pk).update(
                        reserved=amount, reserved_quantity=quantity
                    )
        return problems
