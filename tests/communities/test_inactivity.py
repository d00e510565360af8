"""Inactive members (issue 11): admins see who has not taken part for the community's number of months, mark them
inactive from the next month (the member is told once, in their language) and make them active again; a member
who books is active again from the next month."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities import emails, inactivity, tasks
from communities.models import Inactivity, Membership
from communities.rules import LastAdmin
from ledger.member_activity import quiet_members, quiet_since
from tests.factories import ExpenseFactory, MembershipFactory, UserFactory, book
from tests.helpers import MID_MONTH, english, page, url

pytestmark = pytest.mark.time_machine(MID_MONTH, tick=False)
DECEMBER = date(2026, 12, 1)


def _membership(community, user) -> Membership:
    return Membership.objects.select_related("community", "user").get(community=community, user=user)


def _quiet(community, name: str, *, days_ago: int = 400) -> Membership:
    """A member who joined ``days_ago`` and has done nothing since."""
    user = UserFactory(display_name=name, language="en")
    return MembershipFactory(community=community, user=user, joined_at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def admin(community, admin_user):
    return _membership(community, admin_user)


# --- Who is listed -------------------------------------------------------------------------------------------


def test_quiet_since_is_the_communitys_months_before_today(community):
    community.inactivity_months = 6
    assert quiet_since(community).date() == date(2026, 5, 18)
    community.inactivity_months = 9
    assert quiet_since(community).date() == date(2026, 2, 18)


def test_members_without_activity_for_the_communitys_months_are_listed_with_their_last_activity(
    community, admin, vehicle
):
    old = _quiet(community, "Quiet Quentin")
    recent = _quiet(community, "New Nina", days_ago=30)
    long_ago = timezone.now() - timedelta(days=300)
    booked = _quiet(community, "Booker Bea")
    book(vehicle, booked.user, timezone.now() + timedelta(days=3))
    paid = _quiet(community, "Payer Paul")
    ExpenseFactory(vehicle=vehicle, paid_by=paid.user)
    signed_in = _quiet(community, "Login Lou")
    signed_in.user.last_login = long_ago
    signed_in.user.save(update_fields=["last_login"])
    listed = {m.user.display_name: m.last_activity for m in quiet_members(admin)}
    assert set(listed) >= {"Quiet Quentin", "Login Lou"}
    assert not {"New Nina", "Booker Bea", "Payer Paul"} & set(listed)
    assert listed["Quiet Quentin"] == old.joined_at
    assert listed["Login Lou"] == long_ago
    assert recent.pk not in [m.pk for m in quiet_members(admin)]


def test_a_longer_setting_lists_fewer_members(community, admin):
    _quiet(community, "Eight Months", days_ago=240)
    assert "Eight Months" in [m.user.display_name for m in quiet_members(admin)]
    community.inactivity_months = 9
    community.save()
    admin.community.refresh_from_db()
    assert "Eight Months" not in [m.user.display_name for m in quiet_members(admin)]


def test_listing_quiet_members_takes_one_query_whatever_their_history(community, admin, vehicle):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            quiet_members(admin)
        return len(queries)

    _quiet(community, "First")
    before = count()
    for n in range(8):
        someone = _quiet(community, f"Member {n}")
        book(vehicle, someone.user, timezone.now() - timedelta(days=300 - 3 * n), status="completed")
        ExpenseFactory(vehicle=vehicle, paid_by=someone.user, spent_on=date(2025, 12, 1))
    assert count() == before == 1


def test_only_admins_see_the_quiet_members(client, community, admin, member):
    _quiet(community, "Quiet Quentin")
    members_url = url("member_list", community)
    assert "Quiet Quentin" in page(client, admin.user, members_url).split('id="quiet-title"')[1]
    assert 'id="quiet-title"' not in page(client, member, members_url)


def test_the_members_page_takes_as_many_queries_for_many_quiet_members(client, community, admin):
    client.force_login(admin.user)
    members_url = url("member_list", community)
    _quiet(community, "First")
    with CaptureQueriesContext(connection) as few:
        client.get(members_url)
    for n in range(10):
        inactivity.membership_mark_inactive(actor=admin, membership=_quiet(community, f"Member {n}"))
    with CaptureQueriesContext(connection) as many:
        client.get(members_url)
    assert len(many) == len(few)


# --- Marking inactive and active again -----------------------------------------------------------------------


def test_an_admin_marks_a_member_inactive_from_the_first_of_next_month(community, admin):
    quiet = _quiet(community, "Quiet Quentin")
    marked = inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    assert (marked.starts_on, marked.ends_on, marked.marked_by) == (DECEMBER, None, admin.user)


@time_machine.travel("2026-11-30T23:30:00+00:00", tick=False)
def test_next_month_is_the_communitys_next_month(community, admin):
    """At 23:30 UTC on 30 November it is already 1 December in Paris: inactive from January."""
    quiet = _quiet(community, "Quiet Quentin")
    assert inactivity.membership_mark_inactive(actor=admin, membership=quiet).starts_on == date(2027, 1, 1)


def test_a_member_cannot_mark_anyone_inactive(community, member, admin):
    from colocauto.core.errors import NotAllowed

    with pytest.raises(NotAllowed) as refused:
        inactivity.membership_mark_inactive(actor=_membership(community, member), membership=admin)
    assert refused.value.code == "admin_only"


def test_a_member_marked_twice_is_refused(community, admin):
    quiet = _quiet(community, "Quiet Quentin")
    inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    with pytest.raises(inactivity.AlreadyInactive) as refused:
        inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    assert refused.value.code == "already_inactive"


def test_the_only_admin_cannot_mark_themselves_inactive(community, admin):
    with pytest.raises(LastAdmin):
        inactivity.membership_mark_inactive(actor=admin, membership=admin)
    assert not Inactivity.objects.exists()


def test_a_former_member_cannot_be_marked_inactive(community, admin):
    quiet = _quiet(community, "Gone Gaston")
    Membership.objects.filter(pk=quiet.pk).update(status=Membership.Status.LEFT, ended_at=timezone.now())
    with pytest.raises(Exception) as refused:
        inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    assert getattr(refused.value, "code", None) == "not_active_member"


def test_reactivating_before_the_month_starts_leaves_a_period_of_no_day(community, admin):
    from ledger.membership_days import membership_days

    quiet = _quiet(community, "Quiet Quentin")
    inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    inactivity.membership_reactivate(actor=admin, membership=quiet)
    period = Inactivity.objects.get()
    assert (period.starts_on, period.ends_on) == (DECEMBER, DECEMBER)
    assert membership_days(community, DECEMBER)[quiet.user_id] == 31
    assert inactivity.open_inactivity(quiet) is None


def test_reactivating_ends_the_inactivity_at_the_first_of_next_month(community, admin):
    quiet = _quiet(community, "Quiet Quentin")
    inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    with time_machine.travel("2027-02-10T12:00:00+01:00", tick=False):
        inactivity.membership_reactivate(actor=admin, membership=quiet)
    period = Inactivity.objects.get()
    assert (period.starts_on, period.ends_on, period.ended_by) == (DECEMBER, date(2027, 3, 1), admin.user)


def test_reactivating_an_active_member_is_refused(community, admin, member):
    with pytest.raises(inactivity.NotInactive) as refused:
        inactivity.membership_reactivate(actor=admin, membership=_membership(community, member))
    assert refused.value.code == "not_inactive"


def test_an_inactive_member_who_books_is_active_again_from_next_month(community, admin, vehicle):
    from bookings.services import booking_create

    quiet = _quiet(community, "Quiet Quentin")
    inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    with time_machine.travel("2027-01-20T12:00:00+01:00", tick=False):
        start = timezone.now() + timedelta(days=2)
        booking_create(membership=quiet, vehicle=vehicle, starts_at=start, ends_at=start + timedelta(hours=2))
    period = Inactivity.objects.get()
    assert (period.ends_on, period.ended_by) == (date(2027, 2, 1), quiet.user)


def test_the_pages_mark_and_reactivate_and_show_the_badge(client, community, admin, member):
    quiet = _quiet(community, "Quiet Quentin")
    english(admin.user)
    client.force_login(admin.user)
    response = client.post(url("member_inactivate", community, quiet.pk), follow=True)
    html = response.content.decode()
    assert "Quiet Quentin is marked inactive from next month" in html
    assert "inactive from December 2026" in html
    assert (
        "Quiet Quentin is already inactive."
        in client.post(url("member_inactivate", community, quiet.pk), follow=True).content.decode()
    )
    client.post(url("member_reactivate", community, quiet.pk))
    assert inactivity.open_inactivity(quiet) is None


def test_the_inactive_member_is_told_on_their_overview(client, community, admin, member):
    membership = _membership(community, member)
    inactivity.membership_mark_inactive(actor=admin, membership=membership)
    html = page(client, member, url("community_detail", community))
    assert "You are an inactive member" in html
    assert "December 2026" in html
    assert "You are an inactive member" not in page(client, admin.user, url("community_detail", community))


# --- The notice ----------------------------------------------------------------------------------------------


def test_the_member_is_told_once_in_their_own_language(
    community, admin, mailoutbox, django_capture_on_commit_callbacks
):
    quiet = _quiet(community, "Quentin")
    quiet.user.language = "fr"
    quiet.user.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        marked = inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [quiet.user.email]
    assert "membre inactif" in message.subject
    assert "décembre 2026" in message.body
    assert "6 mois" in message.body
    marked.refresh_from_db()
    assert marked.notice_sent_at is not None
    assert tasks.notify_member_inactive.delay(marked.pk).get() is False
    assert emails.notices_sweep() == 0
    assert len(mailoutbox) == 1


def test_the_notice_in_english(community, admin, mailoutbox, django_capture_on_commit_callbacks):
    quiet = _quiet(community, "Quentin")
    with django_capture_on_commit_callbacks(execute=True):
        inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    body = mailoutbox[0].body
    assert "marked you as an inactive member from December 2026" in body
    assert "for 6 months" in body
    assert "book a vehicle" in body


def test_the_sweep_sends_a_notice_the_task_did_not(community, admin, mailoutbox):
    quiet = _quiet(community, "Quentin")
    inactivity.membership_mark_inactive(actor=admin, membership=quiet)  # no commit callbacks: the task never ran
    assert mailoutbox == []
    assert emails.notices_sweep() == 1
    assert len(mailoutbox) == 1


def test_the_member_is_told_once_when_an_admin_makes_them_active_again(
    community, admin, mailoutbox, django_capture_on_commit_callbacks
):
    quiet = _quiet(community, "Quentin")
    marked = inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    with time_machine.travel("2027-02-10T12:00:00+01:00", tick=False), django_capture_on_commit_callbacks(execute=True):
        inactivity.membership_reactivate(actor=admin, membership=quiet)
    assert len(mailoutbox) == 1
    assert "active member again" in mailoutbox[0].subject
    assert "An admin of “Les Tilleuls” made you an active member again from March 2027." in mailoutbox[0].body
    assert tasks.notify_member_active_again.delay(marked.pk).get() is False
    assert len(mailoutbox) == 1


def test_a_member_who_books_is_told_their_booking_made_them_active_again(
    community, admin, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    from bookings.services import booking_create

    quiet = _quiet(community, "Quentin")
    quiet.user.language = "fr"
    quiet.user.save(update_fields=["language"])
    inactivity.membership_mark_inactive(actor=admin, membership=quiet)
    start = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        booking_create(membership=quiet, vehicle=vehicle, starts_at=start, ends_at=start + timedelta(hours=2))
    told = [message for message in mailoutbox if message.to == [quiet.user.email]]
    assert len(told) == 1
    assert "Vous avez réservé un véhicule" in told[0].body
    assert "décembre 2026" in told[0].body
