"""Every community URL × every fixed person → the status that person gets.

Outsiders (the admin of another community) get 404 everywhere, even with valid ids; anonymous
visitors are sent to the login page; members get 403 on admin- or owner-only actions. A URL added
without a row here fails `test_every_community_url_is_in_the_matrix`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from bookings.models import Booking, BookingSeries
from communities.models import Membership

PEOPLE = ("anonymous", "outsider", "member", "owner", "admin")
LOGIN = "login"  # anonymous: redirected to the login page


def _kwargs(world, name: str) -> dict:
    c = world.community.pk
    by_name = {
        "member_approve": {"pk": world.pending.pk},
        "member_reject": {"pk": world.pending.pk},
        "member_promote": {"pk": world.member_membership.pk},
        "member_demote": {"pk": world.member_membership.pk},
        "member_remove": {"pk": world.member_membership.pk},
        "member_inactivate": {"pk": world.member_membership.pk},
        "member_reactivate": {"pk": world.member_membership.pk},
        "invitation_revoke": {"pk": world.invitation.pk},
        "vehicle_blackout_delete": {"pk": world.vehicle.pk, "bpk": world.blackout.pk},
        "calendar_vehicle": {"vehicle_id": world.vehicle.pk},
        "ledger_transaction_undo": {"pk": world.expense.transactions.get().pk},
        "ledger_expense_cancel": {"pk": world.expense.pk},
        "ledger_receipt_attach": {"pk": world.expense.pk},
        "ledger_transfer_declare_paid": {"pk": world.transfer.pk},
        "ledger_transfer_confirm": {"pk": world.transfer.pk},
        "ledger_vehicle_report": {"vehicle_id": world.vehicle.pk},
    }
    if name in by_name:
        return {"community_id": c, **by_name[name]}
    if name in ("booking_series_change", "booking_series_cancel"):
        return {"community_id": c, "pk": _in_a_series(world.booking).pk}
    if name.startswith("vehicle_") and name not in ("vehicle_list", "vehicle_create"):
        return {"community_id": c, "pk": world.vehicle.pk}
    if name.startswith(("booking_", "trip_")) and name not in (
        "booking_create",
        "booking_estimate",
        "booking_find",
        "booking_feeds",
        "booking_feed_regenerate",
    ):
        return {"community_id": c, "pk": world.booking.pk}
    return {"community_id": c}


def _in_a_series(booking):
    """The world's booking made a date of a weekly recurring booking (the series pages are about one)."""
    local = timezone.localtime(booking.starts_at)
    series = BookingSeries.objects.create(
        community=booking.community,
        vehicle=booking.vehicle,
        member=booking.member,
        first_date=local.date(),
        until=local.date(),
        start_time=local.time(),
        end_time=timezone.localtime(booking.ends_at).time(),
    )
    Booking.objects.filter(pk=booking.pk).update(series=series)
    return booking


# (url name, method, {person: expected status}). "member" booked the requested booking under test;
# "owner" owns its vehicle, so owner and admin may decide on it; only the booker drives.
ALL_MEMBERS = {"member": 200, "owner": 200, "admin": 200}
ADMIN_ONLY_PAGE = {"member": 403, "owner": 403, "admin": 200}
ADMIN_ONLY_ACTION = {"member": 403, "owner": 403, "admin": 302}
MANAGER_PAGE = {"member": 403, "owner": 200, "admin": 200}
MANAGER_ACTION = {"member": 403, "owner": 302, "admin": 302}

MATRIX = [
    ("community_detail", "get", ALL_MEMBERS),
    ("community_edit", "get", ADMIN_ONLY_PAGE),
    ("community_backup", "get", ADMIN_ONLY_PAGE),
    ("community_backup", "post", ADMIN_ONLY_ACTION),
    ("community_leave", "get", ALL_MEMBERS),
    ("checklist_hide", "post", {"member": 302, "owner": 302, "admin": 302}),
    ("member_list", "get", ALL_MEMBERS),
    ("member_approve", "post", ADMIN_ONLY_ACTION),
    ("member_reject", "post", ADMIN_ONLY_ACTION),
    ("member_promote", "post", ADMIN_ONLY_ACTION),
    ("member_demote", "post", ADMIN_ONLY_ACTION),
    ("member_remove", "post", ADMIN_ONLY_ACTION),
    ("member_inactivate", "post", ADMIN_ONLY_ACTION),
    # The member is not inactive: the admin's attempt is refused with a message and sent back to the list.
    ("member_reactivate", "post", ADMIN_ONLY_ACTION),
    ("invitation_list", "get", ADMIN_ONLY_PAGE),
    ("invitation_email", "get", ADMIN_ONLY_PAGE),
    ("invitation_revoke", "post", ADMIN_ONLY_ACTION),
    ("vehicle_list", "get", ALL_MEMBERS),
    ("vehicle_create", "get", ALL_MEMBERS),
    ("vehicle_detail", "get", ALL_MEMBERS),
    ("vehicle_photo", "get", ALL_MEMBERS),
    ("vehicle_edit", "get", MANAGER_PAGE),
    ("vehicle_set_active", "post", MANAGER_ACTION),
    ("vehicle_availability", "get", MANAGER_PAGE),
    ("vehicle_blackout_add", "get", MANAGER_PAGE),
    ("vehicle_blackout_delete", "post", MANAGER_ACTION),
    ("booking_create", "get", ALL_MEMBERS),
    ("booking_estimate", "get", ALL_MEMBERS),
    ("booking_find", "get", ALL_MEMBERS),
    ("booking_detail", "get", ALL_MEMBERS),
    ("booking_confirm", "get", MANAGER_PAGE),
    ("booking_reject", "get", MANAGER_PAGE),
    ("booking_cancel", "get", ALL_MEMBERS),
    ("booking_change", "get", ALL_MEMBERS),
    ("booking_extend", "get", ALL_MEMBERS),
    ("series_create", "get", ALL_MEMBERS),
    # A date of the member's recurring booking: the member replaces the following dates (they become theirs);
    # the member, the owner and admins may cancel them.
    ("booking_series_change", "get", {"member": 200, "owner": 403, "admin": 403}),
    ("booking_series_cancel", "get", ALL_MEMBERS),
    ("trip_start", "get", {"member": 200, "owner": 403, "admin": 403}),
    # No trip has started yet: nobody can end it.
    ("trip_end", "get", {"member": 404, "owner": 404, "admin": 404}),
    ("booking_feeds", "get", ALL_MEMBERS),
    ("booking_feed_regenerate", "post", {"member": 302, "owner": 302, "admin": 302}),
    ("calendar", "get", ALL_MEMBERS),
    ("calendar_vehicle", "get", ALL_MEMBERS),
    ("my_bookings", "get", ALL_MEMBERS),
    ("ledger_account", "get", ALL_MEMBERS),
    ("ledger_statement_csv", "get", ALL_MEMBERS),
    ("ledger_statement_pdf", "get", ALL_MEMBERS),
    ("ledger_balances", "get", ALL_MEMBERS),
    ("ledger_settle", "get", ALL_MEMBERS),
    ("ledger_expenses", "get", ALL_MEMBERS),
    ("ledger_expense_create", "get", ALL_MEMBERS),
    ("ledger_vehicle_report", "get", ALL_MEMBERS),
    # The cost calculator is for people who manage a vehicle: its owner and admins.
    ("ledger_calculator", "get", MANAGER_PAGE),
    # The member recorded the expense (author); the owner is charged for it but may not undo it.
    ("ledger_transaction_undo", "get", {"member": 200, "owner": 403, "admin": 200}),
    ("ledger_expense_cancel", "post", {"member": 302, "owner": 403, "admin": 302}),
    # Adding a receipt later: the same people as undoing the expense.
    ("ledger_receipt_attach", "post", {"member": 302, "owner": 403, "admin": 302}),
    # The owner pays the member: only the payer declares; the payee (or an admin who is not the payer) confirms.
    ("ledger_transfer_declare_paid", "post", {"member": 403, "owner": 302, "admin": 403}),
    ("ledger_transfer_confirm", "post", {"member": 302, "owner": 403, "admin": 302}),
    # What the community shares with territories and the open-data feed: its admins decide.
    ("community_sharing", "get", ADMIN_ONLY_PAGE),
    ("community_consent_grant", "post", ADMIN_ONLY_ACTION),
    ("community_open_data", "post", ADMIN_ONLY_ACTION),
    ("community_insee_code", "post", ADMIN_ONLY_ACTION),
]
# Reached only through objects the matrix does not create; covered by their app's own tests.
COVERED_ELSEWHERE = {
    "incident_photo": "tests/bookings/test_views.py",
    "ledger_receipt": "tests/ledger/test_views_costs.py",
    "community_consent_withdraw": "tests/territories/test_views.py",
    "community_backup_status": "tests/backups/test_views.py",
    "community_backup_download": "tests/backups/test_views.py",
}


def _community_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "<int:community_id>" in route and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_community_url_is_in_the_matrix():
    covered = {name for name, _method, _expected in MATRIX} | set(COVERED_ELSEWHERE)
    assert _community_url_names() - covered == set()


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(("name", "method", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_each_person_gets_the_expected_status(client, world, people, person, name, method, expected):
    user = people[person]
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=_kwargs(world, name))
    response = getattr(client, method)(url)

    if person == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    elif person == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == expected[person], response.content[:300]


@pytest.mark.parametrize(("name", "method", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsider_gets_404_even_through_their_own_community(client, world, outsider, name, method, expected):
    """Swapping in the outsider's own community id must not reach our objects either."""
    client.force_login(outsider)
    kwargs = _kwargs(world, name)
    kwargs["community_id"] = Membership.objects.get(user=outsider).community_id
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    if set(kwargs) == {"community_id"}:
        # Pages about the community itself: the outsider sees their own community, never ours.
        assert world.community.name.encode() not in response.getvalue()
    else:
        assert response.status_code == 404
