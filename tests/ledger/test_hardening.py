"""Defences found by the security review: bounded dates and ids, safe CSV cells and e-mail
subjects, and one rule for who may undo an expense."""

import csv
import io
import logging
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

import pytest

from colocauto.core.errors import DomainError
from colocauto.core.mail import email_subject
from communities.models import User
from ledger import closing, emails, services, transfer_emails
from ledger.models import Expense, Transaction
from ledger.posting import local_today
from ledger.rules import earliest_expense_date
from tests.factories import ExpenseFactory, VehicleFactory
from tests.helpers import assert_refused_keeping, english, page, url
from tests.ledger.conftest import make_trip, shared_car
from vehicles.models import Vehicle

# --- Expense dates: at most 24 months back; the month's close never crashes on an old one ------


@pytest.mark.parametrize("typed", ["0001-01-01", "1999-12-31"])
def test_an_expense_dated_more_than_24_months_ago_is_refused_by_the_form(client, community, vehicle, member, typed):
    english(member)
    client.force_login(member)
    data = {"vehicle": vehicle.pk, "category": "fuel", "amount": "42.50", "spent_on": typed, "note": "Old tank"}

    response = client.post(url("ledger_expense_create", community), data)

    assert_refused_keeping(response, 400, "An expense can be at most 24 months old", typed)
    assert not Expense.objects.exists()


def test_an_expense_dated_more_than_24_months_ago_is_refused_by_the_service(community, trio, settings):
    settings.LANGUAGE_CODE = "en"
    today = local_today(community)

    record = partial(
        services.expense_record,
        membership=trio["b_membership"],
        vehicle=trio["car"],
        category="fuel",
        amount=Decimal("40.00"),
    )

    with pytest.raises(DomainError, match="at most 24 months old"):
        record(spent_on=earliest_expense_date(today) - timedelta(days=1))
    record(spent_on=earliest_expense_date(today))

    assert Expense.objects.count() == 1


def test_the_earliest_expense_date_of_a_29_february_is_28_february():
    assert earliest_expense_date(date(2028, 2, 29)) == date(2026, 2, 28)
    assert earliest_expense_date(date(2026, 11, 21)) == date(2024, 11, 21)


def test_month_close_skips_an_expense_of_year_1_and_posts_the_others(
    community, trio, last_month, mid_last_month, caplog
):
    car = shared_car(community, trio["a"])
    make_trip(car, trio["b"], 100, ended_at=mid_last_month)
    services.expense_record(
        membership=trio["c_membership"], vehicle=car, category="fuel", amount=Decimal("30"), spent_on=last_month
    )
    ancient = Expense.objects.create(  # left by an older version, before dates were bounded
        community=community,
        vehicle=car,
        category="repair",
        amount=Decimal("10"),
        spent_on=date(1, 1, 1),
        paid_by=trio["c"],
        cost_model=car.cost_model,
        created_by=trio["c"],
    )

    with caplog.at_level(logging.WARNING, logger="ledger.closing"):
        period = closing.month_close(community=community, month=last_month)

    assert period.month == last_month
    assert Transaction.objects.filter(kind=Transaction.Kind.SHARED_COSTS, expense__spent_on=last_month).count() == 1
    # SQLite cannot place year 1 in the time zone (the expense waits, logged); PostgreSQL can (posted).
    skipped = not Transaction.objects.filter(expense=ancient).exists()
    assert skipped == (f"Expense {ancient.pk}" in caplog.text)


# --- Bad ids, months and dates in query strings: a refusal, never a 500 -----------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize("name", ["ledger_account", "ledger_statement_csv", "ledger_statement_pdf"])
@pytest.mark.parametrize("raw", ["²", "٣", HUGE, "9223372036854775808", "0"])
def test_a_member_id_that_is_no_number_is_not_found(client, community, member, name, raw):
    client.force_login(member)

    response = client.get(url(name, community), {"member": raw})

    assert response.status_code == 404


@pytest.fixture
def bruno_with_a_line(community, trio):
    """Bruno, who paid for fuel today: his statement has a line."""
    ExpenseFactory(vehicle=trio["car"], paid_by=trio["b"])
    return trio["b"]


@pytest.mark.parametrize("name", ["ledger_account", "ledger_statement_csv", "ledger_expenses"])
@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1899-12", "3000-01"])
def test_a_month_outside_1900_to_2999_is_refused_with_a_message(client, community, bruno_with_a_line, name, month):
    member = bruno_with_a_line
    english(member)
    client.force_login(member)

    response = client.get(url(name, community), {"month": month})

    assert response.status_code == 200
    if name != "ledger_statement_csv":
        assert "Enter a month between 1900-01 and 2999-12." in response.content.decode()


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_the_pdf_statement_of_a_month_outside_the_range_is_still_a_pdf(client, community, bruno_with_a_line, month):
    client.force_login(bruno_with_a_line)

    response = client.get(url("ledger_statement_pdf", community), {"month": month})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("raw", ["²", HUGE, "9223372036854775808"])
def test_a_vehicle_id_that_is_no_number_on_the_new_expense_form_is_ignored(client, community, vehicle, member, raw):
    english(member)
    client.force_login(member)
    VehicleFactory(community=community, name="Second car")  # two cars: nothing is preselected

    shown = client.get(url("ledger_expense_create", community), {"vehicle": raw})
    data = {"vehicle": raw, "category": "fuel", "amount": "42.50", "spent_on": f"{local_today(community):%Y-%m-%d}"}
    sent = client.post(url("ledger_expense_create", community), data)

    assert shown.status_code == 200
    assert sent.status_code == 400
    assert "Select a valid choice." in sent.content.decode()
    assert not Expense.objects.exists()


@pytest.mark.parametrize("raw", ["²", HUGE, "9223372036854775808"])
def test_a_vehicle_id_that_is_no_number_on_the_calculator_is_not_found(client, community, vehicle, owner, raw):
    client.force_login(owner)

    assert client.get(url("ledger_calculator", community), {"vehicle": raw}).status_code == 404
    assert client.post(url("ledger_calculator", community), {"vehicle": raw}).status_code == 404


@pytest.mark.parametrize("raw", [HUGE, "9223372036854775808"])
def test_a_huge_vehicle_id_in_the_expense_filter_is_refused(client, community, vehicle, member, raw):
    client.force_login(member)

    response = client.get(url("ledger_expenses", community), {"vehicle": raw})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31"), ("1899-12-31", "1900-01-02")]
)
def test_a_vehicle_report_period_outside_1900_to_2999_is_refused_with_a_message(
    client, community, vehicle, member, start, end
):
    english(member)
    client.force_login(member)

    response = client.get(url("ledger_vehicle_report", community, vehicle.pk), {"start": start, "end": end})

    assert response.status_code == 400
    assert "Enter a date between the years 1900 and 2999." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("ledger_vehicle_report", "get"),
        ("ledger_transaction_undo", "get"),
        ("ledger_expense_cancel", "post"),
        ("ledger_receipt", "get"),
        ("ledger_transfer_confirm", "post"),
    ],
)
def test_a_huge_id_in_a_ledger_address_is_not_found(client, community, member, name, method):
    client.force_login(member)

    response = getattr(client, method)(url(name, community, int(HUGE)), {"reason": "x"})

    assert response.status_code == 404


# --- CSV: no cell a spreadsheet would run as a formula ----------------------------------------


@pytest.mark.parametrize("name", ["=1+1", "+33 6 12", "-2+3", "@SUM(A1)", "\tTab", "\rCR"])
def test_a_vehicle_name_that_starts_a_formula_is_quoted_in_the_csv(client, community, trio, name):
    english(trio["c"])
    Vehicle.objects.filter(pk=trio["car"].pk).update(name=name)
    services.trip_charge(trip=make_trip(trio["car"], trio["c"], 10))
    client.force_login(trio["c"])

    response = client.get(url("ledger_statement_csv", community))

    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"), newline="")))
    assert rows[1][3] == f"'{name}"
    assert rows[1][4] == "-3.00"  # amounts stay numbers: 10 km × €0.30, paid by Chloe


# --- E-mail subjects: one line, whatever the names hold ---------------------------------------


@pytest.fixture
def closed_month(community, trio, last_month, mid_last_month):
    """Bruno drove Anne's car last month (100 km × €0.30) and the month is closed: Bruno pays Anne 30.00."""
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid_last_month))
    return closing.month_close(community=community, month=last_month)


def test_a_payer_name_with_a_line_break_still_gets_the_payee_notified(community, trio, closed_month, mailoutbox):
    english(trio["a"])
    User.objects.filter(pk=trio["b"].pk).update(display_name="Bruno\r\nBcc: evil@example.org\x0b")
    transfer = closed_month.transfers.get()

    sent = transfer_emails.transfer_paid_email_send(transfer_id=transfer.pk)

    assert sent is True
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [trio["a"].email]
    assert mailoutbox[0].subject.startswith("[Colocauto] ")
    assert "Bruno Bcc: evil@example.org says they paid you" in mailoutbox[0].subject
    assert not any(char in mailoutbox[0].subject for char in "\r\n\x0b")
    assert mailoutbox[0].message()["Bcc"] is None


def test_a_community_name_with_a_line_break_still_gets_the_settlement_emails_out(
    community, trio, closed_month, mailoutbox
):
    community.name = "Les\nTilleuls\u2028  d'été"
    community.save(update_fields=["name"])
    closed_month.refresh_from_db()

    sent = emails.settlement_emails_send(period=closed_month)

    assert sent == 2
    assert all("Les Tilleuls d'été" in message.subject for message in mailoutbox)


def test_subjects_keep_the_no_break_spaces_of_french_typography():
    assert email_subject("Les Tilleuls\u202f: 10,00\xa0€") == "[Colocauto] Les Tilleuls\u202f: 10,00\xa0€"


# --- Undo: the payer of an expense an admin entered sees the button, and it works -------------


@pytest.fixture
def expense_entered_by_admin(community, trio):
    """Anne (admin) records fuel Bruno paid for Chloe's car: Bruno is credited 40.00, Chloe charged."""
    lent = VehicleFactory(community=community, owner=trio["c"], name="Twingo")
    return ExpenseFactory(vehicle=lent, paid_by=trio["b"], recorded_by=trio["a"])


def test_the_payer_undoes_an_expense_an_admin_entered_for_them(client, community, trio, expense_entered_by_admin):
    listing = page(client, trio["b"], url("ledger_expenses", community))
    assert url("ledger_expense_cancel", community, expense_entered_by_admin.pk) in listing

    response = client.post(
        url("ledger_expense_cancel", community, expense_entered_by_admin.pk), {"reason": "Paid by the garage"}
    )

    assert response.status_code == 302
    expense_entered_by_admin.refresh_from_db()
    assert expense_entered_by_admin.is_cancelled
    assert Transaction.objects.filter(kind=Transaction.Kind.REVERSAL, expense=expense_entered_by_admin).count() == 1


def test_the_payer_undoes_that_expense_from_their_statement_too(client, community, trio, expense_entered_by_admin):
    english(trio["b"])
    posting = Transaction.objects.get(expense=expense_entered_by_admin)
    undo = url("ledger_transaction_undo", community, posting.pk)
    client.force_login(trio["b"])
    assert undo in client.get(url("ledger_account", community)).content.decode()

    response = client.post(undo, {"reason": "Entered twice"})

    assert response.status_code == 302
    assert Transaction.objects.filter(reverses=posting).exists()


def test_another_member_neither_sees_nor_may_undo_that_expense(client, community, trio, expense_entered_by_admin):
    posting = Transaction.objects.get(expense=expense_entered_by_admin)
    client.force_login(trio["c"])  # the owner, charged for it, but neither its author nor its payer

    listing = client.get(url("ledger_expenses", community)).content.decode()
    cancel = client.post(url("ledger_expense_cancel", community, expense_entered_by_admin.pk), {"reason": "No"})
    undo = client.post(url("ledger_transaction_undo", community, posting.pk), {"reason": "No"})

    assert url("ledger_expense_cancel", community, expense_entered_by_admin.pk) not in listing
    assert cancel.status_code == 403
    assert undo.status_code == 403
    assert not Transaction.objects.filter(reverses=posting).exists()
