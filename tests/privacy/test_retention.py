"""Retention: every night, what is kept longer than needed is forgotten — old receipts and incident photos,
expired invitations, expired sessions — and nothing else (the accounts and the trips stay)."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bookings.models import Incident, IncidentPhoto
from colocauto.core.privacy import registry
from communities.models import Invitation
from ledger.posting import account_balances
from privacy.retention import retention_apply
from tests.factories import ExpenseFactory, TripFactory
from tests.helpers import image_bytes

pytestmark = pytest.mark.django_db


def _receipt():
    return SimpleUploadedFile("ticket.png", image_bytes(), content_type="image/png")


def test_every_retention_rule_has_its_setting():
    assert registry.retentions
    for rule in registry.retentions.values():
        assert isinstance(getattr(settings, rule.setting), int), rule.setting


def test_receipts_older_than_the_retention_are_forgotten_and_the_accounts_stay(
    community, member, vehicle, time_machine
):
    old = ExpenseFactory(vehicle=vehicle, paid_by=member, receipt=_receipt())
    time_machine.move_to(timezone.now() + timedelta(days=6 * 365 + 2))  # six years later
    recent = ExpenseFactory(vehicle=vehicle, paid_by=member, receipt=_receipt())
    old_path, balances = old.receipt.path, account_balances(community.pk)

    assert retention_apply()["receipts"] == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.receipt and not os.path.exists(old_path)
    assert recent.receipt and os.path.exists(recent.receipt.path)
    assert old.amount == Decimal("40.00") and account_balances(community.pk) == balances


def test_incident_photos_older_than_the_retention_are_forgotten_and_the_incident_stays(member, vehicle):
    trip = TripFactory(booking__vehicle=vehicle, booking__member=member)
    old = Incident.objects.create(trip=trip, reported_by=member, description="Rétroviseur cassé")
    Incident.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=4 * 365))
    recent = Incident.objects.create(trip=trip, reported_by=member, description="Rayure")
    old_photo = IncidentPhoto.objects.create(incident=old, photo=SimpleUploadedFile("a.png", image_bytes()))
    IncidentPhoto.objects.create(incident=recent, photo=SimpleUploadedFile("b.png", image_bytes()))

    assert retention_apply()["incident_photos"] == 1

    assert not os.path.exists(old_photo.photo.path)
    assert list(IncidentPhoto.objects.values_list("incident", flat=True)) == [recent.pk]
    assert Incident.objects.filter(pk=old.pk, description="Rétroviseur cassé").exists()


def test_invitations_are_forgotten_90_days_after_they_expire_or_are_revoked(community, admin_user):
    now = timezone.now()
    long_expired = Invitation.objects.create(community=community, email="a@example.org", created_by=admin_user)
    Invitation.objects.filter(pk=long_expired.pk).update(expires_at=now - timedelta(days=91))
    Invitation.objects.create(community=community, email="b@example.org", revoked_at=now - timedelta(days=100))
    just_expired = Invitation.objects.create(community=community, email="c@example.org")
    Invitation.objects.filter(pk=just_expired.pk).update(expires_at=now - timedelta(days=5))
    live = Invitation.objects.create(community=community, email="d@example.org")

    assert retention_apply()["invitations"] == 2

    assert set(Invitation.objects.values_list("pk", flat=True)) == {just_expired.pk, live.pk}


def test_expired_sessions_are_forgotten(db):
    expired, live = SessionStore(), SessionStore()
    expired.create()
    live.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(minutes=1))

    retention_apply()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_a_second_run_forgets_nothing_more(community, member, vehicle, time_machine):
    ExpenseFactory(vehicle=vehicle, paid_by=member, receipt=_receipt())
    time_machine.move_to(timezone.now() + timedelta(days=7 * 365))
    assert retention_apply()["receipts"] == 1
    assert set(retention_apply().values()) == {0}


def test_one_failing_rule_does_not_stop_the_others(community, monkeypatch, caplog):
    Invitation.objects.create(
        community=community, email="a@example.org", revoked_at=timezone.now() - timedelta(days=100)
    )
    rule = registry.retentions["receipts"]

    def broken(cutoff):
        raise OSError("disk gone")

    monkeypatch.setitem(registry.retentions, "receipts", type(rule)(rule.name, rule.description, rule.setting, broken))
    forgotten = retention_apply()
    assert "receipts" not in forgotten and forgotten["invitations"] == 1
    assert "Retention rule receipts failed" in caplog.text
