"""Expense pages (add, list, undo, receipts) and the per-vehicle report."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from communities.models import User
from ledger import services
from ledger.models import Expense, Transaction
from ledger.posting import local_today
from tests.factories import VehicleFactory
from tests.files import one_colour_png, pdf_bytes
from tests.helpers import english, image_bytes, queries_to_get, url
from tests.ledger.conftest import add_member, make_trip

PDF = pdf_bytes()


def expense_data(car, **overrides):
    data = {
        "vehicle": car.pk,
        "category": "fuel",
        "amount": "42.50",
        "spent_on": f"{local_today(car.community):%Y-%m-%d}",
        "note": "Full tank",
        "litres": "30.5",
        "odometer": "48250",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Adding an expense -----------------------------------------------------------------------


def test_a_member_records_a_fuel_expense_with_a_receipt_and_is_credited(client, community, vehicle, member, owner):
    client.force_login(member)
    receipt = SimpleUploadedFile("ticket.png", image_bytes("PNG"), content_type="image/png")

    response = client.post(url("ledger_expense_create", community), {**expense_data(vehicle), "receipt": receipt})

    assert response.status_code == 302
    expense = Expense.objects.get()
    assert (expense.amount, expense.paid_by, expense.litres, expense.odometer) == (
        Decimal("42.50"),
        member,
        Decimal("30.50"),
        48250,
    )
    assert expense.receipt.name.endswith(".png")
    entries = {entry.account.user: entry.amount for entry in expense.transactions.get().entries.all()}
    assert entries == {member: Decimal("42.50"), owner: Decimal("-42.50")}


def test_a_member_cannot_record_an_expense_paid_by_someone_else(client, community, vehicle, member, owner):
    client.force_login(member)

    page = client.get(url("ledger_expense_create", community)).content.decode()
    client.post(url("ledger_expense_create", community), {**expense_data(vehicle), "paid_by": owner.pk})

    assert 'name="paid_by"' not in page
    assert Expense.objects.get().paid_by == member


def test_an_admin_records_an_expense_someone_else_paid(client, community, vehicle, admin_user, member):
    client.force_login(admin_user)

    response = client.post(url("ledger_expense_create", community), {**expense_data(vehicle), "paid_by": member.pk})

    assert response.status_code == 302
    expense = Expense.objects.get()
    assert (expense.paid_by, expense.created_by) == (member, admin_user)


def test_litres_and_odometer_are_ignored_for_other_categories(client, community, vehicle, member):
    client.force_login(member)

    client.post(url("ledger_expense_create", community), expense_data(vehicle, category="cleaning"))

    expense = Expense.objects.get()
    assert (expense.category, expense.litres, expense.odometer) == ("cleaning", None, None)


@pytest.mark.parametrize(
    ("overrides", "message", "kept"),
    [
        ({"amount": "abc"}, "Enter an amount, e.g. 42.50.", 'value="abc"'),
        ({"amount": "-5"}, "Ensure this value is greater than or equal to 0.01.", 'value="-5"'),
        ({"amount": "12.345"}, "Ensure that there are no more than 2 decimal places.", 'value="12.345"'),
        ({"amount": "999999"}, "Ensure this value is less than or equal to", 'value="999999"'),
        ({"litres": "900"}, "Ensure this value is less than or equal to", 'value="900"'),
        ({"spent_on": "2999-01-01"}, "The date cannot be in the future.", 'value="2999-01-01"'),
        ({"vehicle": ""}, "This field is required.", 'value="Full tank"'),
    ],
)
def test_bad_expense_input_is_refused_and_kept(client, community, vehicle, member, overrides, message, kept):
    english(member)
    client.force_login(member)

    response = client.post(url("ledger_expense_create", community), expense_data(vehicle, **overrides))

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert kept in page
    assert not Expense.objects.exists()
    assert not Transaction.objects.exists()


def test_a_receipt_that_is_not_a_picture_or_pdf_is_refused(client, community, vehicle, member):
    english(member)
    client.force_login(member)
    fake = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")

    response = client.post(url("ledger_expense_create", community), {**expense_data(vehicle), "receipt": fake})

    assert response.status_code == 400
    assert "A receipt must be a photo (JPEG, PNG or WebP) or a PDF document." in response.content.decode()
    assert 'value="42.50"' in response.content.decode()
    assert not Expense.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.png", lambda: one_colour_png(12000, 12000), "Cette image est trop grande (144 mégapixels)"),
        ("bill.pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "Ce PDF est illisible."),
        ("bill.pdf", lambda: pdf_bytes(pages=21), "Un justificatif peut avoir au plus 20 pages"),
    ],
    ids=["144-megapixels", "fake-pdf", "21-pages"],
)
def test_a_receipt_we_cannot_store_gets_a_translated_form_error(
    client, community, vehicle, member, settings, name, content, message
):
    settings.RECEIPT_PDF_MAX_PAGES = 20
    User.objects.filter(pk=member.pk).update(language="fr")
    client.force_login(member)
    receipt = SimpleUploadedFile(name, content())

    response = client.post(url("ledger_expense_create", community), {**expense_data(vehicle), "receipt": receipt})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Expense.objects.exists()


def test_an_expense_on_another_communitys_vehicle_is_refused(client, community, vehicle, member, other_community):
    foreign = VehicleFactory(community=other_community)
    client.force_login(member)

    response = client.post(url("ledger_expense_create", community), expense_data(foreign))

    assert response.status_code == 400
    assert not Expense.objects.exists()


# --- Receipts --------------------------------------------------------------------------------


@pytest.fixture
def pdf_expense(community, vehicle, member):
    membership = member.memberships.get(community=community)
    return services.expense_record(
        membership=membership,
        vehicle=vehicle,
        category="repair",
        amount=Decimal("120.00"),
        spent_on=local_today(community),
        receipt=SimpleUploadedFile("bill.pdf", PDF, content_type="application/pdf"),
    )


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("outsider", 404), ("member", 200), ("admin", 200)])
def test_receipts_are_served_to_members_only(client, people, community, pdf_expense, who, status):
    if people[who]:
        client.force_login(people[who])

    response = client.get(url("ledger_receipt", community, pdf_expense.pk))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("stored_as", "content", "content_type"),
    [("legacy.jpg", PDF, "application/pdf"), ("legacy.pdf", image_bytes("PNG"), "image/png")],
)
def test_a_receipt_is_served_as_what_it_holds_whatever_its_stored_name(
    client, community, member, pdf_expense, stored_as, content, content_type
):
    name = default_storage.save(f"receipts/{community.pk}/{stored_as}", ContentFile(content))
    Expense.objects.filter(pk=pdf_expense.pk).update(receipt=name)
    client.force_login(member)

    response = client.get(url("ledger_receipt", community, pdf_expense.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == content


def test_a_stored_receipt_that_is_neither_a_photo_nor_a_pdf_is_not_served(client, community, member, pdf_expense):
    name = default_storage.save(f"receipts/{community.pk}/page.pdf", ContentFile(b"<html><script>alert(1)</script>"))
    Expense.objects.filter(pk=pdf_expense.pk).update(receipt=name)
    client.force_login(member)

    assert client.get(url("ledger_receipt", community, pdf_expense.pk)).status_code == 404


# --- Undoing an expense ----------------------------------------------------------------------


def test_the_payer_undoes_an_expense_and_its_posting_is_reversed(client, community, pdf_expense, member):
    client.force_login(member)

    response = client.post(url("ledger_expense_cancel", community, pdf_expense.pk), {"reason": "Paid twice"})

    assert response.status_code == 302
    pdf_expense.refresh_from_db()
    assert pdf_expense.is_cancelled
    assert Transaction.objects.get(kind=Transaction.Kind.REVERSAL).note_text == "Paid twice"


def test_another_member_cannot_undo_an_expense(client, community, pdf_expense, owner):
    client.force_login(owner)

    assert client.post(url("ledger_expense_cancel", community, pdf_expense.pk), {"reason": "no"}).status_code == 403
    pdf_expense.refresh_from_db()
    assert not pdf_expense.is_cancelled


def test_an_admin_undoes_any_expense_but_needs_a_reason(client, community, pdf_expense, admin_user):
    client.force_login(admin_user)

    client.post(url("ledger_expense_cancel", community, pdf_expense.pk), {"reason": ""})
    pdf_expense.refresh_from_db()
    assert not pdf_expense.is_cancelled

    client.post(url("ledger_expense_cancel", community, pdf_expense.pk), {"reason": "Not ours"})
    pdf_expense.refresh_from_db()
    assert pdf_expense.is_cancelled


# --- The list --------------------------------------------------------------------------------


def test_expense_list_filters_by_vehicle_and_month(client, community, vehicle, member, owner):
    english(member)
    membership = member.memberships.get(community=community)
    van = VehicleFactory(community=community, owner=owner, name="Kangoo")
    today = local_today(community)
    services.expense_record(
        membership=membership, vehicle=vehicle, category="fuel", amount=Decimal("11.11"), spent_on=today
    )
    services.expense_record(
        membership=membership, vehicle=van, category="fuel", amount=Decimal("22.22"), spent_on=today
    )
    old = today.replace(day=1) - timedelta(days=40)
    services.expense_record(membership=membership, vehicle=van, category="tax", amount=Decimal("33.33"), spent_on=old)
    client.force_login(member)

    by_vehicle = client.get(url("ledger_expenses", community), {"vehicle": van.pk}).content.decode()
    by_month = client.get(url("ledger_expenses", community), {"month": f"{old:%Y-%m}"}).content.decode()

    assert "22.22" in by_vehicle and "33.33" in by_vehicle and "11.11" not in by_vehicle
    assert "33.33" in by_month and "22.22" not in by_month


def test_expense_list_takes_the_same_queries_for_2_and_40_expenses(client, community, vehicle, member):
    membership = member.memberships.get(community=community)
    today = local_today(community)

    def add(count):
        for index in range(count):
            payer, payer_membership = add_member(community, f"Payer {index} {count}")
            services.expense_record(
                membership=payer_membership, vehicle=vehicle, category="fuel", amount=Decimal("10"), spent_on=today
            )

    services.expense_record(
        membership=membership, vehicle=vehicle, category="fuel", amount=Decimal("1"), spent_on=today
    )
    add(1)
    client.force_login(member)
    few = queries_to_get(client, url("ledger_expenses", community))
    add(38)
    assert queries_to_get(client, url("ledger_expenses", community)) == few


# --- Per-vehicle report ----------------------------------------------------------------------


def test_vehicle_report_shows_km_costs_by_category_and_cost_per_km(client, community, vehicle, member):
    english(member)
    membership = member.memberships.get(community=community)
    today = local_today(community)
    make_trip(vehicle, member, 200)
    services.expense_record(
        membership=membership, vehicle=vehicle, category="fuel", amount=Decimal("30.00"), spent_on=today
    )
    services.expense_record(
        membership=membership, vehicle=vehicle, category="cleaning", amount=Decimal("10.00"), spent_on=today
    )
    client.force_login(member)

    page = client.get(url("ledger_vehicle_report", community, vehicle.pk)).content.decode()

    assert "200 km" in page
    assert "Fuel / charging" in page and "€30.00" in page and "Cleaning" in page
    assert "€40.00" in page
    assert "€0.200 per km" in page


def test_vehicle_report_refuses_an_inverted_period_and_keeps_it(client, community, vehicle, member):
    english(member)
    client.force_login(member)

    response = client.get(
        url("ledger_vehicle_report", community, vehicle.pk), {"start": "2025-06-01", "end": "2025-01-01"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The end of the period must not be before its start." in page
    assert 'value="2025-06-01"' in page


# --- UX report: French comma (3), fuel unit (13), undo reason (16), grouped odometer (24) --------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_amount_typed_with_a_comma_or_a_dot_is_read_the_same(client, community, vehicle, member, language):
    User.objects.filter(pk=member.pk).update(language=language)
    client.force_login(member)

    client.post(url("ledger_expense_create", community), expense_data(vehicle, amount="58,40", litres="28,5"))
    client.post(url("ledger_expense_create", community), expense_data(vehicle, amount="58.40", litres="28.5"))

    assert [(e.amount, e.litres) for e in Expense.objects.all()] == [(Decimal("58.40"), Decimal("28.50"))] * 2


def test_expense_list_shows_litres_for_petrol_kwh_for_electric_and_grouped_odometer(
    client, community, vehicle, member, owner
):
    english(member)
    vehicle.energy = "petrol"
    vehicle.save()
    electric = VehicleFactory(community=community, owner=owner, name="Zoe", energy="electric")
    membership = member.memberships.get(community=community)
    for car, quantity in ((vehicle, "28.50"), (electric, "41.00")):
        services.expense_record(
            membership=membership,
            vehicle=car,
            category="fuel",
            amount=Decimal("40"),
            spent_on=local_today(community),
            litres=Decimal(quantity),
            odometer=15395,
        )
    client.force_login(member)

    page = client.get(url("ledger_expenses", community)).content.decode()

    assert "28.5 L" in page and "41 kWh" in page and "L/kWh" not in page
    assert page.count("15,395 km") == 2


def test_the_quantity_label_follows_the_vehicle_energy(client, community, vehicle, member, owner):
    english(member)
    electric = VehicleFactory(community=community, owner=owner, name="Zoe", energy="electric")
    client.force_login(member)

    page = client.get(url("ledger_expense_create", community) + f"?vehicle={electric.pk}").content.decode()
    assert "Quantity (kWh)" in page and 'data-fuel-unit="kWh"' in page
    page = client.get(url("ledger_expense_create", community)).content.decode()
    assert "Quantity (L, or kWh for an electric vehicle)" in page


def test_the_rate_calculator_asks_for_litres_or_kwh_by_the_vehicle_energy(client, community, vehicle, owner):
    english(owner)
    vehicle.energy = "diesel"
    vehicle.save()
    client.force_login(owner)

    page = client.get(url("ledger_calculator", community) + f"?vehicle={vehicle.pk}").content.decode()

    assert "Consumption (L per 100 km)" in page and "Fuel price (€ per L)" in page


def test_an_undone_expense_shows_why_in_the_list_and_its_statement_line(client, community, pdf_expense, member):
    from django.utils import translation

    from ledger.explain import explain

    english(member)
    client.force_login(member)
    client.post(url("ledger_expense_cancel", community, pdf_expense.pk), {"reason": "Paid twice"})

    page = client.get(url("ledger_expenses", community)).content.decode()
    assert "undone" in page and "Why: Paid twice" in page
    with translation.override("en"):
        line = explain(Transaction.objects.get(kind=Transaction.Kind.EXPENSE))
    assert line.endswith("(undone: Paid twice)")
