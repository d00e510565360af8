"""Settlement rules: a payment declared before a close is confirmed once and never asked for again, only the
payee (or an admin for them) confirms, a month's plan stops at the month's end, and the pool has a holder."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import formats, translation

from colocauto.core.clock import midnight, month_last_day, next_month, previous_month
from colocauto.core.errors import DomainError, NotAllowed
from communities.models import Community, Membership, User
from communities.services import community_update
from ledger import closing, emails, services, transfers
from ledger.explain import explain
from ledger.models import SettlementPeriod, Transaction
from ledger.posting import community_tz
from ledger.selectors import balances_for
from tests.communities.test_views import _settings_data
from tests.factories import CommunityFactory, VehicleFactory
from tests.helpers import english, page, queries_to_get, url
from tests.ledger.conftest import add_member, make_trip, mid

IBAN = "FR7630006000011234567890189"


def settlements() -> int:
    return Transaction.objects.filter(kind=Transaction.Kind.SETTLEMENT).count()


def plan_of(period: SettlementPeriod) -> list[tuple[str, str, Decimal]]:
    return [
        (str(t.payer), str(t.payee), t.amount) for t in period.transfers.select_related("payer__user", "payee__user")
    ]


# --- 1. A payment declared before a close -----------------------------------------------------


def test_a_payment_declared_before_the_close_is_confirmed_after_it_once_and_never_asked_again(
    community, trio, last_month
):
    earlier = previous_month(last_month)
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid(earlier, community)))
    first = closing.month_close(community=community, month=earlier)
    transfer = first.transfers.get()  # Bruno owes Anne 30.00
    transfers.transfer_declare_paid(membership=trio["b_membership"], transfer=transfer)  # on the 30th

    second = closing.month_close(community=community, month=last_month)
    transfers.transfer_confirm(membership=trio["a_membership"], transfer=transfer)  # the payee, afterwards

    transfer.refresh_from_db()
    assert transfer.is_confirmed and transfer.superseded_at is None
    assert settlements() == 1
    assert plan_of(second) == []  # not asked again
    assert {row.amount for row in balances_for(trio["a_membership"])} == {Decimal("0.00")}


def test_a_payment_confirmed_after_a_close_is_counted_once_by_the_following_plan(community, trio, last_month):
    two_before = previous_month(previous_month(last_month))
    one_before = previous_month(last_month)
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid(two_before, community)))
    first = closing.month_close(community=community, month=two_before)
    declared = first.transfers.get()
    transfers.transfer_declare_paid(membership=trio["b_membership"], transfer=declared)
    services.trip_charge(trip=make_trip(trio["car"], trio["c"], 50, ended_at=mid(one_before, community)))

    second = closing.month_close(community=community, month=one_before)
    transfers.transfer_confirm(membership=trio["a_membership"], transfer=declared)
    third = closing.month_close(community=community, month=last_month)

    assert plan_of(second) == [("Chloe", "Anne", Decimal("15.00"))]
    assert plan_of(third) == [("Chloe", "Anne", Decimal("15.00"))]
    assert settlements() == 1


def test_an_undeclared_transfer_is_still_replaced_by_the_next_plan(community, trio, last_month):
    earlier = previous_month(last_month)
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid(earlier, community)))
    old = closing.month_close(community=community, month=earlier).transfers.get()

    new = closing.month_close(community=community, month=last_month)

    old.refresh_from_db()
    assert old.superseded_at is not None
    assert plan_of(new) == [("Bruno", "Anne", Decimal("30.00"))]


def test_the_payee_confirms_an_earlier_plans_declared_payment_on_the_settle_page(client, community, trio, last_month):
    earlier = previous_month(last_month)
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid(earlier, community)))
    transfer = closing.month_close(community=community, month=earlier).transfers.get()
    transfers.transfer_declare_paid(membership=trio["b_membership"], transfer=transfer)
    closing.month_close(community=community, month=last_month)

    payer_page = page(client, trio["b"], url("ledger_settle", community))
    payee_page = page(client, trio["a"], url("ledger_settle", community))
    response = client.post(url("ledger_transfer_confirm", community, transfer.pk))

    for html in (payer_page, payee_page):
        assert "€30.00" in html
        assert "paid, waiting for confirmation" in html
        assert "this plan counts it as paid" in html
    assert url("ledger_transfer_confirm", community, transfer.pk) in payee_page
    assert url("ledger_transfer_confirm", community, transfer.pk) not in payer_page
    assert response.status_code == 302
    assert Transaction.objects.filter(kind=Transaction.Kind.SETTLEMENT, transfer=transfer).count() == 1


def test_a_declared_transfer_no_longer_shows_how_to_pay_it(client, community, trio, last_month):
    User.objects.filter(pk=trio["a"].pk).update(iban=IBAN)
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid(last_month, community)))
    transfer = closing.month_close(community=community, month=last_month).transfers.get()
    client.force_login(trio["b"])
    before = client.get(url("ledger_settle", community)).content.decode()

    transfers.transfer_declare_paid(membership=trio["b_membership"], transfer=transfer)
    after = client.get(url("ledger_settle", community)).content.decode()

    assert "data:image/svg+xml" in before
    assert "data:image/svg+xml" not in after
    assert "FR76" not in after


# --- 2. Only the payee confirms -----------------------------------------------------------------


@pytest.fixture
def admin_owes(community, trio, last_month):
    """Anne, an admin, drove Bruno's car: she owes him 30.00."""
    van = VehicleFactory(community=community, owner=trio["b"], name="Trafic", rate_per_km=Decimal("0.300"))
    services.trip_charge(trip=make_trip(van, trio["a"], 100, ended_at=mid(last_month, community)))
    return closing.month_close(community=community, month=last_month).transfers.get()


def test_payer_cannot_confirm_own_transfer_even_as_an_admin(client, community, trio, admin_owes):
    html = page(client, trio["a"], url("ledger_settle", community))

    transfers.transfer_declare_paid(membership=trio["a_membership"], transfer=admin_owes)
    with pytest.raises(NotAllowed):
        transfers.transfer_confirm(membership=trio["a_membership"], transfer=admin_owes)
    assert client.post(url("ledger_transfer_confirm", community, admin_owes.pk)).status_code == 403

    assert url("ledger_transfer_declare_paid", community, admin_owes.pk) in html
    assert url("ledger_transfer_confirm", community, admin_owes.pk) not in html
    assert settlements() == 0
    transfers.transfer_confirm(membership=trio["b_membership"], transfer=admin_owes)
    assert settlements() == 1


def test_a_refused_confirmation_answers_403_with_its_stable_code_to_a_json_client(client, community, trio, admin_owes):
    transfers.transfer_declare_paid(membership=trio["a_membership"], transfer=admin_owes)
    client.force_login(trio["a"])

    response = client.post(url("ledger_transfer_confirm", community, admin_owes.pk), HTTP_ACCEPT="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "transfer_confirm_not_allowed"
    assert settlements() == 0


@pytest.fixture
def chloe_owes(period_example):
    """The worked example: Chloe owes Bruno 10.00 and Anne 5.00."""
    return period_example


def test_no_one_sees_i_have_paid_on_a_transfer_they_do_not_make(client, community, trio, chloe_owes):
    english(trio["a"], trio["c"])
    client.force_login(trio["a"])  # an admin, owed by Chloe
    admin_page = client.get(url("ledger_settle", community)).content.decode()
    client.force_login(trio["c"])
    payer_page = client.get(url("ledger_settle", community)).content.decode()

    assert "I've paid" not in admin_page
    assert payer_page.count("I've paid") == 2
    to_bruno = chloe_owes.transfers.get(payee__user=trio["b"])
    with pytest.raises(NotAllowed):
        transfers.transfer_declare_paid(membership=trio["a_membership"], transfer=to_bruno)


def test_the_payee_does_not_see_to_pay_on_money_they_receive(client, community, trio, chloe_owes):
    html = page(client, trio["b"], url("ledger_settle", community))

    assert '<span class="badge">to pay</span>' not in html
    assert '<span class="badge">not paid yet</span>' in html


def test_an_admin_confirming_for_the_payee_is_recorded_named_and_told_to_the_payee(
    client, community, trio, chloe_owes, mailoutbox, django_capture_on_commit_callbacks
):
    english(trio["a"], trio["b"], trio["c"])
    to_bruno = chloe_owes.transfers.get(payee__user=trio["b"])
    client.force_login(trio["a"])
    admin_page = client.get(url("ledger_settle", community)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("ledger_transfer_confirm", community, to_bruno.pk))

    to_bruno.refresh_from_db()
    assert "Received, for Bruno" in admin_page
    assert to_bruno.confirmed_by == trio["a"]
    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert "Anne, an admin, confirmed for Bruno that your €10.00 arrived" in by_recipient[trio["c"].email].subject
    assert "Anne, an admin, confirmed for you that Chloe's €10.00 reached you" in by_recipient[trio["b"].email].body
    with translation.override("en"):
        assert explain(to_bruno.transaction) == "Transfer from Chloe to Bruno, confirmed by Anne"


def test_the_payee_confirming_tells_only_the_payer(
    client, community, trio, chloe_owes, mailoutbox, django_capture_on_commit_callbacks
):
    english(trio["b"], trio["c"])
    to_bruno = chloe_owes.transfers.get(payee__user=trio["b"])
    client.force_login(trio["b"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("ledger_transfer_confirm", community, to_bruno.pk))

    assert [message.to[0] for message in mailoutbox] == [trio["c"].email]
    assert "Bruno confirmed receiving your €10.00" in mailoutbox[0].subject


# --- 3. A month's plan stops at the month's end -------------------------------------------------


def test_a_trip_on_the_first_at_3am_is_in_the_next_months_plan_not_the_previous(community, trio, last_month):
    earlier = previous_month(last_month)
    at_3am = midnight(last_month, community_tz(community)) + timedelta(hours=3)
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=at_3am))

    previous_plan = closing.month_close(community=community, month=earlier)
    next_plan = closing.month_close(community=community, month=last_month)

    assert plan_of(previous_plan) == []
    assert plan_of(next_plan) == [("Bruno", "Anne", Decimal("30.00"))]


def test_a_late_close_leaves_out_what_was_dated_after_the_month(community, trio, last_month):
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid(last_month, community)))
    this_month = next_month(last_month)
    services.trip_charge(
        trip=make_trip(
            trio["car"], trio["c"], 50, ended_at=midnight(this_month, community_tz(community)) + timedelta(hours=3)
        )
    )

    period = closing.month_close(community=community, month=last_month)

    assert plan_of(period) == [("Bruno", "Anne", Decimal("30.00"))]


def test_the_settle_page_and_email_say_the_balances_are_as_of_the_month_end(
    client, community, trio, last_month, mailoutbox
):
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid(last_month, community)))
    period = closing.month_close(community=community, month=last_month)
    html = page(client, trio["b"], url("ledger_settle", community))

    emails.settlement_emails_send(period=period)

    with translation.override("en"):
        day = formats.date_format(month_last_day(last_month), "DATE_FORMAT")
    expected = f"as the balances stood at the end of {day} (midnight, Europe/Paris time)"
    assert expected in html
    assert "Later activity will be in next month's plan" in html
    to_bruno = next(message for message in mailoutbox if message.to == [trio["b"].email])
    assert f"balances as they stood at the end of {day} (midnight, Europe/Paris time)" in to_bruno.body
    assert "later activity will be in next month's plan" in to_bruno.body


# --- 6. The community pool's holder -------------------------------------------------------------


@pytest.fixture
def pool_debt(community, trio, last_month):
    """Chloe drove the community's Kangoo: she owes the pool 10.00. Anne holds the pool and gave an IBAN."""
    User.objects.filter(pk=trio["a"].pk).update(iban=IBAN)
    Community.objects.filter(pk=community.pk).update(pool_holder=trio["a"])
    community.refresh_from_db()
    kangoo = VehicleFactory(community=community, owner=None, name="Kangoo", rate_per_km=Decimal("0.200"))
    services.trip_charge(trip=make_trip(kangoo, trio["c"], 50, ended_at=mid(last_month, community)))
    return kangoo


def test_admins_name_a_pool_holder_among_the_admins_in_the_community_settings(client, community, trio):
    client.force_login(trio["a"])
    page = client.get(url("community_edit", community)).content.decode()
    refused = client.post(url("community_edit", community), _settings_data(pool_holder=trio["b"].pk))
    community.refresh_from_db()
    assert community.pool_holder is None
    assert refused.status_code == 200

    client.post(url("community_edit", community), _settings_data(pool_holder=trio["a"].pk))

    community.refresh_from_db()
    assert community.pool_holder == trio["a"]
    assert f'value="{trio["a"].pk}"' in page and f'value="{trio["b"].pk}"' not in page
    with pytest.raises(DomainError):
        community_update(actor=trio["a_membership"], data={"pool_holder": trio["b"]})


def test_a_transfer_to_the_pool_shows_the_holder_with_their_iban_and_qr_code(
    client, community, trio, last_month, pool_debt
):
    closing.month_close(community=community, month=last_month)
    html = page(client, trio["c"], url("ledger_settle", community))

    assert "The community pool is held by Anne." in html
    assert '<span class="iban-group">FR76</span>' in html
    assert "EPC (SEPA) QR code: transfer of €10.00 to Anne" in html
    assert "data:image/svg+xml" in html


def test_the_pool_holder_confirms_a_pool_transfer_and_the_payer_cannot_even_as_an_admin(
    community, trio, last_month, pool_debt
):
    Membership.objects.filter(pk=trio["c_membership"].pk).update(role=Membership.Role.ADMIN)
    trio["c_membership"].refresh_from_db()
    transfer = closing.month_close(community=community, month=last_month).transfers.get()

    transfers.transfer_declare_paid(membership=trio["c_membership"], transfer=transfer)
    with pytest.raises(NotAllowed):
        transfers.transfer_confirm(membership=trio["c_membership"], transfer=transfer)
    with pytest.raises(NotAllowed):
        transfers.transfer_confirm(membership=trio["b_membership"], transfer=transfer)
    transfers.transfer_confirm(membership=trio["a_membership"], transfer=transfer)

    assert settlements() == 1


def test_the_pool_holder_is_told_of_payments_into_the_pool(
    community, trio, last_month, pool_debt, mailoutbox, django_capture_on_commit_callbacks
):
    english(trio["a"], trio["c"])
    period = closing.month_close(community=community, month=last_month)

    emails.settlement_emails_send(period=period)
    with django_capture_on_commit_callbacks(execute=True):
        transfers.transfer_declare_paid(membership=trio["c_membership"], transfer=period.transfers.get())

    to_anne = [message for message in mailoutbox if message.to == [trio["a"].email]]
    to_chloe = next(message for message in mailoutbox if message.to == [trio["c"].email])
    assert "€10.00 to the community pool, held by Anne" in to_chloe.body
    assert "FR76 3000 6000 0112 3456 7890 189" in to_chloe.body
    assert len(to_chloe.attachments) == 1  # the EPC QR code
    assert "€10.00 from Chloe, into the community pool you hold" in to_anne[0].body
    assert "Chloe says they paid €10.00 into the community pool you hold" in to_anne[1].subject


def test_without_a_pool_holder_the_settle_page_asks_admins_to_name_one(client, community, trio, last_month, pool_debt):
    Community.objects.filter(pk=community.pk).update(pool_holder=None)
    closing.month_close(community=community, month=last_month)

    admin_page = page(client, trio["a"], url("ledger_settle", community))
    member_page = page(client, trio["c"], url("ledger_settle", community))

    assert "Nobody holds the community pool" in admin_page
    assert "Name a pool holder in the community settings." in admin_page
    assert url("community_edit", community) in admin_page
    assert "Ask an admin to name a pool holder." in member_page


def test_a_pool_holder_who_is_no_longer_an_admin_holds_nothing(client, community, trio, last_month, pool_debt):
    Membership.objects.filter(pk=trio["a_membership"].pk).update(role=Membership.Role.MEMBER)
    add_member(community, "Zoe", role=Membership.Role.ADMIN)
    closing.month_close(community=community, month=last_month)
    html = page(client, trio["c"], url("ledger_settle", community))

    assert "held by Anne" not in html
    assert "FR76" not in html
    assert "nobody holds it yet" in html


# --- The settle page's cost ---------------------------------------------------------------------


def _plan_with_debtors(community, holder, count: int, last_month) -> None:
    """``count`` members each owe the holder and the pool, half of them declared a payment of an earlier plan."""
    car = VehicleFactory(community=community, owner=holder, rate_per_km=Decimal("0.300"))
    kangoo = VehicleFactory(community=community, owner=None, rate_per_km=Decimal("0.200"))
    earlier = previous_month(last_month)
    debtors = [add_member(community, f"Debtor {community.pk} {index}") for index in range(count)]
    for index, (user, _membership) in enumerate(debtors):
        User.objects.filter(pk=user.pk).update(iban=IBAN)
        services.trip_charge(trip=make_trip(car, user, 10 + index, ended_at=mid(earlier, community)))
    for transfer, (_user, membership) in zip(
        closing.month_close(community=community, month=earlier).transfers.order_by("payer__user__display_name"),
        sorted(debtors, key=lambda debtor: debtor[0].display_name),
        strict=True,
    ):
        if transfer.pk % 2:
            transfers.transfer_declare_paid(membership=membership, transfer=transfer)
    for index, (user, _membership) in enumerate(debtors):
        services.trip_charge(trip=make_trip(kangoo, user, 20 + index, ended_at=mid(last_month, community)))
    closing.month_close(community=community, month=last_month)


def test_the_settle_page_takes_the_same_queries_for_2_and_12_transfers(client, db, last_month):
    few, many = CommunityFactory(name="Few"), CommunityFactory(name="Many")
    counts = []
    for community, debtors in ((few, 2), (many, 12)):
        holder, _membership = add_member(community, f"Holder {community.pk}", role=Membership.Role.ADMIN)
        User.objects.filter(pk=holder.pk).update(iban=IBAN)
        Community.objects.filter(pk=community.pk).update(pool_holder=holder)
        _plan_with_debtors(community, holder, debtors, last_month)
        client.force_login(holder)
        counts.append(queries_to_get(client, url("ledger_settle", community)))

    assert counts[0] == counts[1]
