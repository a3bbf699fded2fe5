"""Claims, orders and payouts in the admin: to look up, never to change. Every change goes
through the app's own pages and services (``budget.services.claims``, ``budget.services.orders``,
``budget.services.payouts``), which lock the budget and keep the reservations right."""

from django.contrib import admin

from budget.models import Claim, Order, PayoutBatch


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["reference", "budget", "submitted_by", "kind", "amount", "state", "spent_on"]
    list_filter = ["state", "kind", "budget"]
    list_select_related = ["budget", "submitted_by"]
    search_fields = ["description", "payee", "account_holder"]
    exclude = ["iban", "submission_key", "receipt"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["reference", "budget", "supplier", "amount", "quantity", "state"]
    list_filter = ["state", "budget"]
    list_select_related = ["budget"]
    exclude = ["submission_key"]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ["reference", "budget", "claim_count", "total", "paid_on"]
    list_select_related = ["budget"]
    exclude = ["submission_key", "debtor_iban"]
