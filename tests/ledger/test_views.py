"""Ledger pages: who sees what, my account and statements, balances, undo, settle-up."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Trip
from communities.models import User
from ledger import closing, services
from ledger.models import Transaction, Transfer
from ledger.posting import account_for, local_today, post
from ledger.selectors import balances_for
from tests.factories import VehicleFactory
from tests.helpers import MID_MONTH, english, page, queries_to_get, url
from tests.ledger.conftest import add_member, make_trip, shared_car

# --- Who sees what ---------------------------------------------------------------------------

PAGES = ["ledger_account", "ledger_balances", "ledger_settle", "ledger_expenses", "ledger_expense_create"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("outsider", 404), ("member", 200), ("owner", 200), ("admin", 200)]
)
def test_ledger_pages_are_for_members_only(client, people, community, vehicle, name, who, status):
    if people[who]:
        client.force_login(people[who])
    assert client.get(url(name, community)).status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("outsider", 404), ("member", 200), ("owner", 200), ("admin", 200)]
)
def test_vehicle_report_is_for_members_only(client, people, community, vehicle, who, status):
    if people[who]:
        client.force_login(people[who])
    assert client.get(url("ledger_vehicle_report", community, vehicle.pk)).status_code == status


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("member", 403), ("owner", 200), ("admin", 200)])
def test_calculator_is_for_owners_and_admins(client, people, community, vehicle, who, status):
    client.force_login(people[who])
    assert client.get(url("ledger_calculator", community) + f"?vehicle={vehicle.pk}").status_code == status


def test_statement_exports_are_for_members_only(client, people, community):
    client.force_login(people["outsider"])
    assert client.get(url("ledger_statement_csv", community)).status_code == 404
    assert client.get(url("ledger_statement_pdf", community)).status_code == 404


def test_another_communitys_vehicle_report_is_not_found(client, member, community, outsider, other_community):
    foreign = VehicleFactory(community=other_community, owner=outsider)
    client.force_login(member)
    assert client.get(url("ledger_vehicle_report", community, foreign.pk)).status_code == 404


# --- My account ------------------------------------------------------------------------------


def test_my_account_shows_the_balance_in_words_and_explains_each_line(client, community, trio, period_example):
    html = page(client, trio["c"], url("ledger_account", community), {"all": "1"})

    assert "You owe €15.00 to the others." in html
    assert "Trip with Clio: 50 km by Chloe" in html
    assert "-€15.00" in html


def test_a_positive_balance_says_the_others_owe_you(client, community, trio, period_example):
    html = page(client, trio["b"], url("ledger_account", community), {"all": "1"})

    assert "The others owe you €10.00." in html
    assert "Fuel / charging for Clio, paid by Bruno (charged to the owner)" in html


def test_amounts_follow_the_french_locale(client, community, trio):
    a, b = account_for(community, trio["a"].pk), account_for(community, trio["b"].pk)
    post(
        community=community,
        kind=Transaction.Kind.EXPENSE,
        on=local_today(community),
        lines=[(a, Decimal("1234.56")), (b, Decimal("-1234.56"))],
    )
    client.force_login(trio["a"])  # French by default

    page = client.get(url("ledger_account", community), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "1\xa0234,56" in page  # French grouping and decimal comma
    assert "1,234.56" not in page


@pytest.mark.time_machine(MID_MONTH, tick=False)
def test_statement_filtered_by_month_starts_from_the_balance_brought_forward(client, community, trio, last_month):
    english(trio["a"])
    car = trio["car"]
    services.trip_charge(trip=make_trip(car, trio["b"], 100))  # this month: +30.00 for A
    client.force_login(trio["a"])

    this_month = local_today(community).replace(day=1)
    page = client.get(url("ledger_account", community), {"month": f"{this_month:%Y-%m}"}).content.decode()
    empty = client.get(url("ledger_account", community), {"month": f"{last_month:%Y-%m}"}).content.decode()

    assert "Balance brought forward" in page
    assert "€30.00" in page
    assert "Trip with Clio" not in empty


def test_a_bad_month_filter_is_explained_and_the_whole_statement_shown(client, community, trio):
    html = page(client, trio["a"], url("ledger_account", community), {"month": "March"})

    assert "Enter a month as YYYY-MM" in html
    assert 'value="March"' in html


def test_a_member_can_read_another_members_statement_but_not_an_outsiders(client, community, trio, outsider):
    english(trio["b"])
    client.force_login(trio["b"])

    assert "Account of Chloe" in client.get(url("ledger_account", community), {"member": trio["c"].pk}).content.decode()
    assert client.get(url("ledger_account", community), {"member": outsider.pk}).status_code == 404


def test_statement_csv_lists_every_line_with_the_running_balance(client, community, trio, period_example):
    english(trio["c"])
    client.force_login(trio["c"])

    response = client.get(url("ledger_statement_csv", community))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0] == ["Date", "Kind", "Description", "Vehicle", "Amount", "Balance"]
    assert [row[4:] for row in rows[1:]] == [["-15.00", "-15.00"]]
    assert rows[1][1] == "Trip" and rows[1][3] == "Clio"


def test_statement_pdf_is_a_real_pdf_with_the_members_name(client, community, trio, period_example):
    from pypdf import PdfReader

    english(trio["c"])
    client.force_login(trio["c"])

    response = client.get(url("ledger_statement_pdf", community))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Chloe" in text
    assert community.name in text
    assert "-€15.00" in text


# --- Undo ------------------------------------------------------------------------------------


def test_an_admin_undoes_a_trip_charge_and_the_history_keeps_both(client, community, trio, period_example):
    english(trio["a"], trio["c"])
    charge = Transaction.objects.get(kind=Transaction.Kind.TRIP_CHARGE, trip__driver=trio["c"])
    client.force_login(trio["a"])  # the admin

    response = client.post(url("ledger_transaction_undo", community, charge.pk), {"reason": "Wrong odometer"})

    assert response.status_code == 302
    client.force_login(trio["c"])
    page = client.get(url("ledger_account", community)).content.decode()
    assert "Undoes “Trip with Clio: 50 km by Chloe" in page
    assert "reason: Wrong odometer" in page
    assert "You are all square" in page


@pytest.mark.parametrize(
    ("who", "reason", "status"),
    [("a", "", 400), ("c", "I did not drive", 403)],
    ids=["an_admin_without_a_reason_is_refused", "a_member_may_not_undo_a_trip_charge"],
)
def test_a_refused_undo_posts_nothing(client, community, trio, period_example, who, reason, status):
    english(trio[who])
    charge = Transaction.objects.get(kind=Transaction.Kind.TRIP_CHARGE, trip__driver=trio["c"])
    client.force_login(trio[who])

    response = client.post(url("ledger_transaction_undo", community, charge.pk), {"reason": reason})

    assert response.status_code == status
    assert not Transaction.objects.filter(kind=Transaction.Kind.REVERSAL).exists()


def test_the_author_of_an_expense_posting_can_undo_it(client, community, trio, period_example):
    posting = Transaction.objects.get(kind=Transaction.Kind.EXPENSE)
    client.force_login(trio["b"])

    response = client.post(url("ledger_transaction_undo", community, posting.pk), {"reason": "Duplicate"})

    assert response.status_code == 302
    assert posting.expense.__class__.objects.get(pk=posting.expense_id).is_cancelled


def test_undo_of_another_communitys_transaction_is_not_found(client, community, trio, outsider, other_community):
    foreign_car = VehicleFactory(community=other_community, owner=outsider)
    driver, _ = add_member(other_community, "Fred")
    charge = services.trip_charge(trip=make_trip(foreign_car, driver, 10))
    client.force_login(trio["a"])

    assert client.post(url("ledger_transaction_undo", community, charge.pk), {"reason": "x"}).status_code == 404


# --- Balances --------------------------------------------------------------------------------


def test_balances_show_everyone_and_sum_to_zero(client, community, trio, period_example):
    html = page(client, trio["b"], url("ledger_balances", community))

    for name, amount in (("Anne", "€5.00"), ("Bruno", "€10.00"), ("Chloe", "-€15.00")):
        assert name in html and amount in html
    assert "Exactly zero" in html


def test_balances_page_takes_the_same_queries_for_2_and_50_members(client, community, trio):
    car = trio["car"]
    for _ in range(3):
        services.trip_charge(trip=make_trip(car, trio["b"], 10))
    client.force_login(trio["a"])
    few = queries_to_get(client, url("ledger_balances", community))

    for index in range(47):
        driver = add_member(community, f"Driver {index}")[0]
        for _ in range(3):
            services.trip_charge(trip=make_trip(car, driver, 5 + index))

    assert queries_to_get(client, url("ledger_balances", community)) == few


# --- Settle up -------------------------------------------------------------------------------


def test_settle_page_shows_my_transfers_and_the_whole_plan(client, community, trio, period_example):
    html = page(client, trio["c"], url("ledger_settle", community))

    assert "€10.00 to Bruno" in html
    assert "€5.00 to Anne" in html
    assert "The whole community&#x27;s plan" in html or "The whole community's plan" in html


def test_the_iban_and_qr_code_are_shown_only_to_who_owes_that_person(client, community, trio, period_example):
    iban = "FR7630006000011234567890189"
    User.objects.filter(pk=trio["b"].pk).update(iban=iban)
    english(trio["a"], trio["b"], trio["c"])

    client.force_login(trio["c"])  # owes Bruno
    debtor = client.get(url("ledger_settle", community)).content.decode()
    client.force_login(trio["a"])  # owed by Chloe, owes nobody
    other = client.get(url("ledger_settle", community)).content.decode()
    client.force_login(trio["b"])  # Bruno himself
    himself = client.get(url("ledger_settle", community)).content.decode()

    assert '<span class="iban-group">FR76</span> <span class="iban-group">3000</span>' in debtor
    assert "data:image/svg+xml" in debtor
    assert "EPC (SEPA) QR code: transfer of €10.00 to Bruno" in debtor
    for html in (other, himself):
        assert "FR76" not in html
        assert "data:image/svg+xml" not in html


def test_a_transfer_to_the_pool_without_a_holder_tells_the_payer_to_ask_for_one(
    client, community, trio, last_month, mid_last_month
):
    pool_car = VehicleFactory(community=community, owner=None, name="Kangoo", rate_per_km=Decimal("0.200"))
    services.trip_charge(trip=make_trip(pool_car, trio["c"], 50, ended_at=mid_last_month))
    closing.month_close(community=community, month=last_month)
    html = page(client, trio["c"], url("ledger_settle", community))

    assert "This goes to the community pool, but nobody holds it yet: ask an admin to name a pool holder" in html
    assert "has not given an IBAN" not in html


def test_declare_then_confirm_posts_a_settlement_and_balances_reach_zero(client, community, trio, period_example):
    transfers = list(Transfer.objects.filter(period=period_example).select_related("payee__user"))
    payer = trio["c"]

    client.force_login(payer)
    for transfer in transfers:
        assert client.post(url("ledger_transfer_declare_paid", community, transfer.pk)).status_code == 302
    for transfer in transfers:
        client.force_login(transfer.payee.user)
        assert client.post(url("ledger_transfer_confirm", community, transfer.pk)).status_code == 302

    assert Transaction.objects.filter(kind=Transaction.Kind.SETTLEMENT).count() == 2
    assert all(balance.amount == 0 for balance in balances_for(trio["a_membership"]))
    html = page(client, payer, url("ledger_account", community))
    assert "Transfer from Chloe to Bruno" in html


def test_only_the_payer_declares_and_only_the_payee_confirms(client, community, trio, period_example):
    transfer = Transfer.objects.get(period=period_example, payee__user=trio["b"])
    client.force_login(trio["b"])  # the payee, not an admin
    assert client.post(url("ledger_transfer_declare_paid", community, transfer.pk)).status_code == 403
    client.force_login(trio["c"])  # the payer
    assert client.post(url("ledger_transfer_confirm", community, transfer.pk)).status_code == 403
    assert not Transaction.objects.filter(kind=Transaction.Kind.SETTLEMENT).exists()


def test_an_admin_may_confirm_any_transfer(client, community, trio, period_example):
    transfer = Transfer.objects.get(period=period_example, payee__user=trio["b"])
    client.force_login(trio["a"])

    assert client.post(url("ledger_transfer_confirm", community, transfer.pk)).status_code == 302
    assert Transaction.objects.filter(kind=Transaction.Kind.SETTLEMENT, transfer=transfer).exists()


def test_transfers_of_another_community_are_not_found(client, community, trio, period_example, outsider):
    transfer = Transfer.objects.filter(period=period_example).first()
    client.force_login(outsider)
    assert client.post(url("ledger_transfer_confirm", community, transfer.pk)).status_code == 404


def test_before_any_closed_month_the_settle_page_shows_the_live_plan(client, community, trio):
    english(trio["c"])
    services.trip_charge(trip=make_trip(trio["car"], trio["c"], 50))
    client.force_login(trio["c"])

    page = client.get(url("ledger_settle", community)).content.decode()

    assert "No month has been closed yet" in page
    assert "Chloe" in page and "Anne" in page and "€15.00" in page
    assert "I&#x27;ve paid" not in page and "I've paid" not in page


def test_the_leave_page_warns_a_member_who_still_owes(client, community, trio, period_example):
    english(trio["c"], trio["a"])
    client.force_login(trio["c"])
    owing = client.get(reverse("community_leave", args=[community.pk])).content.decode()

    assert "Your balance is -€15.00. Money is never lost when someone leaves; you have two choices:" in owing
    assert 'name="leave_balance"' in owing and reverse("ledger_settle", args=[community.pk]) in owing


def test_the_leave_page_says_nothing_about_money_when_square(client, community, member):
    english(member)
    client.force_login(member)

    assert (
        "settle up before leaving" not in client.get(reverse("community_leave", args=[community.pk])).content.decode()
    )


def test_the_undo_page_explains_the_line_and_its_entries(client, community, trio, period_example):
    english(trio["a"])
    charge = Transaction.objects.get(kind=Transaction.Kind.TRIP_CHARGE, trip__driver=trio["c"])
    client.force_login(trio["a"])

    page = client.get(url("ledger_transaction_undo", community, charge.pk)).content.decode()

    assert "Trip with Clio: 50 km by Chloe" in page
    assert "-€15.00" in page and "€15.00" in page


def test_a_line_cannot_be_undone_twice(client, community, trio, period_example):
    english(trio["a"])
    charge = Transaction.objects.get(kind=Transaction.Kind.TRIP_CHARGE, trip__driver=trio["c"])
    client.force_login(trio["a"])
    client.post(url("ledger_transaction_undo", community, charge.pk), {"reason": "Wrong odometer"})

    response = client.post(url("ledger_transaction_undo", community, charge.pk), {"reason": "Again"}, follow=True)

    assert "This line was already undone" in response.content.decode()
    assert Transaction.objects.filter(kind=Transaction.Kind.REVERSAL).count() == 1


def test_undo_buttons_show_only_on_lines_the_viewer_may_undo(client, community, trio, period_example):
    english(trio["b"], trio["a"])
    client.force_login(trio["b"])  # author of the fuel expense, not an admin
    mine = client.get(url("ledger_account", community), {"all": "1"}).content.decode()
    client.force_login(trio["a"])  # the admin sees an undo on every line
    admin = client.get(url("ledger_account", community), {"all": "1"}).content.decode()

    assert mine.count("Undo this line") == 1  # the expense, not the trip charge
    assert admin.count("Undo this line") == 3  # two trips on the owner's account and the expense


# --- E-mails when a transfer is declared paid, then confirmed (UX report item 2) ---------------


def test_the_payee_is_emailed_once_when_the_payer_declares_a_transfer_paid(
    client, community, trio, period_example, mailoutbox, django_capture_on_commit_callbacks
):
    english(trio["b"])
    transfer = Transfer.objects.get(period=period_example, payee__user=trio["b"])
    client.force_login(trio["c"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("ledger_transfer_declare_paid", community, transfer.pk))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("ledger_transfer_declare_paid", community, transfer.pk))
    from ledger import tasks

    tasks.transfer_paid_email(transfer.pk)  # a retry of the task

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [trio["b"].email]
    assert "Chloe says they paid you €10.00" in message.subject
    assert "confirm it on the settle-up page" in message.body
    assert f"/c/{community.pk}/ledger/settle/" in message.body


def test_the_payer_is_emailed_in_their_language_when_the_payee_confirms(
    client, community, trio, period_example, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=trio["c"].pk).update(language="fr")
    transfer = Transfer.objects.get(period=period_example, payee__user=trio["b"])
    client.force_login(trio["b"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("ledger_transfer_confirm", community, transfer.pk))

    assert [message.to for message in mailoutbox] == [[trio["c"].email]]
    assert "Bruno" in mailoutbox[0].subject and "10,00\xa0€" in mailoutbox[0].subject


def test_no_transfer_email_for_who_turned_settlement_emails_off(
    client, community, trio, period_example, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=trio["b"].pk).update(notify_settlements=False)
    transfer = Transfer.objects.get(period=period_example, payee__user=trio["b"])
    client.force_login(trio["c"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("ledger_transfer_declare_paid", community, transfer.pk))

    assert mailoutbox == []


def test_a_failed_transfer_email_is_released_for_the_retry(community, trio, period_example, mailoutbox):
    from smtplib import SMTPException
    from unittest import mock

    from colocauto.core.outbox import MailDeferred
    from ledger import transfer_emails

    english(trio["b"])
    transfer = Transfer.objects.get(period=period_example, payee__user=trio["b"])
    failing = mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=SMTPException("down"))
    with failing, pytest.raises(MailDeferred):
        transfer_emails.transfer_paid_email_send(transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert transfer.paid_notified_at is None
    assert transfer.paid_claimed_at is None

    assert transfer_emails.transfer_paid_email_send(transfer_id=transfer.pk) is True
    assert len(mailoutbox) == 1


# --- Settle-up wording and IBAN (UX report items 20, 31) ----------------------------------------


def test_settle_page_heading_names_the_month_without_elision(client, community, trio, period_example):
    from django.utils import formats, translation

    html = page(client, trio["c"], url("ledger_settle", community))
    with translation.override("en"):
        month = formats.date_format(period_example.month, "YEAR_MONTH_FORMAT")
    assert f"Settle-up plan — {month}</h2>" in html
    assert "Plan for" not in html


def test_a_transfer_to_the_pool_reads_to_the_community_pool(client, community, trio, last_month, mid_last_month):
    pool_car = VehicleFactory(community=community, owner=None, name="Kangoo", rate_per_km=Decimal("0.200"))
    services.trip_charge(trip=make_trip(pool_car, trio["c"], 50, ended_at=mid_last_month))
    closing.month_close(community=community, month=last_month)
    html = page(client, trio["c"], url("ledger_settle", community))

    assert "€10.00 to the community pool</h3>" in html


def test_the_iban_wraps_only_between_groups_of_four(client, community, trio, period_example):
    User.objects.filter(pk=trio["b"].pk).update(iban="FR7630006000011234567890189")
    html = page(client, trio["c"], url("ledger_settle", community))

    assert '<span class="iban-group">FR76</span> <span class="iban-group">3000</span>' in html
    assert '<span class="iban-group">189</span>' in html


# --- CSV export for French and English spreadsheets (UX report item 8) --------------------------


def test_french_csv_uses_semicolons_and_decimal_commas_and_a_readable_name(client, community, trio, period_example):
    User.objects.filter(pk=trio["c"].pk).update(language="fr")
    community.name = "Les Tilleuls d'Été"
    community.save()
    client.force_login(trio["c"])

    response = client.get(url("ledger_statement_csv", community))

    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) == 6
    assert [row[4:] for row in rows[1:]] == [["-15,00", "-15,00"]]
    assert response["Content-Disposition"] == 'attachment; filename="colocauto-les-tilleuls-dete-chloe-all.csv"'


def test_english_csv_uses_commas_and_dots_and_names_the_month(client, community, trio, period_example, last_month):
    english(trio["c"])
    client.force_login(trio["c"])

    response = client.get(url("ledger_statement_csv", community) + f"?month={last_month:%Y-%m}")

    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[1][2] == "Balance brought forward" and rows[1][5] == "0.00"
    assert rows[2][4:] == ["-15.00", "-15.00"]
    assert response["Content-Disposition"].endswith(f'-chloe-{last_month:%Y-%m}.csv"')


# --- My account: this month's shared-costs activity (UX report item 6) --------------------------


@pytest.fixture
def kangoo(community):
    return VehicleFactory(community=community, owner=None, name="Kangoo", cost_model="shared_costs")


def _pay(membership, car, amount):
    return services.expense_record(
        membership=membership,
        vehicle=car,
        category="fuel",
        amount=Decimal(amount),
        spent_on=local_today(car.community),
    )


def test_my_account_shows_this_months_shared_costs_activity_before_month_end(client, community, trio, kangoo):
    english(trio["b"])
    _pay(trio["b_membership"], kangoo, "8.40")
    undone = _pay(trio["b_membership"], kangoo, "99.00")
    services.expense_cancel(membership=trio["b_membership"], expense=undone, reason="Duplicate")
    _pay(trio["c_membership"], kangoo, "50.00")  # someone else's
    make_trip(kangoo, trio["b"], 45, ended_at=timezone.now() - timedelta(minutes=1))
    client.force_login(trio["b"])

    page = client.get(url("ledger_account", community)).content.decode()

    assert "This month, to be shared at the end of the month" in page
    assert "You paid €8.40" in page and "€99.00" not in page and "€50.00" not in page
    assert "You drove 45 km" in page and "Kangoo · 45 km" in page
    assert "split among its drivers by the km each drove" in page


def test_the_shared_costs_card_is_absent_without_activity_and_on_others_statements(client, community, trio, kangoo):
    english(trio["b"], trio["c"])
    _pay(trio["c_membership"], kangoo, "20.00")
    client.force_login(trio["b"])

    mine = client.get(url("ledger_account", community)).content.decode()
    theirs = client.get(url("ledger_account", community) + f"?member={trio['c'].pk}").content.decode()

    assert "to be shared at the end of the month" not in mine
    assert "to be shared at the end of the month" not in theirs


def test_the_shared_costs_card_takes_the_same_queries_for_1_and_20_expenses(client, community, trio, kangoo):
    client.force_login(trio["b"])
    _pay(trio["b_membership"], kangoo, "1.00")
    make_trip(kangoo, trio["b"], 10, ended_at=timezone.now() - timedelta(minutes=1))
    few = queries_to_get(client, url("ledger_account", community))
    other = VehicleFactory(community=community, owner=None, name="Berlingo", cost_model="shared_costs")
    for index in range(19):
        _pay(trio["b_membership"], other if index % 2 else kangoo, "2.00")
    make_trip(other, trio["b"], 10, ended_at=timezone.now() - timedelta(minutes=2))
    assert queries_to_get(client, url("ledger_account", community)) == few


def test_the_french_account_page_elides_before_a_vowel(client, community, trio):
    """« Compte d’Anne », never « Compte de Anne »; « Compte de Chloe » keeps its « de »."""
    client.force_login(trio["b"])
    anne = client.get(url("ledger_account", community), {"member": trio["a"].pk}).content.decode()
    chloe = client.get(url("ledger_account", community), {"member": trio["c"].pk}).content.decode()
    assert "Compte d’Anne" in anne and "Compte de Anne" not in anne
    assert "Compte de Chloe" in chloe


def _booking_page(client, user, trip) -> str:
    english(user)
    client.force_login(user)
    return client.get(url("booking_detail", trip.booking.community, trip.booking.pk)).content.decode()


def test_a_finished_trip_shows_what_was_charged_and_links_to_the_line(client, community, trio):
    trip = make_trip(trio["car"], trio["c"], 87, hours=3)
    record = services.trip_charge(trip=trip)
    Trip.objects.filter(pk=trip.pk).update(duration=timedelta(0))  # recorded after the fact: no measured time

    html = _booking_page(client, trio["b"], trip)

    assert "€26.10 to Chloe: 87 km and 3 hours of booking, at the vehicle's rates." in html
    assert f"?member={trio['c'].pk}&amp;month={record.date:%Y-%m}" in html
    assert "0 minute" not in html


def test_an_undone_charge_says_so(client, community, trio):
    trip = make_trip(trio["car"], trio["c"], 10)
    record = services.trip_charge(trip=trip)
    services.transaction_reverse(membership=trio["a_membership"], transaction=record, reason="wrong km")
    assert "Undone since: see the account." in _booking_page(client, trio["c"], trip)


def test_the_owners_own_trip_and_a_shared_cost_cars_trip_say_why_nothing_was_charged(client, community, trio):
    own = make_trip(trio["car"], trio["a"], 40)
    services.trip_charge(trip=own)
    assert "Nothing: the owner drove their own vehicle." in _booking_page(client, trio["b"], own)

    shared = make_trip(shared_car(community, trio["a"]), trio["b"], 40)
    services.trip_charge(trip=shared)
    assert "costs are shared at the end of the month" in _booking_page(client, trio["b"], shared)
