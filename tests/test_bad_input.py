"""Bad input never gets a server error: every page and form of a community, fed malformed values.

Each URL is requested as an admin with every query parameter the app reads set to hostile values
(non-ASCII digits, huge numbers, dates out of range, garbage), and each of its forms is posted with
one field at a time replaced by such a value. A 400, 403, 404 or a form error are all fine
answers; an exception or a 5xx is not.
"""

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from backups.models import CommunityExport
from bookings.models import Booking
from communities.models import Invitation, Membership
from tests.factories import ExpenseFactory, MembershipFactory, TransferFactory, book, drive
from tests.helpers import image_bytes
from vehicles.models import Blackout

BAD_VALUES = (
    "abc",
    "\u00b2",  # a digit for str.isdigit(), not for int()
    "-1",
    "99999999999999999999",
    "9999-12",
    "0001-01-01",
    "0001-01-01T00:00+14:00",
    "9999-12-31T23:59",
    "",
    "12\x00",  # PostgreSQL refuses NUL in text: the request is refused before any query
)
QUERY_PARAMETERS = (
    "view",
    "date",
    "vehicle",
    "start",
    "end",
    "upcoming",
    "past",
    "member",
    "month",
    "page",
    "next",
    "community",
    "km_per_year",
)
SKIPPED = {"healthz"}  # not a community page


def _community_routes() -> list[tuple[str, str]]:
    routes: list[tuple[str, str]] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and pattern.name and "<int:community_id>" in route:
                routes.append((pattern.name, route))

    walk(get_resolver().url_patterns, "")
    return sorted(routes)


ROUTES = _community_routes()


@pytest.fixture
def world(community, admin_user, owner, member, vehicle):
    membership = Membership.objects.get(community=community, user=member)
    start = timezone.now() + timedelta(days=2)
    booking = book(vehicle, member, start, hours=3, status=Booking.Status.REQUESTED)
    began = timezone.now() - timedelta(hours=3)
    driven = book(vehicle, member, began, hours=2)
    trip = drive(
        membership,
        driven,
        37,
        incident_description="A scratch",
        incident_photos=[SimpleUploadedFile("scratch.png", image_bytes())],
    )
    expense = ExpenseFactory(
        vehicle=vehicle,
        paid_by=member,
        spent_on=timezone.localdate() - timedelta(days=1),
        receipt=SimpleUploadedFile("receipt.png", image_bytes()),
    )
    transfer = TransferFactory(
        period__community=community, period__month=date(2026, 1, 1), paid_by=owner, paid_to=member
    )
    pending = MembershipFactory(community=community, pending=True)
    backup = CommunityExport.objects.create(community=community, requested_by=admin_user)
    ids = {
        "member_approve": {"pk": pending.pk},
        "member_reject": {"pk": pending.pk},
        "member_promote": {"pk": membership.pk},
        "member_demote": {"pk": membership.pk},
        "member_remove": {"pk": membership.pk},
        "invitation_revoke": {"pk": Invitation.objects.create(community=community, created_by=admin_user).pk},
        "vehicle_blackout_delete": {
            "pk": vehicle.pk,
            "bpk": Blackout.objects.create(
                vehicle=vehicle, starts_at=start + timedelta(days=5), ends_at=start + timedelta(days=6)
            ).pk,
        },
        "calendar_vehicle": {"vehicle_id": vehicle.pk},
        "ledger_vehicle_report": {"vehicle_id": vehicle.pk},
        "ledger_transaction_undo": {"pk": expense.transactions.get().pk},
        "ledger_expense_cancel": {"pk": expense.pk},
        "ledger_receipt": {"pk": expense.pk},
        "ledger_transfer_declare_paid": {"pk": transfer.pk},
        "ledger_transfer_confirm": {"pk": transfer.pk},
        "incident_photo": {"pk": trip.incidents.get().photos.get().pk},
        "trip_end": {"pk": driven.pk},
        "community_backup_status": {"pk": backup.pk},
        "community_backup_download": {"token": backup.token},
    }
    return {"community": community, "vehicle": vehicle, "booking": booking, "ids": ids}


def _url(world, name: str, route: str) -> str:
    kwargs = {"community_id": world["community"].pk}
    if name in world["ids"]:
        kwargs.update(world["ids"][name])
    elif "<int:pk>" in route:
        kwargs["pk"] = world["vehicle"].pk if name.startswith("vehicle_") else world["booking"].pk
    return reverse(name, kwargs=kwargs)


class _Forms(HTMLParser):
    """The POST forms of a page: their field names and current values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "post": (attrs.get("method") or "").lower() == "post"}
            self._form["fields"] = {}
            self.forms.append(self._form)
        elif self._form is not None and attrs.get("name"):
            name = attrs["name"]
            if tag == "input" and attrs.get("type") not in ("file", "checkbox", "radio", "submit"):
                self._form["fields"][name] = attrs.get("value") or ""
            elif tag == "input" and attrs.get("type") in ("checkbox", "radio") and "checked" in attrs:
                self._form["fields"][name] = attrs.get("value") or "on"
            elif tag == "textarea":
                self._form["fields"][name] = ""
            elif tag == "select":
                self._select = name
        elif (
            tag == "option"
            and self._form is not None
            and self._select
            and attrs.get("value")
            and (self._select not in self._form["fields"] or "selected" in attrs)
        ):
            self._form["fields"][self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def _answer(client, method: str, url: str, data: dict) -> str | None:
    """What went wrong with one request (None if nothing), rolled back so every request sees the same data."""
    savepoint = transaction.savepoint()
    try:
        status = getattr(client, method)(url, data).status_code
    except Exception as error:  # noqa: BLE001 - the test reports every crash, not just the first
        return f"{type(error).__name__}: {str(error)[:120]}"
    finally:
        transaction.savepoint_rollback(savepoint)
    return f"status {status}" if status >= 500 else None


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[name for name, _route in ROUTES])
def test_malformed_values_never_cause_a_server_error(client, world, admin_user, name, route):
    client.raise_request_exception = True
    client.force_login(admin_user)
    url = _url(world, name, route)
    failures = []

    for parameter in QUERY_PARAMETERS:
        for value in BAD_VALUES:
            problem = _answer(client, "get", url, {parameter: value})
            if problem:
                failures.append(f"GET ?{parameter}={value!r}: {problem}")

    page = client.get(url)
    forms = _Forms()
    if page.get("Content-Type", "").startswith("text/html"):
        forms.feed(page.content.decode())
    for form in [f for f in forms.forms if f["post"] and f["action"] in ("", url)]:
        for field in [f for f in form["fields"] if f != "csrfmiddlewaretoken"]:
            for value in BAD_VALUES:
                problem = _answer(client, "post", url, {**form["fields"], field: value})
                if problem:
                    failures.append(f"POST {field}={value!r}: {problem}")

    assert failures == []
