"""/api/v1/communities/{id}/ledger/… and …/transfers/…: my balance and statement, the community's balances,
the settle-up plan, and declaring and confirming a transfer — the pages' figures and the pages' rules."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ledger import selectors
from ledger.models import Transaction, Transfer
from ledger.posting import local_today
from tests.factories import (
    ExpenseFactory,
    SettlementPeriodFactory,
    TransactionFactory,
    TransferFactory,
    member_of,
    owes,
)
from tests.helpers import assert_constant_queries

IBAN = "FR7630006000011234567890189"


def ledger_url(community, what: str) -> str:
    return f"/api/v1/communities/{community.pk}/ledger/{what}/"


def transfer_url(community, transfer, action: str) -> str:
    return f"/api/v1/communities/{community.pk}/transfers/{transfer.pk}/{action}/"


# --- My balance ------------------------------------------------------------------------------


def test_my_balance_is_the_balances_pages_as_a_decimal_string(as_user, community, member, owner):
    owes(community, member, owner, "12.50")

    body = as_user(member).get(ledger_url(community, "me")).json()

    assert body["balance"] == "12.50"
    assert body["member"] == {"id": member.pk, "display_name": "Maya Member"}
    assert body["currency"] == community.currency
    assert body["pending_shared_costs"]["paid"] == "0.00"
    assert as_user(owner).get(ledger_url(community, "me")).json()["balance"] == "-12.50"


# --- Statement -------------------------------------------------------------------------------


@pytest.fixture
def three_lines(community, member, owner):
    """Owed 10.00 two months ago, then 15.00 and (owing) 4.00 this month."""
    today = local_today(community)
    earlier = today.replace(day=1) - timedelta(days=40)
    TransactionFactory(community=community, on=earlier, lines={member: Decimal("10.00"), owner: Decimal("-10.00")})
    TransactionFactory(community=community, on=today, lines={member: Decimal("15.00"), owner: Decimal("-15.00")})
    TransactionFactory(community=community, on=today, lines={member: Decimal("-4.00"), owner: Decimal("4.00")})
    return today


def test_the_statement_has_a_running_balance_per_line_across_pages(as_user, community, member, three_lines):
    client = as_user(member)

    everything = client.get(ledger_url(community, "statement")).json()
    second_page = client.get(ledger_url(community, "statement"), {"page_size": 2, "page": 2}).json()

    assert [(line["amount"], line["balance"]) for line in everything["results"]] == [
        ("10.00", "10.00"),
        ("15.00", "25.00"),
        ("-4.00", "21.00"),
    ]
    assert (everything["month"], everything["opening"], everything["closing"]) == (None, "0.00", "21.00")
    assert everything["member"]["id"] == member.pk
    assert second_page["count"] == 3
    assert [line["balance"] for line in second_page["results"]] == ["21.00"]


def test_a_months_statement_starts_from_the_balance_brought_forward(as_user, community, member, three_lines):
    body = as_user(member).get(ledger_url(community, "statement"), {"month": f"{three_lines:%Y-%m}"}).json()

    assert (body["month"], body["opening"], body["closing"]) == (f"{three_lines:%Y-%m}", "10.00", "21.00")
    assert [line["balance"] for line in body["results"]] == ["25.00", "21.00"]


def test_each_line_says_what_it_is_like_the_page(as_user, community, vehicle, member):
    expense = ExpenseFactory(vehicle=vehicle, paid_by=member, note="Full tank")

    line = as_user(member).get(ledger_url(community, "statement")).json()["results"][0]

    assert line["kind"] == "expense" and line["expense_id"] == expense.pk
    assert line["vehicle"] == {"id": vehicle.pk, "name": "Clio bleue"}
    assert "Full tank" in line["text"] and line["undone"] is False


def test_a_members_statement_is_open_to_members_but_not_an_outsiders(
    as_user, community, member, owner, outsider, three_lines
):
    client = as_user(member)

    owners = client.get(ledger_url(community, "statement"), {"member": owner.pk}).json()

    assert owners["member"]["id"] == owner.pk and owners["closing"] == "-21.00"
    assert client.get(ledger_url(community, "statement"), {"member": outsider.pk}).status_code == 404
    assert client.get(ledger_url(community, "statement"), {"member": "abc"}).status_code == 400


@pytest.mark.parametrize("month", ["2026-13", "March", "2026-03-01", "0999-01"])
def test_a_bad_month_is_refused_with_the_field(as_user, community, member, month):
    response = as_user(member).get(ledger_url(community, "statement"), {"month": month})

    assert response.status_code == 400
    assert "month" in response.json()["fields"]


def test_the_statement_takes_the_same_queries_for_2_and_20_lines(as_user, community, vehicle, member):
    def add(count: int) -> None:
        for _ in range(count):
            ExpenseFactory(vehicle=vehicle, paid_by=member)

    assert_constant_queries(as_user(member), ledger_url(community, "statement"), add)


# --- Balances --------------------------------------------------------------------------------


def test_the_balances_are_the_pages_rows_by_name_and_sum_to_zero(as_user, community, member, owner, admin_user):
    owes(community, member, owner, "30.00")

    body = as_user(owner).get(ledger_url(community, "balances")).json()

    rows = [(row["member"]["display_name"], row["amount"]) for row in body["results"]]
    assert rows == [("Alice Admin", "0.00"), ("Maya Member", "30.00"), ("Oscar Owner", "-30.00")]
    page = [(str(row.user), f"{row.amount:.2f}") for row in selectors.balances_for(owner.memberships.get())]
    assert rows == page
    assert sum(Decimal(row["amount"]) for row in body["results"]) == 0


def test_the_balances_take_the_same_queries_for_2_and_20_members(as_user, community, member):
    def add(count: int) -> None:
        for _ in range(count // 2):
            owes(community, member_of(community), member_of(community), "5.00")

    assert_constant_queries(as_user(member), ledger_url(community, "balances"), add)


# --- Settle up -------------------------------------------------------------------------------


def test_before_any_closed_month_the_plan_is_the_live_one(as_user, community, member, owner):
    owes(community, member, owner, "10.00")

    body = as_user(member).get(ledger_url(community, "settle")).json()

    assert body["period"] is None and body["transfers"] == []
    assert body["live_plan"] == [{"payer": "Oscar Owner", "payee": "Maya Member", "amount": "10.00", "mine": True}]


@pytest.fixture
def transfer(community, owner, member):
    member.iban = IBAN
    member.save()
    return TransferFactory(period__community=community, paid_by=owner, paid_to=member)


def test_the_plan_tells_each_side_what_to_do_and_how_to_pay(as_user, community, owner, member, transfer):
    payer_view = as_user(owner).get(ledger_url(community, "settle")).json()
    payee_view = as_user(member).get(ledger_url(community, "settle")).json()

    assert payer_view["period"] == f"{transfer.period.month:%Y-%m}" and payer_view["live_plan"] == []
    [mine] = payer_view["transfers"]
    assert (mine["payer"]["display_name"], mine["payee"]["display_name"], mine["amount"]) == (
        "Oscar Owner",
        "Maya Member",
        "40.00",
    )
    assert (mine["side"], mine["can_declare"], mine["can_confirm"], mine["to_make"]) == ("pay", True, False, True)
    assert mine["payment"]["iban"].replace(" ", "") == IBAN and mine["status"] == "open"
    [theirs] = payee_view["transfers"]
    assert (theirs["side"], theirs["can_declare"], theirs["can_confirm"], theirs["payment"]) == (
        "receive",
        False,
        True,
        None,
    )


def test_the_plan_takes_the_same_queries_for_2_and_10_transfers(as_user, community, owner):
    period = SettlementPeriodFactory(community=community)

    def add(count: int) -> None:
        for _ in range(count):
            TransferFactory(period=period, paid_by=owner)

    assert_constant_queries(as_user(owner), ledger_url(community, "settle"), add, many=10)


# --- Declaring and confirming ----------------------------------------------------------------


def test_the_payer_declares_then_the_payee_confirms_and_the_settlement_is_posted(
    as_user, community, owner, member, transfer
):
    declared = as_user(owner).post(transfer_url(community, transfer, "declare-paid"))
    again = as_user(owner).post(transfer_url(community, transfer, "declare-paid"))
    confirmed = as_user(member).post(transfer_url(community, transfer, "confirm"))

    assert declared.status_code == again.status_code == 200
    assert declared.json()["status"] == "declared" and declared.json()["declared_by"]["id"] == owner.pk
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["confirmed_on_behalf"] is False
    settlement = Transaction.objects.get(kind=Transaction.Kind.SETTLEMENT, transfer=transfer)
    assert {entry.account.user: entry.amount for entry in settlement.entries.all()} == {
        owner: Decimal("40.00"),
        member: Decimal("-40.00"),
    }


def test_an_admin_confirms_on_the_payees_behalf(as_user, community, admin_user, transfer):
    response = as_user(admin_user).post(transfer_url(community, transfer, "confirm"))

    assert response.status_code == 200
    assert response.json()["confirmed_on_behalf"] is True


def test_only_the_payer_declares_and_never_confirms(as_user, community, owner, member, transfer):
    by_payee = as_user(member).post(transfer_url(community, transfer, "declare-paid"))
    by_payer = as_user(owner).post(transfer_url(community, transfer, "confirm"))

    assert (by_payee.status_code, by_payee.json()["code"]) == (403, "transfer_declare_not_allowed")
    assert (by_payer.status_code, by_payer.json()["code"]) == (403, "transfer_confirm_not_allowed")
    transfer.refresh_from_db()
    assert transfer.declared_paid_at is None and transfer.confirmed_at is None


def test_a_superseded_transfer_is_a_conflict(as_user, community, owner, transfer):
    Transfer.objects.filter(pk=transfer.pk).update(superseded_at=timezone.now())

    response = as_user(owner).post(transfer_url(community, transfer, "declare-paid"))

    assert (response.status_code, response.json()["code"]) == (409, "transfer_superseded")


def test_a_transfer_of_another_community_or_a_huge_id_is_not_found(as_user, community, other_community, transfer):
    outsider_transfer = TransferFactory(period__community=other_community)
    client = as_user(transfer.payer.user)

    assert client.post(transfer_url(community, outsider_transfer, "declare-paid")).status_code == 404
    huge = f"/api/v1/communities/{community.pk}/transfers/99999999999999999999999/confirm/"
    assert client.post(huge).status_code == 404


def _settled(transfer: Transfer) -> tuple:
    transfer.refresh_from_db()
    settlement = transfer.transaction
    entries = sorted((entry.account_id, entry.amount) for entry in settlement.entries.all())
    return (
        transfer.declared_by_id,
        transfer.confirmed_by_id,
        (settlement.kind, settlement.date, settlement.author_id, settlement.description),
        entries,
    )


def test_declaring_and_confirming_through_the_page_and_the_api_give_the_same_rows_and_postings(
    client, as_user, community, owner, member, transfer
):
    twin = TransferFactory(period=transfer.period, payer=transfer.payer, payee=transfer.payee, position=1)

    client.force_login(owner)
    client.post(reverse("ledger_transfer_declare_paid", args=[community.pk, transfer.pk]))
    client.force_login(member)
    client.post(reverse("ledger_transfer_confirm", args=[community.pk, transfer.pk]))
    as_user(owner).post(transfer_url(community, twin, "declare-paid"))
    as_user(member).post(transfer_url(community, twin, "confirm"))

    assert _settled(transfer) == _settled(twin)
    assert _settled(twin)[:2] == (owner.pk, member.pk)
