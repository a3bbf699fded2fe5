"""Orders (Bestellungen, committed funds): record, second approval, book the invoice, cancel.

An order reserves its expected amount and pieces the moment it is recorded, under the budget row
lock and through the same ``services.check_room`` as every booking: 15 headsets ordered means no
16th can be booked, claimed or ordered. Booking the invoice releases the reservation and books
the real figures through ``record_expense`` in one transaction, so the caps are checked on what
the invoice says, not on what was expected.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from budget import services
from budget.exceptions import AlreadyOrdered, SameApprover, WrongState
from budget.models import Budget, Category, Order, OrderEvent
from budget.services.booking import (
    BookingResult,
    category_of,
    lock_budget,
    lock_with_budget,
    next_number,
    refuse_a_second_send,
    refuse_if_closed,
)
from budget.services.claims import adjust_reservation
from budget.validators import check_amount, check_quantity, check_text


def _event(order: Order, action: str, actor, note: str = "") -> None:
    OrderEvent.objects.create(order=order, action=action, actor=actor, note=note[:500])


def _release(order: Order) -> None:
    adjust_reservation(
        budget_id=order.budget_id,
        category_id=order.category_id,
        field="reserved_orders",
        amount=-order.amount,
        quantity=-order.quantity,
    )


def record_order(
    *,
    budget: Budget | int,
    category: Category | int,
    supplier: str,
    description: str,
    amount: Decimal,
    quantity: int = 1,
    created_by,
    submission_key: uuid.UUID | None = None,
) -> Order:
    """Record an order and reserve its amount and pieces, or raise and keep nothing."""
    amount = check_amount(amount)
    supplier = check_text("supplier", supplier, 200, _("Lieferant"))
    description = check_text("description", description, 500, _("Beschreibung"))
    check_quantity(quantity)
    budget_id = budget.pk if isinstance(budget, Budget) else budget
    category_id = category.pk if isinstance(category, Category) else category
    with transaction.atomic():
        locked = lock_budget(budget_id)
        if submission_key is not None:
            earlier = Order.objects.filter(budget=locked, submission_key=submission_key).first()
            if earlier is not None:
                raise AlreadyOrdered(earlier)
        cat = category_of(locked, category_id)
        refuse_if_closed(locked)
        if cat.quantity_cap is None:
            quantity = 1
        services.check_room(locked, cat, amount, quantity)
        limit = locked.second_approval_above
        number = next_number(Order, locked)
        order = Order.objects.create(
            budget=locked,
            number=number,
            category=cat,
            state=(
                Order.State.AWAITING_APPROVAL
                if limit is not None and amount > limit
                else Order.State.OPEN
            ),
            supplier=supplier,
            description=description,
            amount=amount,
            quantity=quantity,
            created_by=created_by,
            submission_key=submission_key,
        )
        adjust_reservation(
            budget_id=locked.pk,
            category_id=cat.pk,
            field="reserved_orders",
            amount=amount,
            quantity=quantity,
        )
        _event(order, OrderEvent.Action.ORDERED, created_by)
    return order


def _locked_order(order: Order | int) -> tuple[Budget, Order]:
    return lock_with_budget(Order, order, "category")


def _refuse_move(order: Order, state: str) -> None:
    if state not in Order.TRANSITIONS[Order.State(order.state)]:
        raise WrongState(
            _("Die Bestellung %(reference)s ist %(state)s; das ist jetzt nicht mehr möglich.")
            % {"reference": order.reference, "state": order.get_state_display()}
        )


def approve_order(*, order: Order | int, approver) -> Order:
    """The second approval of an order above ``second_approval_above``, by somebody other than
    whoever recorded it (recording is the first): another treasurer or the director."""
    with transaction.atomic():
        locked, row = _locked_order(order)
        _refuse_move(row, Order.State.OPEN)
        refuse_if_closed(locked)
        if row.created_by_id == approver.pk:
            raise SameApprover(
                _("Die zweite Freigabe muss eine andere Person geben als die, die bestellt hat.")
            )
        row.state = Order.State.OPEN
        row.approved_by = approver
        row.save(update_fields=["state", "approved_by"])
        _event(row, OrderEvent.Action.APPROVED, approver)
    return row


def book_order(
    *,
    order: Order | int,
    spent_on: datetime.date,
    payee: str,
    description: str,
    amount: Decimal,
    created_by,
    quantity: int = 1,
    receipt=None,
    booking_key: uuid.UUID | None = None,
) -> BookingResult:
    """Book the invoice of an order: release its reservation and book the real figures in the
    order's category through ``record_expense``, in one transaction; the order is settled."""
    with transaction.atomic():
        locked, row = _locked_order(order)
        if booking_key is not None:
            # A resend of the same booking form: record_expense names what it booked.
            refuse_a_second_send(locked, booking_key)
        if row.state == Order.State.AWAITING_APPROVAL:
            raise WrongState(
                _("Die Bestellung %(reference)s braucht noch die zweite Freigabe.")
                % {"reference": row.reference}
            )
        _refuse_move(row, Order.State.BOOKED)
        _release(row)
        booking = services.record_expense(
            budget=locked,
            category=row.category_id,
            spent_on=spent_on,
            payee=payee,
            description=description,
            amount=amount,
            quantity=quantity if row.category.quantity_cap is not None else 1,
            receipt=receipt,
            created_by=created_by,
            booking_key=booking_key,
        )
        row.state = Order.State.BOOKED
        row.expense = booking.expense
        row.save(update_fields=["state", "expense"])
        _event(
            row,
            OrderEvent.Action.BOOKED,
            created_by,
            _("Beleg Nr. %(number)s") % {"number": booking.expense.receipt_number},
        )
    return booking


def cancel_order(*, order: Order | int, actor, reason: str) -> Order:
    reason = check_text("reason", reason, 500, _("Grund"))
    with transaction.atomic():
        locked, row = _locked_order(order)
        _refuse_move(row, Order.State.CANCELLED)
        refuse_if_closed(locked)
        _release(row)
        row.state = Order.State.CANCELLED
        row.reason = reason
        row.save(update_fields=["state", "reason"])
        _event(row, OrderEvent.Action.CANCELLED, actor, reason)
    return row
