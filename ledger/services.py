"""Every write to the ledger. Views, tasks and commands call these; none of them posts directly.

Signs: an entry is what the others owe the account's holder. Whoever pays (a driver for a trip, a
member for their share of costs) gets a negative entry; whoever is owed gets a positive one.

Month end (allocations, the settlement period and its plan) is ``ledger.closing``; the transfers of a
plan are ``ledger.transfers``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError
from django.db.transaction import atomic
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Trip
from colocauto.core.amounts import exact_decimal
from colocauto.core.clock import local_date, midnight
from colocauto.core.errors import Conflict, DomainError, NotAllowed
from communities.models import Membership, User
from communities.rules import require_active
from ledger.models import MAX_EXPENSE, MAX_LITRES, MAX_ODOMETER, Expense, Transaction
from ledger.money import to_money
from ledger.posting import account_for, community_tz, creditor_account, local_today, post
from ledger.receipts import normalised_receipt
from ledger.rules import (
    InvalidExpense,
    check_expense_date,
    may_reverse,
    require_may_attach_receipt,
    require_may_cancel_expense,
)
from vehicles.models import Vehicle
from vehicles.selectors import cost_model_on

# --- Trips ---------------------------------------------------------------------------------


def trip_price(*, vehicle: Vehicle, km: int, starts_at: datetime, ends_at: datetime) -> Decimal:
    """``km × rate_per_km`` plus the hours, charged day by day.

    Day rule: the interval is cut at midnight in the community's time zone; each calendar day's
    real elapsed hours × rate_per_hour is rounded to the cent and capped at ``daily_cap`` when one is
    set (the cap applies to the hours only, never to the kilometres). A 23- or 25-hour day (daylight
    saving) counts its real hours.
    """
    total = to_money(Decimal(km) * vehicle.rate_per_km)
    if vehicle.rate_per_hour <= 0 or ends_at <= starts_at:
        return total
    tz = community_tz(vehicle.community)
    day = local_date(starts_at, tz)
    while midnight(day, tz) < ends_at:
        day_start = max(starts_at, midnight(day, tz))
        day_end = min(ends_at, midnight(day + timedelta(days=1), tz))
        # In UTC: Python subtracts two datetimes of the same zone by their wall clocks (23 h would count 24).
        seconds = Decimal(int((day_end.astimezone(UTC) - day_start.astimezone(UTC)).total_seconds()))
        charge = to_money(seconds * vehicle.rate_per_hour / Decimal(3600))
        # The cap is per local calendar day, whatever its length: what a person means by "a day's hire".
        if vehicle.daily_cap is not None:
            charge = min(charge, vehicle.daily_cap)
        total += charge
        day += timedelta(days=1)
    return to_money(total)


def charged_per_trip(*, vehicle: Vehicle, driver_id: int, on: date) -> bool:
    """Whether a trip of ``driver_id`` ending ``on`` is charged on its own: not for the owner driving their
    own car, nor in a shared-costs month (its costs are split at month end)."""
    return vehicle.owner_id != driver_id and cost_model_on(vehicle, on) == Vehicle.CostModel.RATES


def trip_charge(*, trip: Trip) -> Transaction | None:
    """Charge a completed trip on a rates-model vehicle: the driver pays, the owner (or pool) is credited.

    The hours are the booking's, extended to the actual return when later. The model is the one in
    force in the month the trip ended (``cost_model_on``), the month whose shared costs it would join.
    Nothing is posted for the owner driving their own car, for a shared-costs month (its costs are
    split at month end) or for a free ride. Idempotent: a trip is charged once, whoever calls.
    """
    trip = Trip.objects.select_related("booking", "vehicle__community").get(pk=trip.pk)
    if trip.ended_at is None or trip.distance_km is None:
        raise DomainError(_("This trip is not finished yet: record the end odometer first."), code="trip_not_finished")
    vehicle = trip.vehicle
    community = vehicle.community
    ended_on = local_date(trip.ended_at, community_tz(community))
    if not charged_per_trip(vehicle=vehicle, driver_id=trip.driver_id, on=ended_on):
        return None
    starts_at = trip.booking.starts_at
    ends_at = max(trip.booking.ends_at, trip.ended_at)
    amount = trip_price(vehicle=vehicle, km=trip.distance_km, starts_at=starts_at, ends_at=ends_at)
    if amount <= 0:
        return None
    with atomic():
        driver = account_for(community, trip.driver_id)
        record, _created = post(
            community=community,
            kind=Transaction.Kind.TRIP_CHARGE,
            on=ended_on,
            lines=[(driver, -amount), (creditor_account(vehicle), amount)],
            description=f"{trip.distance_km} km",
            key=f"trip:{trip.pk}",
            trip=trip,
            vehicle=vehicle,
        )
    return record


# --- Expenses ------------------------------------------------------------------------------


def _clean_amount(amount: Decimal | int | str) -> Decimal:
    amount = exact_decimal(amount)
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidExpense(_("Amounts have at most two decimals, e.g. 42.50."), code="amount_too_precise")
    if amount <= 0:
        raise InvalidExpense(_("The amount must be more than zero."), code="amount_not_positive")
    if amount > MAX_EXPENSE:
        raise InvalidExpense(
            _("That amount is too large for one expense (at most %(max)s).") % {"max": MAX_EXPENSE},
            code="amount_too_large",
            params={"max": str(MAX_EXPENSE)},
        )
    return amount


def _payer(membership: Membership, paid_by: User | None) -> User:
    """Whoever paid: the member, or for an admin any active member of the community."""
    payer = paid_by or membership.user
    if payer.pk != membership.user_id:
        if not membership.is_admin:
            raise NotAllowed(
                _("Only an admin can record an expense paid by someone else."), code="expense_payer_admin_only"
            )
        active = Membership.objects.filter(
            community_id=membership.community_id, user=payer, status=Membership.Status.ACTIVE
        )
        if not active.exists():
            raise InvalidExpense(_("The person who paid must be a member of this community."), code="payer_not_member")
    return payer


def _clean_fuel(category: str, litres: Decimal | None, odometer: int | None) -> Decimal | None:
    if litres is not None:
        if category != Expense.Category.FUEL:
            raise InvalidExpense(_("Litres are recorded only for fuel."), code="litres_fuel_only")
        litres = exact_decimal(litres)
        if not Decimal(0) < litres <= MAX_LITRES:
            raise InvalidExpense(
                _("Enter a quantity between 0 and %(max)s.") % {"max": MAX_LITRES}, code="litres_out_of_range"
            )
    if odometer is not None and not 0 <= odometer <= MAX_ODOMETER:
        raise InvalidExpense(_("Enter the odometer in km, e.g. 48250."), code="odometer_out_of_range")
    return litres


def expense_record(
    *,
    membership: Membership,
    vehicle: Vehicle,
    category: str,
    amount: Decimal,
    spent_on: date,
    paid_by: User | None = None,
    note: str = "",
    receipt: File[bytes] | None = None,
    litres: Decimal | None = None,
    odometer: int | None = None,
    receipt_to_follow: bool = False,
) -> Expense:
    """Record an expense for a vehicle of the member's community.

    Without its receipt, ``receipt_to_follow`` says the payer will add it later (``expense_attach_receipt``):
    the expense is listed as missing its receipt and the payer reminded (``ledger.receipt_reminders``).

    A member records what they paid; an admin may record an expense paid by another member. The cost model
    is the one in force on the day it was spent (``cost_model_on``). Rates model: the payer is credited and
    the owner (or pool) charged at once — nothing is posted when the owner paid, yet the expense is kept for
    the vehicle's costs. Shared-costs model: the expense waits for the month's allocation
    (``ledger.closing.shared_costs_allocate``).
    """
    require_active(membership)
    community = membership.community
    if vehicle.community_id != community.pk:
        raise InvalidExpense(
            _("This vehicle is not one of this community's vehicles."), code="vehicle_not_in_community"
        )
    payer = _payer(membership, paid_by)
    if category not in Expense.Category.values:
        raise InvalidExpense(_("Choose a category."), code="expense_category_invalid")
    amount = _clean_amount(amount)
    check_expense_date(spent_on, today=local_today(community))
    litres = _clean_fuel(category, litres, odometer)
    receipt = _checked_receipt(receipt)
    cost_model = cost_model_on(vehicle, spent_on)
    with atomic():
        expense = Expense.objects.create(
            community=community,
            vehicle=vehicle,
            category=category,
            amount=amount,
            spent_on=spent_on,
            paid_by=payer,
            note=note[:200],
            receipt=receipt or "",
            receipt_to_follow=receipt_to_follow and not receipt,
            litres=litres,
            odometer=odometer,
            cost_model=cost_model,
            created_by=membership.user,
        )
        if cost_model == Vehicle.CostModel.RATES and payer.pk != vehicle.owner_id:
            post(
                community=community,
                kind=Transaction.Kind.EXPENSE,
                on=spent_on,
                lines=[(account_for(community, payer.pk), amount), (creditor_account(vehicle), -amount)],
                author=membership.user,
                key=f"expense:{expense.pk}",
                expense=expense,
                vehicle=vehicle,
            )
    return expense


def _checked_receipt(receipt: File[bytes] | None) -> File[bytes] | None:
    if not receipt:
        return None
    try:
        return normalised_receipt(receipt)
    except ValidationError as error:
        raise InvalidExpense(error.messages[0], code=error.code or "invalid_receipt") from None


def expense_attach_receipt(*, membership: Membership, expense: Expense, receipt: File[bytes]) -> Expense:
    """Add the receipt of an expense saved without one (its author, its payer or an admin)."""
    require_active(membership)
    if expense.community_id != membership.community_id:
        raise NotAllowed(_("This expense is not in this community."), code="expense_not_in_community")
    checked = _checked_receipt(receipt)
    if checked is None:
        raise InvalidExpense(_("Choose the receipt's file."), code="receipt_missing", field="receipt")
    with atomic():
        expense = Expense.objects.select_for_update().get(pk=expense.pk)
        require_may_attach_receipt(membership, expense)
        expense.receipt = checked
        expense.receipt_to_follow = False
        expense.save(update_fields=["receipt", "receipt_to_follow"])
    return expense


def expense_cancel(*, membership: Membership, expense: Expense, reason: str) -> Expense:
    """Undo an expense (its author, its payer or an admin): reverses its posting if it has one."""
    require_active(membership)
    if expense.community_id != membership.community_id:
        raise NotAllowed(_("This expense is not in this community."), code="expense_not_in_community")
    require_may_cancel_expense(membership, expense)
    with atomic():
        expense = Expense.objects.select_for_update().get(pk=expense.pk)
        if expense.is_cancelled:
            raise AlreadyUndone(_("This expense was already undone."))
        posting = expense.transactions.exclude(kind=Transaction.Kind.REVERSAL).first()
        if posting is not None:
            transaction_reverse(membership=membership, transaction=posting, reason=reason)
            expense.refresh_from_db()
        else:
            reason = _reason(reason)
            expense.cancelled_at = timezone.now()
            expense.cancelled_by = membership.user
            expense.cancel_reason = reason[:200]
            expense.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    return expense


# --- Corrections ---------------------------------------------------------------------------


class AlreadyUndone(Conflict):
    """The expense or transaction was undone already (by someone else, a moment ago)."""

    default_code = "already_undone"


def _reason(reason: str | None) -> str:
    """Why a line is undone: required, so the history explains it."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why you undo this, so the history explains it."), code="reason_required")
    return reason


def transaction_reverse(*, membership: Membership, transaction: Transaction, reason: str) -> Transaction:
    """Post the exact opposite of a transaction, linked to it; history keeps both.

    Allowed to an admin, or to the member who recorded it; an expense's posting also to whoever
    may cancel the expense (its payer) — ``ledger.rules``. A transaction is reversed at most once
    and a reversal is never reversed (record the event again instead). Reversing an expense's
    posting marks the expense undone, so it is not allocated again.
    """
    require_active(membership)
    original = transaction
    if original.community_id != membership.community_id:
        raise NotAllowed(_("This transaction is not in this community."), code="transaction_not_in_community")
    if not may_reverse(membership, original):
        raise NotAllowed(_("Only an admin or the person who recorded it can undo this."), code="undo_not_allowed")
    if original.kind == Transaction.Kind.REVERSAL:
        raise DomainError(
            _("A reversal cannot be undone; record the event again instead."), code="reversal_not_reversible"
        )
    reason = _reason(reason)
    entries = list(original.entries.select_related("account"))
    try:
        with atomic():
            record, _created = post(
                community=membership.community,
                kind=Transaction.Kind.REVERSAL,
                on=local_today(membership.community),
                lines=[(entry.account, -entry.amount) for entry in entries],
                author=membership.user,
                note=reason,
                reverses=original,
                trip_id=original.trip_id,
                expense_id=original.expense_id,
                vehicle_id=original.vehicle_id,
                transfer_id=original.transfer_id,
            )
            if original.expense_id:
                Expense.objects.filter(pk=original.expense_id, cancelled_at__isnull=True).update(
                    cancelled_at=timezone.now(), cancelled_by=membership.user, cancel_reason=reason[:200]
                )
    except IntegrityError:
        raise AlreadyUndone(_("This was already undone.")) from None
    return record
