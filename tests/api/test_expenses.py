"""/api/v1/communities/{id}/expenses/: recording (multipart with a receipt), listing, undoing and downloading
receipts, through the expense page's own form, services and rules — and with the page's outcome."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ledger import services
from ledger.models import Expense, Transaction
from ledger.posting import local_today
from tests.factories import ExpenseFactory, VehicleFactory
from tests.files import pdf_bytes
from tests.helpers import assert_constant_queries, image_bytes
from tests.ledger.test_views_costs import expense_data


def expenses_url(community, *rest) -> str:
    return f"/api/v1/communities/{community.pk}/expenses/" + "".join(f"{part}/" for part in rest)


def entries_of(expense) -> dict:
    return {
        entry.account.user: entry.amount
        for record in expense.transactions.all()
        for entry in record.entries.select_related("account__user")
    }


# --- Recording -------------------------------------------------------------------------------


def test_a_member_records_a_fuel_expense_with_a_receipt_and_is_credited(as_user, community, vehicle, member, owner):
    receipt = SimpleUploadedFile("ticket.png", image_bytes("PNG"), content_type="image/png")

    response = as_user(member).post(
        expenses_url(community), {**expense_data(vehicle), "receipt": receipt}, format="multipart"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    expense = Expense.objects.get()
    assert body["id"] == expense.pk
    assert (body["amount"], body["litres"], body["odometer"]) == ("42.50", "30.50", 48250)
    assert body["paid_by"] == {"id": member.pk, "display_name": "Maya Member"}
    assert body["can_undo"] is True and body["cancelled_at"] is None
    assert body["receipt"].endswith(f"/api/v1/communities/{community.pk}/expenses/{expense.pk}/receipt/")
    assert "/media/" not in response.content.decode()
    assert expense.receipt.name.endswith(".png")
    assert entries_of(expense) == {member: Decimal("42.50"), owner: Decimal("-42.50")}


def test_an_expense_without_a_receipt_can_be_sent_as_json(as_user, community, vehicle, member):
    response = as_user(member).post(expenses_url(community), expense_data(vehicle, category="cleaning"), format="json")

    assert response.status_code == 201
    assert response.json()["receipt"] is None
    # As on the page: litres and odometer count for fuel only.
    assert (response.json()["litres"], response.json()["odometer"]) == (None, None)


# Values the page's form refuses, by field.
BAD_INPUT = {
    "amount": ["42.505", "0", "50000.01", "4O.00", "NaN"],
    "spent_on": ["2999-01-01", "2001-01-01"],
    "category": ["caviar"],
    "litres": ["501"],
    "vehicle": ["99999999999999999999999"],
}


@pytest.mark.parametrize(
    ("field", "value"), [(field, value) for field, values in BAD_INPUT.items() for value in values]
)
def test_bad_expense_input_is_refused_with_the_field_and_nothing_is_recorded(
    as_user, community, vehicle, member, field, value
):
    data = expense_data(vehicle, **{field: value})
    response = as_user(member).post(expenses_url(community), data, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not Expense.objects.exists()


def test_the_date_refusal_is_the_pages_message(as_user, community, vehicle, member):
    member.language = "en"
    member.save()
    tomorrow = local_today(community) + timedelta(days=1)

    response = as_user(member).post(expenses_url(community), expense_data(vehicle, spent_on=f"{tomorrow:%Y-%m-%d}"))

    assert "future" in response.json()["fields"]["spent_on"][0]


def test_a_receipt_that_is_not_a_picture_or_pdf_is_refused(as_user, community, vehicle, member):
    fake = SimpleUploadedFile("ticket.png", b"<html><script>alert(1)</script></html>", content_type="image/png")

    response = as_user(member).post(expenses_url(community), {**expense_data(vehicle), "receipt": fake})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["receipt"]
    assert not Expense.objects.exists()


def test_a_receipt_sent_as_text_is_refused(as_user, community, vehicle, member):
    response = as_user(member).post(
        expenses_url(community), {**expense_data(vehicle), "receipt": "%PDF-1.4 not a file"}, format="json"
    )

    assert response.status_code == 400
    assert "receipt" in response.json()["fields"]


def test_an_expense_on_another_communitys_vehicle_is_refused(as_user, community, member, other_community):
    foreign = VehicleFactory(community=other_community)

    response = as_user(member).post(expenses_url(community), expense_data(foreign))

    assert response.status_code == 400
    assert "vehicle" in response.json()["fields"]


def test_a_member_cannot_record_an_expense_someone_else_paid(as_user, community, vehicle, member, owner, outsider):
    client = as_user(member)

    for_owner = client.post(expenses_url(community), expense_data(vehicle, paid_by=owner.pk))
    for_outsider = client.post(expenses_url(community), expense_data(vehicle, paid_by=outsider.pk))
    for_me = client.post(expenses_url(community), expense_data(vehicle, paid_by=member.pk))

    assert for_owner.status_code == 403
    assert for_owner.json()["code"] == "expense_payer_admin_only"
    assert for_outsider.status_code == 400
    assert "paid_by" in for_outsider.json()["fields"]
    assert for_me.status_code == 201
    assert list(Expense.objects.values_list("paid_by", flat=True)) == [member.pk]


def test_an_admin_records_an_expense_someone_else_paid_or_by_default_their_own(
    as_user, community, vehicle, admin_user, member, outsider
):
    client = as_user(admin_user)

    for_member = client.post(expenses_url(community), expense_data(vehicle, paid_by=member.pk))
    own = client.post(expenses_url(community), expense_data(vehicle))
    for_outsider = client.post(expenses_url(community), expense_data(vehicle, paid_by=outsider.pk))

    assert for_member.status_code == 201 and for_member.json()["paid_by"]["id"] == member.pk
    assert for_member.json()["recorded_by"]["id"] == admin_user.pk
    assert own.status_code == 201 and own.json()["paid_by"]["id"] == admin_user.pk
    assert for_outsider.status_code == 400 and "paid_by" in for_outsider.json()["fields"]


def test_a_request_body_that_is_not_an_object_is_refused(as_user, community, member):
    response = as_user(member).post(expenses_url(community), ["fuel"], format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


# --- Listing ---------------------------------------------------------------------------------


def test_the_list_is_newest_first_with_ties_by_id_and_paginated(as_user, community, vehicle, member):
    today = local_today(community)
    older = ExpenseFactory(vehicle=vehicle, paid_by=member, spent_on=today - timedelta(days=3))
    first, second = (ExpenseFactory(vehicle=vehicle, paid_by=member, spent_on=today) for _ in range(2))
    client = as_user(member)

    page_one = client.get(expenses_url(community), {"page_size": 2}).json()
    page_two = client.get(expenses_url(community), {"page_size": 2, "page": 2}).json()

    assert page_one["count"] == 3
    assert [item["id"] for item in page_one["results"]] == [second.pk, first.pk]
    assert [item["id"] for item in page_two["results"]] == [older.pk]


def test_the_list_filters_by_vehicle_and_month(as_user, community, vehicle, member, owner):
    other_car = VehicleFactory(community=community, owner=owner)
    today = local_today(community)
    this_month = ExpenseFactory(vehicle=vehicle, paid_by=member, spent_on=today.replace(day=1))
    ExpenseFactory(vehicle=other_car, paid_by=member, spent_on=today.replace(day=1))
    last_year = ExpenseFactory(vehicle=vehicle, paid_by=member, spent_on=today.replace(day=1) - timedelta(days=300))
    client = as_user(member)

    by_vehicle = client.get(expenses_url(community), {"vehicle": vehicle.pk}).json()
    by_month = client.get(expenses_url(community), {"vehicle": vehicle.pk, "month": f"{today:%Y-%m}"}).json()

    assert [item["id"] for item in by_vehicle["results"]] == [this_month.pk, last_year.pk]
    assert [item["id"] for item in by_month["results"]] == [this_month.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"month": "2026-13"}, "month"), ({"month": "March"}, "month"), ({"vehicle": "abc"}, "vehicle")],
)
def test_a_bad_filter_is_refused_with_the_field(as_user, community, member, query, field):
    response = as_user(member).get(expenses_url(community), query)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_vehicle_of_another_community_is_no_filter(as_user, community, member, other_community):
    foreign = VehicleFactory(community=other_community)

    response = as_user(member).get(expenses_url(community), {"vehicle": foreign.pk})

    assert response.status_code == 400
    assert "vehicle" in response.json()["fields"]


def test_the_list_takes_the_same_queries_for_2_and_20_expenses(as_user, community, vehicle, member, admin_user):
    client = as_user(member)
    membership = member.memberships.get(community=community)

    def add(count: int) -> None:
        """``count`` expenses paid by two people, one of them undone (its undoer is shown too)."""
        for index in range(count):
            expense = ExpenseFactory(vehicle=vehicle, paid_by=member if index % 2 else admin_user)
        services.expense_cancel(membership=membership, expense=expense, reason="Twice")

    assert_constant_queries(client, expenses_url(community), add)


# --- Reading and undoing ---------------------------------------------------------------------


@pytest.fixture
def pdf_expense(community, vehicle, member):
    return ExpenseFactory(
        vehicle=vehicle,
        paid_by=member,
        category="repair",
        amount=Decimal("120.00"),
        receipt=SimpleUploadedFile("bill.pdf", pdf_bytes(), content_type="application/pdf"),
    )


def test_an_expense_is_read_by_id_and_huge_or_foreign_ids_are_not_found(
    as_user, community, other_community, pdf_expense, member
):
    client = as_user(member)

    assert client.get(expenses_url(community, pdf_expense.pk)).json()["amount"] == "120.00"
    assert client.get(expenses_url(community, 99999999999999999999999)).status_code == 404
    assert client.get(expenses_url(community, pdf_expense.pk + 1000)).status_code == 404
    assert client.get(expenses_url(other_community, pdf_expense.pk)).status_code == 404


def test_the_payer_undoes_an_expense_and_its_posting_is_reversed(as_user, community, pdf_expense, member):
    response = as_user(member).post(expenses_url(community, pdf_expense.pk, "undo"), {"reason": "Paid twice"})

    assert response.status_code == 200
    body = response.json()
    assert body["cancel_reason"] == "Paid twice" and body["cancelled_by"]["id"] == member.pk
    assert body["can_undo"] is False
    reversal = Transaction.objects.get(kind=Transaction.Kind.REVERSAL)
    assert reversal.reverses.expense == pdf_expense and reversal.note_text == "Paid twice"
    assert sum(entry.amount for entry in reversal.entries.all()) == 0


def test_undoing_twice_is_a_conflict(as_user, community, pdf_expense, member):
    client = as_user(member)
    client.post(expenses_url(community, pdf_expense.pk, "undo"), {"reason": "Paid twice"})

    again = client.post(expenses_url(community, pdf_expense.pk, "undo"), {"reason": "Paid twice"})

    assert again.status_code == 409
    assert again.json()["code"] == "already_undone"
    assert Transaction.objects.filter(kind=Transaction.Kind.REVERSAL).count() == 1


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 201}])
def test_undoing_needs_a_reason_of_at_most_200_characters(as_user, community, pdf_expense, admin_user, body):
    response = as_user(admin_user).post(expenses_url(community, pdf_expense.pk, "undo"), body, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    pdf_expense.refresh_from_db()
    assert not pdf_expense.is_cancelled


def test_another_member_cannot_undo_an_expense_whatever_the_reason(as_user, community, pdf_expense, owner):
    response = as_user(owner).post(expenses_url(community, pdf_expense.pk, "undo"), {})

    assert response.status_code == 403
    assert response.json()["code"] == "expense_undo_not_allowed"


def test_a_receipt_is_served_as_what_it_holds_and_never_stored(as_user, community, pdf_expense, owner):
    response = as_user(owner).get(expenses_url(community, pdf_expense.pk, "receipt"), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_expense_without_a_receipt_has_none_to_download(as_user, community, vehicle, member):
    expense = ExpenseFactory(vehicle=vehicle, paid_by=member)

    response = as_user(member).get(expenses_url(community, expense.pk, "receipt"), HTTP_ACCEPT="image/png")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Parity with the page --------------------------------------------------------------------


def _rows(expense: Expense) -> tuple:
    fields = ("vehicle_id", "category", "amount", "spent_on", "paid_by_id", "note", "litres", "odometer", "cost_model")
    postings = sorted(
        (record.kind, record.date, record.description, record.author_id, entry.account_id, entry.amount)
        for record in expense.transactions.all()
        for entry in record.entries.all()
    )
    return tuple(getattr(expense, name) for name in fields), expense.receipt.name.rsplit(".", 1)[-1], postings


def test_the_same_expense_through_the_page_and_the_api_gives_the_same_rows_and_postings(
    client, as_user, community, vehicle, member
):
    data = expense_data(vehicle)
    client.force_login(member)
    png = image_bytes("PNG")

    page = client.post(
        reverse("ledger_expense_create", args=[community.pk]),
        {**data, "receipt": SimpleUploadedFile("a.png", png, content_type="image/png")},
    )
    api = as_user(member).post(
        expenses_url(community), {**data, "receipt": SimpleUploadedFile("a.png", png, content_type="image/png")}
    )

    assert (page.status_code, api.status_code) == (302, 201)
    by_page, by_api = Expense.objects.order_by("pk")
    assert _rows(by_page) == _rows(by_api)
    assert len(_rows(by_api)[2]) == 2  # posted at once (a rates vehicle): the member credited, the owner charged

    client.post(reverse("ledger_expense_cancel", args=[community.pk, by_page.pk]), {"reason": "Twice"})
    as_user(member).post(expenses_url(community, by_api.pk, "undo"), {"reason": "Twice"})

    by_page.refresh_from_db()
    by_api.refresh_from_db()
    assert _rows(by_page) == _rows(by_api)
    assert (by_page.cancel_reason, by_page.cancelled_by) == (by_api.cancel_reason, by_api.cancelled_by)


def test_a_body_no_parser_can_read_is_a_400_not_a_logged_error(as_user, community, member, caplog):
    client = as_user(member)

    response = client.post(expenses_url(community), data=b"amount=1", content_type="multipart/form-data")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed"
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
