"""The fixed people every test can use: admin, owner, member of one community, and an outsider
(the admin of another community).

``TEST_FROZEN_AT=2026-12-01T00:05+01:00 pytest`` starts every test at that instant (the clock then runs on):
the way to find tests that depend on the wall clock's day, e.g. "this month" in the first minutes of a month.
A test that needs a fixed moment freezes it itself with time-machine (``time_machine.move_to(..., tick=False)``).
"""

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

# The shared checks in tests/helpers.py report their failures as fully as the tests' own asserts.
pytest.register_assert_rewrite("tests.helpers")

from bookings.models import Booking  # noqa: E402
from communities.models import Invitation, Membership  # noqa: E402
from tests.factories import (  # noqa: E402
    CommunityFactory,
    ExpenseFactory,
    MembershipFactory,
    TransferFactory,
    VehicleFactory,
    book,
    member_of,
)
from tests.helpers import image_bytes  # noqa: E402
from vehicles.models import Blackout  # noqa: E402

FROZEN_AT = datetime.fromisoformat(os.environ["TEST_FROZEN_AT"]) if os.environ.get("TEST_FROZEN_AT") else None


def pytest_report_header(config):
    if FROZEN_AT:
        return f"TEST_FROZEN_AT: every test starts at {FROZEN_AT.isoformat()}"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres("why")`` are skipped on another database, saying why."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    for item in items:
        if marker := item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.skip(reason=f"needs PostgreSQL ({', '.join(marker.args) or 'its features'})"))


@pytest.fixture(autouse=True)
def _wall_clock(request):
    """First of the autouse fixtures, so that everything a test makes is made at ``TEST_FROZEN_AT``; a test that
    sets its own time with ``@pytest.mark.time_machine(...)`` keeps it, and one marked ``real_clock`` the machine's."""
    if FROZEN_AT is None or any(request.node.get_closest_marker(name) for name in ("time_machine", "real_clock")):
        yield
        return
    with time_machine.travel(FROZEN_AT, tick=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def _test_services():
    """Tasks run in-process even when REDIS_URL names a broker (as on CI), and parallel workers
    (pytest-xdist) each get their own Redis database, since cache.clear() flushes a whole database."""
    from colocauto.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    cache = django_settings.CACHES["default"]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if "RedisCache" not in cache["BACKEND"] or worker == "gw0":
        yield
        return
    location = urlsplit(cache["LOCATION"])
    number = (int(location.path.strip("/") or 0) - int(worker.removeprefix("gw"))) % 16
    with override_settings(CACHES={"default": {**cache, "LOCATION": location._replace(path=f"/{number}").geturl()}}):
        yield


@pytest.fixture(scope="session", autouse=True)
def _ledger_truncate_allowed_in_flush():
    """Tests on a real database (transaction=True) end with a flush: a TRUNCATE of every table, which the
    ledger's PostgreSQL guards refuse unless the flush's transaction allows it (``ledger.db_guards``)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    from ledger.db_guards import ALLOW_TRUNCATE

    sql_flush = DatabaseOperations.sql_flush

    def sql_flush_allowing_the_ledger(self, style, tables, **options):
        statements = sql_flush(self, style, tables, **options)
        return [ALLOW_TRUNCATE, *statements] if statements else statements

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush_allowing_the_ledger)
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def community(db):
    return CommunityFactory(name="Les Tilleuls")


@pytest.fixture
def admin_user(community):
    return member_of(community, Membership.Role.ADMIN, email="admin@example.org", display_name="Alice Admin")


@pytest.fixture
def owner(community):
    return member_of(community, email="owner@example.org", display_name="Oscar Owner")


@pytest.fixture
def member(community):
    return member_of(community, email="member@example.org", display_name="Maya Member")


@pytest.fixture
def other_community(db):
    return CommunityFactory(name="Les Peupliers")


@pytest.fixture
def outsider(other_community):
    return member_of(other_community, Membership.Role.ADMIN, email="outsider@example.org", display_name="Otto Outsider")


@pytest.fixture
def vehicle(community, owner):
    return VehicleFactory(community=community, owner=owner, name="Clio bleue")


@pytest.fixture
def pool_car(community):
    """A vehicle the community owns (no owner): admins answer its requests, its use is credited to the pool."""
    return VehicleFactory(community=community, owner=None, name="Kangoo du hameau")


@pytest.fixture
def now():
    """The moment the test's data is made from (``now + timedelta(days=1)``: tomorrow)."""
    return timezone.now()


@pytest.fixture
def people(admin_user, owner, member, outsider):
    return {"admin": admin_user, "owner": owner, "member": member, "outsider": outsider, "anonymous": None}


@dataclass
class World:
    """One of each object a URL may be about, in ``community``: ``member`` booked ``booking`` (requested) and
    paid ``expense``; ``owner`` owns ``vehicle`` and owes ``member`` the ``transfer``; ``admin`` administers the
    community. The permission matrices of the pages (tests/test_permissions.py) and of the API call every URL
    about them as every person."""

    community: object
    vehicle: object
    booking: object
    pending: object
    member_membership: object
    invitation: object
    blackout: object
    expense: object
    transfer: object
    territory: object = None  # set by the API's matrix (tests/api/conftest.py)
    extras: dict = field(default_factory=dict)  # what a row makes on demand, once


@pytest.fixture
def world(community, admin_user, owner, member, outsider, vehicle):
    start = timezone.now() + timedelta(days=2)
    vehicle.photo.save("car.png", SimpleUploadedFile("car.png", image_bytes()), save=True)
    booking = book(vehicle, member, start, hours=3, status=Booking.Status.REQUESTED)
    expense = ExpenseFactory(vehicle=vehicle, paid_by=member, spent_on=timezone.localdate() - timedelta(days=1))
    return World(
        community=community,
        vehicle=vehicle,
        booking=booking,
        pending=MembershipFactory(community=community, pending=True),
        member_membership=Membership.objects.get(community=community, user=member),
        invitation=Invitation.objects.create(community=community, created_by=admin_user),
        blackout=Blackout.objects.create(
            vehicle=vehicle, starts_at=start + timedelta(days=5), ends_at=start + timedelta(days=6), reason="garage"
        ),
        expense=expense,
        transfer=TransferFactory(
            period__community=community, period__month=date(2026, 1, 1), paid_by=owner, paid_to=member
        ),
    )


@pytest.fixture
def mail_server(settings):
    """A real SMTP server on a free port (tests/mailserver.py), with Django's SMTP backend pointed at it."""
    from tests.mailserver import MailServer, SmtpSink

    with MailServer(SmtpSink()) as server:
        for name, value in server.django_settings().items():
            setattr(settings, name, value)
        yield server
