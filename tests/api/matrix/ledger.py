"""Expenses, the ledger and the transfers of a settle-up plan: ``member`` paid and recorded ``world.expense``;
``world.transfer`` is owed by ``owner`` to ``member`` (so the owner declares it, the member or an admin confirms)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.posting import local_today
from tests.api.matrix import MEMBERS_CREATE, MEMBERS_READ, Row, community_kwargs, statuses
from tests.factories import ExpenseFactory
from tests.files import pdf_bytes


def _expense(world, **extra) -> dict:
    return community_kwargs(world, expense_id=world.expense.pk, **extra)


def _receipt_expense(world) -> dict:
    """An expense of the member's with a PDF receipt."""
    expense = ExpenseFactory(
        vehicle=world.vehicle,
        paid_by=world.member_membership.user,
        receipt=SimpleUploadedFile("bill.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    return community_kwargs(world, expense_id=expense.pk)


def _new_expense(world) -> dict:
    return {
        "vehicle": world.vehicle.pk,
        "category": "parking_toll",
        "amount": "12.30",
        "spent_on": f"{local_today(world.community):%Y-%m-%d}",
    }


def _transfer(world) -> dict:
    return community_kwargs(world, transfer_id=world.transfer.pk)


ROWS = [
    Row("expense_list", "get", MEMBERS_READ, kwargs=community_kwargs),
    Row("expense_list", "post", MEMBERS_CREATE, kwargs=community_kwargs, body=_new_expense, multipart=True),
    Row("expense_detail", "get", MEMBERS_READ, kwargs=_expense),
    # Undone by its author or payer (the member) or an admin; not by another member.
    Row(
        "expense_undo",
        "post",
        statuses(member=200, owner=403, admin=200, read_token=403),
        kwargs=_expense,
        body=lambda world: {"reason": "Paid twice"},
    ),
    Row("expense_receipt", "get", MEMBERS_READ, kwargs=_receipt_expense),
    Row("ledger_me", "get", MEMBERS_READ, kwargs=community_kwargs),
    Row("ledger_statement", "get", MEMBERS_READ, kwargs=community_kwargs),
    Row("ledger_balances", "get", MEMBERS_READ, kwargs=community_kwargs),
    Row("ledger_settle", "get", MEMBERS_READ, kwargs=community_kwargs),
    Row("transfer_declare_paid", "post", statuses(member=403, owner=200, admin=403, read_token=403), kwargs=_transfer),
    Row("transfer_confirm", "post", statuses(member=200, owner=403, admin=200, read_token=403), kwargs=_transfer),
]
