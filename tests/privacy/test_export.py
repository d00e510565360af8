"""Download my data: the archive holds every value Colocauto keeps about the person, in JSON (valid against
its own schema) and CSV with a README, their own uploads, and nothing private of anyone else."""

import csv
import io
import json
import os
import zipfile
from datetime import time, timedelta
from decimal import Decimal

import jsonschema
import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from api.tokens import token_create
from bookings.models import BookingEvent, BookingSeries, CalendarFeed, Incident, IncidentPhoto
from colocauto.core.privacy import registry
from communities.models import Invitation, Membership
from ledger.models import Account
from privacy import archive, services
from privacy.models import DataExport
from privacy.tasks import exports_sweep
from tests.factories import ExpenseFactory, TransferFactory, TripFactory, book, owes
from tests.helpers import english, image_bytes

pytestmark = pytest.mark.django_db

# Values that are never exported, with why: secrets (a feed's or an invitation's token, a token's hash, the
# password's hash), and the app's own bookkeeping (claims of e-mails, idempotency keys, error codes).
NOT_EXPORTED = {
    "password",
    "token",
    "key_hash",
    "idempotency_key",
    "details",
    "notified_to",
    "request_notified_to",
    "cost_model",
    "kind",
    "error_code",
}


@pytest.fixture
def history(community, member, owner, vehicle, now, settings):
    """The member's life in the community: a profile, a booking with a note and its history, a trip with an
    incident and its photo, an expense with a receipt, ledger lines, a settlement transfer, an invitation
    sent, a calendar feed and an API token. The owner has their own private values."""
    member.phone, member.iban, member.display_name = "+33 6 12 34 56 78", "FR7630006000011234567890189", "Maya M."
    member.save()
    owner.phone, owner.iban = "+33 7 98 76 54 32", "DE89370400440532013000"
    owner.save()
    booking = book(vehicle, member, now + timedelta(days=2), note="Pour le marché de Crest")
    weekly = BookingSeries.objects.create(
        community=community,
        vehicle=vehicle,
        member=member,
        frequency=BookingSeries.Frequency.MONTHLY,
        first_date=timezone.localdate() + timedelta(days=9),
        until=timezone.localdate() + timedelta(days=40),
        start_time=time(14),
        end_time=time(18, 30),
    )
    book(vehicle, member, now + timedelta(days=9), series=weekly)
    BookingEvent.objects.create(booking=booking, actor=member, kind="created")
    trip = TripFactory(booking__vehicle=vehicle, booking__member=member, km=42)
    trip.notes = "Pneu avant un peu mou"
    trip.save()
    incident = Incident.objects.create(trip=trip, reported_by=member, description="Rayure sur la portière")
    IncidentPhoto.objects.create(incident=incident, photo=SimpleUploadedFile("scratch.png", image_bytes()))
    expense = ExpenseFactory(
        vehicle=vehicle,
        paid_by=member,
        amount=Decimal("55.10"),
        note="Plein à Intermarché",
        receipt=SimpleUploadedFile("ticket.png", image_bytes(), content_type="image/png"),
    )
    owes(community, owner, member, "12.34")
    TransferFactory(period__community=community, paid_by=member, paid_to=owner, amount=Decimal("21.00"))
    Invitation.objects.create(community=community, email="voisine@example.org", note="Pour Jeanne", created_by=member)
    CalendarFeed.objects.create(user=member)
    token_create(user=member, name="Raccourci iPhone", scope="read")
    return {"booking": booking, "trip": trip, "expense": expense}


def _build(user) -> zipfile.ZipFile:
    target = io.BytesIO()
    archive.build(user, target)
    target.seek(0)
    return zipfile.ZipFile(target)


def _text(zipped: zipfile.ZipFile) -> str:
    return "\n".join(
        zipped.read(name).decode() for name in zipped.namelist() if name.endswith((".json", ".csv", ".txt"))
    )


def _personal_values(user) -> set[str]:
    """Every non-empty text the database holds in a row that refers to ``user`` (through a covered reference)."""
    values = set()
    for reference in registry.covered():
        if reference.count(".") == 1:  # the user model itself
            model = apps.get_model(reference)
            rows = model.objects.filter(pk=user.pk)
        else:
            label, _sep, field = reference.rpartition(".")
            model = apps.get_model(label)
            rows = model.objects.filter(**{field: user})
        for row in rows:
            for column in model._meta.concrete_fields:
                text = isinstance(column, models.CharField | models.TextField)
                if text and column.name not in NOT_EXPORTED and (value := getattr(row, column.attname)):
                    values.add(str(value))
    return values


def test_the_archive_holds_every_value_the_database_holds_about_the_person(history, member):
    text = _text(_build(member))
    values = _personal_values(member)
    assert {"+33 6 12 34 56 78", "FR7630006000011234567890189", "Pour le marché de Crest", "Raccourci iPhone"} <= values
    missing = {value for value in values if value not in text}
    assert not missing


def test_the_archive_holds_the_reasons_the_person_gave_for_undoing_lines(history, member, owner, community):
    from ledger.services import transaction_reverse

    line = owes(community, owner, member, "4.00")
    Membership.objects.filter(community=community, user=member).update(role=Membership.Role.ADMIN)
    undoer = Membership.objects.get(community=community, user=member)
    transaction_reverse(membership=undoer, transaction=line, reason="Compté deux fois")

    # On the statement line and among the postings they recorded, each in data.json and its CSV.
    assert _text(_build(member)).count("Compté deux fois") == 4


def test_the_archive_holds_nothing_private_of_another_member(history, member, owner):
    text = _text(_build(member))
    for private in (owner.email, owner.phone, owner.iban):
        assert private not in text
    assert owner.name in text  # a display name seen in shared history (the transfer's payee)


def test_the_json_follows_its_schema_and_the_csv_files_hold_the_same_rows(history, member):
    zipped = _build(member)
    data, schema = json.loads(zipped.read("data.json")), json.loads(zipped.read("schema.json"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    for name, rows in data["sections"].items():
        table = list(csv.DictReader(io.StringIO(zipped.read(f"csv/{name}.csv").decode())))
        assert len(table) == len(rows), name
    assert data["sections"]["profile"][0]["iban"] == "FR7630006000011234567890189"
    assert data["sections"]["trips"][0]["distance_km"] == 42


def test_the_statement_lines_carry_the_running_balance(history, member, community):
    data = json.loads(_build(member).read("data.json"))
    lines = data["sections"]["ledger_lines"]
    balance = sum(entry.amount for entry in Account.objects.get(community=community, user=member).entries.all())
    assert Decimal(lines[-1]["balance"]) == balance
    assert Decimal(lines[0]["balance"]) == Decimal(lines[0]["amount"])


def test_the_archive_holds_the_persons_own_uploads_and_a_readme(history, member):
    zipped = _build(member)
    names = zipped.namelist()
    assert any(name.startswith("files/receipts/") for name in names)
    assert any(name.startswith("files/incidents/") for name in names)
    data = json.loads(zipped.read("data.json"))
    assert data["sections"]["expenses"][0]["receipt"] in names
    readme = zipped.read("README.txt").decode()
    assert "csv/ledger_lines.csv" in readme and "Relevés de compte" in readme  # in the person's language (French)


def test_the_archive_holds_the_persons_recurring_bookings(history, member):
    sections = json.loads(_build(member).read("data.json"))["sections"]

    (series,) = sections["booking_series"]
    assert (series["frequency"], series["start_time"], series["end_time"]) == ("monthly", "14:00", "18:30")
    assert sorted(b["series"] or 0 for b in sections["bookings"]) == [0, 0, series["series"]]


def test_calendar_feed_secrets_are_masked(history, member):
    text = _text(_build(member))
    assert CalendarFeed.objects.get(user=member).token not in text


# --- The page, the worker, the e-mail and the link ----------------------------------------------------------------


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Press "Prepare my archive" as ``user``; the worker's tasks run once the request's transaction commits."""

    def press(user):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("privacy_my_data"))

    return press


def test_asking_for_ones_data_builds_the_archive_and_emails_a_link(client, member, ask):
    english(member)
    response = ask(member)
    assert response.status_code == 302
    export = DataExport.objects.get(user=member)
    assert export.status == "ready" and export.progress == 100 and export.size > 0
    [message] = mail.outbox
    assert message.to == [member.email] and "ready" in message.subject
    link = reverse("privacy_download", kwargs={"token": export.token})
    assert settings.SITE_URL.rstrip("/") + link in message.body
    page = client.get(reverse("privacy_my_data")).content.decode()
    assert link in page


def test_the_link_works_once(client, member, ask):
    ask(member)
    link = reverse("privacy_download", kwargs={"token": DataExport.objects.get(user=member).token})
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).testzip() is None
    again = client.get(link)
    assert again.status_code == 410


def test_the_link_expires_after_seven_days(client, member, ask, time_machine):
    ask(member)
    link = reverse("privacy_download", kwargs={"token": DataExport.objects.get(user=member).token})
    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1))
    assert client.get(link).status_code == 410


def test_someone_elses_link_is_not_found(client, member, owner, ask):
    ask(member)
    export = DataExport.objects.get(user=member)
    client.force_login(owner)
    assert client.get(reverse("privacy_download", kwargs={"token": export.token})).status_code == 404
    assert client.get(reverse("privacy_export_status", args=[export.pk])).status_code == 404
    assert DataExport.objects.get(pk=export.pk).downloaded_at is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("privacy_download", kwargs={"token": "x" * 43}))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_status_says_how_far_the_preparation_is(client, member):
    export = DataExport.objects.create(user=member)
    DataExport.objects.filter(pk=export.pk).update(progress=40, claimed_at=export.requested_at)
    client.force_login(member)
    english(member)
    body = client.get(reverse("privacy_export_status", args=[export.pk])).json()
    assert body == {"status": "building", "label": "Being prepared", "progress": 40}
    page = client.get(reverse("privacy_my_data")).content.decode()
    assert 'value="40"' in page and "Prepare my archive" not in page


def test_asking_too_often_is_refused_with_a_message(client, member, ask, settings):
    settings.PRIVACY_EXPORTS_PER_DAY = 2
    english(member)
    for _ in range(3):
        response = ask(member)
    assert DataExport.objects.filter(user=member).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "You have asked for your data several times today" in page


def test_a_build_left_by_a_dead_worker_is_done_by_the_sweep(member, time_machine, django_capture_on_commit_callbacks):
    export = DataExport.objects.create(user=member)
    DataExport.objects.filter(pk=export.pk).update(claimed_at=export.requested_at, progress=30)  # the worker died
    assert services.export_build(export_id=export.pk) is False  # its claim still holds
    time_machine.move_to(timezone.now() + services.BUILD_LEASE + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        exports_sweep()
    export.refresh_from_db()
    assert export.status == "ready" and export.archive


def test_the_sweep_deletes_used_and_expired_archives(client, member, ask, time_machine):
    ask(member)
    export = DataExport.objects.get(user=member)
    path = export.archive.path
    client.get(reverse("privacy_download", kwargs={"token": export.token}))
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    services.exports_sweep()
    export.refresh_from_db()
    assert not export.archive
    assert not os.path.exists(path)


def test_a_link_whose_archive_is_gone_says_so_and_is_not_spent(client, member, ask):
    ask(member)
    export = DataExport.objects.get(user=member)
    os.remove(export.archive.path)  # lost on the server (a restore, a full disk)
    link = reverse("privacy_download", kwargs={"token": export.token})
    english(member)
    response = client.get(link)
    assert response.status_code == 410
    assert "Ask for your data again" in response.content.decode()
    assert DataExport.objects.get(pk=export.pk).downloaded_at is None


def test_the_archive_holds_the_persons_inactive_periods_and_those_they_decided(community, member, admin_user):
    from communities.models import Inactivity

    member_ms = Membership.objects.get(community=community, user=member)
    Inactivity.objects.create(
        membership=member_ms, starts_on="2026-01-01", ends_on="2026-03-01", marked_by=admin_user, ended_by=member
    )
    own = json.loads(_build(member).read("data.json"))["sections"]["inactive_periods"]
    assert [
        (row["starts_on"], row["ends_on"], row["yours"], row["marked_by_you"], row["ended_by_you"]) for row in own
    ] == [("2026-01-01", "2026-03-01", True, False, True)]
    decided = json.loads(_build(admin_user).read("data.json"))["sections"]["inactive_periods"]
    assert [(row["member"], row["yours"], row["marked_by_you"]) for row in decided] == [(member.name, False, True)]
