"""Plain-language explanations of ledger transactions, for statements, exports and the undo page.

Each line of a statement says where it comes from: the trip (vehicle, km, date, driver), the
expense (category, payer), the monthly allocation, the transfer, or what a reversal undoes.
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import prefetch_related_objects
from django.utils import formats
from django.utils.translation import gettext as _

from colocauto.text import french_typography
from communities.models import Membership
from ledger.models import Expense, Transaction
from ledger.rules import may_cancel_expense, may_reverse

# What an explanation reads; prefetched for a whole statement in a fixed number of queries.
EXPLAIN_RELATIONS = (
    "vehicle",
    "trip__driver",
    "expense__paid_by",
    "transfer__payer__user",
    "transfer__payee__user",
    "transfer__confirmed_by",
    "reverses__vehicle",
    "reverses__trip__driver",
    "reverses__expense__paid_by",
    "reverses__transfer__payer__user",
    "reverses__transfer__payee__user",
    "reverses__transfer__confirmed_by",
    "reversed_by",
    "note",
)


def prepare(transactions: Iterable[Transaction]) -> None:
    """Load everything ``explain`` and ``is_reversed`` read, for many transactions at once."""
    prefetch_related_objects(list(transactions), *EXPLAIN_RELATIONS)


def _day(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _month(text: str) -> str:
    """``YYYY-MM`` (the allocations' description) as the month's name in the active language."""
    try:
        year, month = (int(part) for part in text.split("-", 1))
        return formats.date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")
    except (ValueError, TypeError):
        return text


def explain(record: Transaction) -> str:
    """One sentence that tells what the transaction is, in the active language."""
    text = _explain(record)
    expense = record.expense if record.kind in (Transaction.Kind.EXPENSE, Transaction.Kind.SHARED_COSTS) else None
    if expense is not None and expense.is_cancelled and expense.cancel_reason:
        text = _("%(line)s (undone: %(reason)s)") % {"line": text, "reason": expense.cancel_reason}
    return french_typography(text)  # « Virement d’Anne à Bruno », « le 1er octobre »


def _explain(record: Transaction) -> str:
    kind = record.kind
    vehicle = record.vehicle.name if record.vehicle else ""
    if kind == Transaction.Kind.TRIP_CHARGE and (trip := record.trip) is not None:
        return _("Trip with %(vehicle)s: %(km)s km by %(driver)s, %(date)s") % {
            "vehicle": vehicle,
            "km": formats.number_format(trip.distance_km or 0, force_grouping=True),
            "driver": trip.driver.name,
            "date": _day(trip.ended_at.date() if trip.ended_at else record.date),
        }
    if kind == Transaction.Kind.EXPENSE and (expense := record.expense) is not None:
        text = _("%(category)s for %(vehicle)s, paid by %(payer)s (charged to the owner)") % {
            "category": expense.get_category_display(),
            "vehicle": vehicle,
            "payer": expense.paid_by.name,
        }
        return f"{text} — {expense.note}" if expense.note else text
    if kind == Transaction.Kind.SHARED_COSTS and (expense := record.expense) is not None:
        return _("%(category)s for %(vehicle)s paid by %(payer)s on %(date)s, split by km driven in %(month)s") % {
            "category": expense.get_category_display(),
            "vehicle": vehicle,
            "payer": expense.paid_by.name,
            "date": _day(expense.spent_on),
            "month": _month(f"{expense.spent_on:%Y-%m}"),
        }
    if kind == Transaction.Kind.FIXED_COSTS:
        month, _colon, prorated = record.description.partition(":")  # "YYYY-MM" or "YYYY-MM:days/days"
        names = {"vehicle": vehicle, "month": _month(month)}
        days, _slash, month_days = prorated.partition("/")
        if days.isdigit() and month_days.isdigit():
            return _(
                "Fixed monthly costs of %(vehicle)s for %(month)s, prorated to %(days)s of %(month_days)s days, "
                "split by days of membership"
            ) % {**names, "days": days, "month_days": month_days}
        return _("Fixed monthly costs of %(vehicle)s for %(month)s, split by days of membership") % names
    if kind == Transaction.Kind.SETTLEMENT and (transfer := record.transfer) is not None:
        values = {"payer": str(transfer.payer), "payee": str(transfer.payee)}
        confirmer = transfer.confirmed_by
        if confirmer is not None and confirmer.pk != transfer.payee.user_id:
            values["name"] = confirmer.name
            return _("Transfer from %(payer)s to %(payee)s, confirmed by %(name)s") % values
        return _("Transfer from %(payer)s to %(payee)s") % values
    if kind == Transaction.Kind.REVERSAL and (original := record.reverses) is not None:
        values = {"original": _explain(original), "date": _day(original.date)}
        if reason := record.note_text:  # empty once its author's account was erased
            return _("Undoes “%(original)s” of %(date)s — reason: %(reason)s") % {**values, "reason": reason}
        return _("Undoes “%(original)s” of %(date)s") % values
    label = record.get_kind_display()
    text = record.note_text or record.description
    return f"{label}: {text}" if text else label


def is_reversed(record: Transaction) -> bool:
    try:
        return record.reversed_by is not None
    except Transaction.DoesNotExist:
        return False


def can_reverse(membership: Membership, record: Transaction) -> bool:
    """Whether the viewer may undo it (``ledger.rules.may_reverse``); never a reversal or an undone one."""
    if record.kind == Transaction.Kind.REVERSAL or is_reversed(record):
        return False
    return may_reverse(membership, record)


def can_cancel_expense(membership: Membership, expense: Expense) -> bool:
    """The rule of ``expense_cancel``: its author, its payer or an admin, while it is not undone."""
    if expense.is_cancelled:
        return False
    return may_cancel_expense(membership, expense)
