"""Territory pages: who may see them, what they never show, the exports, the staff invitation, the sharing page."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from communities.models import Membership, User
from territories.models import TerritoryConsent, TerritoryInvitation, TerritoryStaff
from territories.periods import last_months
from tests.factories import PASSWORD, UserFactory
from tests.territories.conftest import book, busy_month, sharing_community
from tests.test_permissions import MATRIX, _kwargs

TERRITORY_PAGES = ["territory_dashboard", "territory_pdf", "territory_csv", "territory_json", "territory_staff"]


@pytest.fixture
def crest_data(drome):
    """Enough activity in Crest that last quarter's figures are published, plus a small confidential neighbour."""
    big, big_people, big_car = sharing_community(drome["crest"], name="Autopartage Public", households=14, listed=True)
    small, small_people, small_car = sharing_community(drome["crest"], name="Les Inconnus du Plateau", households=3)
    for period in last_months(timezone.localdate(), 6):
        busy_month(big_car, big_people, period.start.year, period.start.month, trips_each=2)
        busy_month(small_car, small_people, period.start.year, period.start.month)
    return {"big": big, "small": small, "big_people": big_people, "small_people": small_people}


# --- Who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", TERRITORY_PAGES)
def test_territory_staff_see_their_territory_and_nobody_else_does(client, drome, crest_staff, valence_staff, name):
    resident, _people, _car = sharing_community(drome["crest"], name="Les Tilleuls")
    url = reverse(name, args=[drome["crest"].pk])

    assert client.get(url).status_code == 302  # anonymous: to the login page

    client.force_login(crest_staff)
    assert client.get(url).status_code == 200

    client.force_login(valence_staff)
    assert client.get(url).status_code == 404

    client.force_login(_people[0])  # the admin of a community that shares with Crest: still not staff
    assert client.get(url).status_code == 404


def test_staff_of_a_commune_get_404_for_its_intercommunality(client, drome, crest_staff):
    client.force_login(crest_staff)
    assert client.get(reverse("territory_dashboard", args=[drome["epci"].pk])).status_code == 404
    assert client.get(reverse("territory_dashboard", args=[99999999999999999999])).status_code == 404


@pytest.mark.parametrize(("name", "method", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_territory_staff_get_404_on_every_community_page(client, world, drome, name, method, expected):
    staff = UserFactory(email="staff@territoire.example")
    TerritoryStaff.objects.create(territory=drome["crest"], user=staff)
    TerritoryConsent.objects.create(community=world.community, territory=drome["crest"])
    client.force_login(staff)
    assert getattr(client, method)(reverse(name, kwargs=_kwargs(world, name))).status_code == 404


def test_the_territory_entry_shows_only_for_staff_after_login(client, drome, crest_staff):
    resident = UserFactory(email="resident@example.org")
    client.post(reverse("account_login"), {"login": resident.email, "password": PASSWORD})
    assert reverse("territory_list") not in client.get(reverse("home")).content.decode()

    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": crest_staff.email, "password": PASSWORD})
    page = client.get(reverse("profile")).content.decode()
    assert reverse("territory_list") in page
    assert client.get(reverse("territory_list")).url == reverse("territory_dashboard", args=[drome["crest"].pk])


# --- Privacy: nothing about a household, ever ------------------------------------------------------


PLANTED = [
    "Zéphyrine Quillabaud",
    "zephyrine.quillabaud@secret.example",
    "ZZ-987-QQ",
    "FR7630006000011234567890189",
    "17 rue des Glycines",
    "notaire Maître Plouc",
    "Rayure portière arrière",
    "Les Inconnus du Plateau",
    "La Clio de Zéphyrine",
    "44.123456",
    "44,123456",
    "Consigne secrète 4242",
]


def _planted(crest_data):
    person = crest_data["small_people"][1]
    person.display_name, person.email, person.iban = PLANTED[0], PLANTED[1], PLANTED[3]
    person.save()
    car = crest_data["small"].vehicles.get()
    car.plate, car.parking_location, car.name = PLANTED[2], PLANTED[4], PLANTED[8]
    car.latitude, car.instructions = Decimal("44.123456"), PLANTED[11]
    car.save()
    start = timezone.now() - timedelta(days=40)
    booking = book(car, person, start, start + timedelta(hours=3), km=25)
    booking.note = PLANTED[5]
    booking.save()
    booking.trip.notes = PLANTED[6]
    booking.trip.save()
    crest_data["small"].description = PLANTED[4]
    crest_data["small"].save()


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_no_personal_value_appears_on_any_territory_page_or_export(client, drome, crest_staff, crest_data):
    _planted(crest_data)
    client.force_login(crest_staff)
    crest = drome["crest"].pk
    periods = [period.key for period in last_months(timezone.localdate(), 6)]
    texts = []
    for period in ["", *periods, str(int(periods[-1][:4]) - 1)]:
        query = f"?period={period}" if period else ""
        for name in ("territory_dashboard", "territory_csv", "territory_json"):
            response = client.get(reverse(name, args=[crest]) + query)
            assert response.status_code == 200, (name, period)
            texts.append(response.content.decode("utf-8-sig"))
    pdf = client.get(reverse("territory_pdf", args=[crest]))
    texts.append(_pdf_text(pdf.content))
    texts += [client.get(reverse(name, args=[crest])).content.decode() for name in ("territory_staff",)]
    texts.append(client.get(reverse("territory_list"), follow=True).content.decode())

    everything = "\n".join(texts).lower()
    for value in PLANTED:
        assert value.lower() not in everything, value
    # Listed communities are named; the real figures are there.
    assert "autopartage public" in everything
    assert "confidential" in everything or "confidentiel" in everything


def test_the_pdf_report_has_a_cover_figures_and_the_methodology(client, drome, crest_staff, crest_data):
    client.force_login(crest_staff)
    english = UserFactory(email="officer@example.org", language="en")
    TerritoryStaff.objects.create(territory=drome["crest"], user=english)
    client.force_login(english)

    response = client.get(reverse("territory_pdf", args=[drome["crest"].pk]))

    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Neighbour car sharing in Crest" in text
    assert "Bookings" in text and "Methodology and sources" in text
    assert "ADEME" in text and "10 households" in text


# --- Exports ------------------------------------------------------------------------------------


def test_the_csv_opens_in_french_excel_with_empty_flagged_confidential_cells(client, drome, crest_staff, crest_data):
    client.force_login(crest_staff)  # French
    month = last_months(timezone.localdate(), 2)[0]

    response = client.get(reverse("territory_csv", args=[drome["crest"].pk]) + f"?period={month.key}")

    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    header = lines[0].split(";")
    assert header[:4] == ["start_date", "duration", "geography_type", "geography_id"]
    assert {"trip_count", "household_count", "distance_km", "booked_hours", "occupancy_rate", "suppressed"} <= set(
        header
    )
    rows = [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]]
    total = next(r for r in rows if r["geography_id"] == "26108" and r["vehicle_energy"] == "all")
    assert total["duration"] == "P1M" and total["suppressed"] == "0"
    assert int(total["trip_count"]) >= 28
    assert "," in total["occupancy_rate"] and total["max_household_share"] == "0,85"
    assert total["min_households"] == "10"


def test_a_confidential_export_row_is_empty_and_flagged_never_zero(client, drome, crest_staff):
    small, people, car = sharing_community(drome["crest"], name="Petit", households=3)
    month = last_months(timezone.localdate(), 2)[0]
    busy_month(car, people, month.start.year, month.start.month)
    client.force_login(crest_staff)

    body = client.get(reverse("territory_json", args=[drome["crest"].pk]) + f"?period={month.key}").json()

    rows = [row for row in body["data"] if row["vehicle_energy"] == "all"]
    assert rows and all(row["suppressed"] for row in rows)
    assert all(row["trip_count"] is None and row["household_count"] is None for row in rows)
    assert body["metadata"]["disclosure_control"]["min_households"] == 10
    assert "distance_km" in body["metadata"]["units"]


@pytest.mark.parametrize("period", ["garbage", "2026-13", "2999", "2026-03-01..2026-03-15"])
def test_a_period_that_is_not_a_fixed_ended_one_is_refused_with_a_message(client, drome, crest_staff, period):
    client.force_login(crest_staff)
    response = client.get(reverse("territory_dashboard", args=[drome["crest"].pk]) + f"?period={period}")
    assert response.status_code == 400
    assert "calendar months, quarters and years" in response.content.decode() or "mois" in response.content.decode()
    export = client.get(reverse("territory_csv", args=[drome["crest"].pk]) + f"?period={period}")
    assert export.status_code == 302


# --- Staff invitations ----------------------------------------------------------------------------


def test_a_staff_admin_invites_a_colleague_who_joins_with_a_new_account(
    client, drome, crest_staff, django_capture_on_commit_callbacks
):
    client.force_login(crest_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("territory_staff", args=[drome["crest"].pk]),
            {"email": "New.Officer@Example.org", "language": "en", "is_admin": ""},
        )
    assert response.status_code == 302
    invitation = TerritoryInvitation.objects.get(email="new.officer@example.org")
    assert invitation.invited_by == crest_staff
    (message,) = mail.outbox
    assert message.to == ["new.officer@example.org"]
    assert "Crest" in message.subject and "invites you to see" in message.body  # English, as chosen
    link = re.search(r"http\S+/territories/join/\S+/", message.body).group(0)
    path = link.split("127.0.0.1:8000")[-1]

    client.post(reverse("account_logout"))
    assert reverse("account_login") in client.get(path).content.decode()
    newcomer = UserFactory(email="new.officer@example.org", language="en")
    client.post(reverse("account_login"), {"login": newcomer.email, "password": PASSWORD})
    response = client.post(path)

    assert response.status_code == 302 and response.url == reverse("territory_dashboard", args=[drome["crest"].pk])
    assert TerritoryStaff.objects.filter(territory=drome["crest"], user=newcomer, is_admin=False).exists()
    assert client.get(response.url).status_code == 200
    assert reverse("territory_list") in client.get(reverse("profile")).content.decode()
    assert client.post(path).status_code == 410  # used once


def test_the_invitation_email_speaks_the_language_of_an_existing_account(
    client, drome, crest_staff, django_capture_on_commit_callbacks
):
    UserFactory(email="resident@example.org", language="fr")
    client.force_login(crest_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("territory_staff", args=[drome["crest"].pk]), {"email": "resident@example.org", "language": "en"}
        )
    (message,) = mail.outbox
    assert "vous invite" in message.body or "Vous êtes invité" in message.body


def test_a_resident_accepts_with_the_same_login_and_keeps_their_community(client, drome, crest_staff):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")
    resident = people[1]
    invitation = TerritoryInvitation.objects.create(territory=drome["crest"], email=resident.email)
    client.force_login(resident)

    client.post(reverse("territory_join", args=[invitation.token]))

    assert client.get(reverse("territory_dashboard", args=[drome["crest"].pk])).status_code == 200
    assert client.get(reverse("community_detail", args=[community.pk])).status_code == 200


def test_an_invitation_for_another_address_is_refused(client, drome):
    invitation = TerritoryInvitation.objects.create(territory=drome["crest"], email="someone@mairie.example")
    client.force_login(UserFactory(email="intruder@example.org"))

    assert client.get(reverse("territory_join", args=[invitation.token])).status_code == 403
    client.post(reverse("territory_join", args=[invitation.token]))
    assert not TerritoryStaff.objects.exists()


def test_an_expired_invitation_says_so(client, drome):
    invitation = TerritoryInvitation.objects.create(
        territory=drome["crest"], email="late@mairie.example", expires_at=timezone.now() - timedelta(days=1)
    )
    response = client.get(reverse("territory_join", args=[invitation.token]))
    assert response.status_code == 410


def test_only_staff_admins_invite_colleagues(client, drome, valence_staff):
    client.force_login(valence_staff)
    response = client.post(
        reverse("territory_staff", args=[drome["valence"].pk]), {"email": "x@example.org", "language": "fr"}
    )
    assert response.status_code == 403
    assert not TerritoryInvitation.objects.exists()


def test_a_site_operator_invites_with_the_management_command(drome, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "invite_territory_staff", "26108", "elu@mairie.example", "--admin", "--language", "en", stdout=None
        )

    invitation = TerritoryInvitation.objects.get(email="elu@mairie.example")
    assert invitation.is_admin and invitation.territory == drome["crest"] and invitation.invited_by is None
    assert len(mail.outbox) == 1 and "invited" in mail.outbox[0].body


# --- The community's sharing page ------------------------------------------------------------------


def test_a_community_admin_shares_then_stops_sharing_from_the_settings(client, drome):
    community, people, car = sharing_community(None, name="Les Tilleuls")
    admin = people[0]
    client.force_login(admin)
    page = client.get(reverse("community_sharing", args=[community.pk]) + "?q=crest").content.decode()
    assert "Crest" in page and "10 households" in page or "10 foyers" in page

    client.post(reverse("community_consent_grant", args=[community.pk]), {"territory": drome["crest"].pk})
    consent = TerritoryConsent.objects.get(community=community)
    assert consent.granted_by == admin and consent.is_active

    response = client.post(reverse("community_consent_withdraw", args=[community.pk, consent.pk]), follow=True)
    consent.refresh_from_db()
    assert not consent.is_active and consent.withdrawn_by == admin
    assert "not recalled" in response.content.decode() or "pas rappel" in response.content.decode()


def test_a_community_admin_cannot_withdraw_another_communitys_consent(client, drome):
    community, people, car = sharing_community(None, name="Les Tilleuls")
    other, other_people, other_car = sharing_community(drome["crest"], name="Voisins")
    client.force_login(people[0])
    consent = TerritoryConsent.objects.get(community=other)

    response = client.post(reverse("community_consent_withdraw", args=[community.pk, consent.pk]))

    assert response.status_code == 404
    assert TerritoryConsent.objects.get(pk=consent.pk).is_active


def test_the_insee_code_suggests_the_commune_and_the_territories_above_it(client, drome):
    community, people, car = sharing_community(None, name="Les Tilleuls")
    client.force_login(people[0])

    bad = client.post(reverse("community_insee_code", args=[community.pk]), {"insee_code": "26400x"})
    assert bad.status_code == 400
    client.post(reverse("community_insee_code", args=[community.pk]), {"insee_code": "26108"})

    page = client.get(reverse("community_sharing", args=[community.pk])).content.decode()
    for name in ("Crest", "CC du Crestois", "Drôme"):
        assert name in page


def test_open_data_choices_are_independent_and_live_needs_listing(client, drome):
    community, people, car = sharing_community(None, name="Les Tilleuls")
    client.force_login(people[0])
    url = reverse("community_open_data", args=[community.pk])

    assert client.post(url, {"open_data_live": "on"}).status_code == 400
    client.post(url, {"open_data_listed": "on", "open_data_live": "on"})
    community.refresh_from_db()
    assert community.open_data_listed and community.open_data_live
    assert not TerritoryConsent.objects.filter(community=community).exists()


def test_a_plain_member_cannot_change_what_the_community_shares(client, drome):
    community, people, car = sharing_community(None, name="Les Tilleuls")
    client.force_login(people[1])
    assert (
        client.post(
            reverse("community_consent_grant", args=[community.pk]), {"territory": drome["crest"].pk}
        ).status_code
        == 403
    )
    assert Membership.objects.get(community=community, user=people[1]).role == "member"
    assert not TerritoryConsent.objects.exists()


def test_the_json_export_is_valid_json_with_sources(client, drome, crest_staff, crest_data):
    client.force_login(crest_staff)
    body = json.loads(client.get(reverse("territory_json", args=[drome["crest"].pk])).content)
    assert {source["key"] for source in body["metadata"]["sources"]} >= {"ademe-autopartage", "base-carbone"}


def test_a_site_operator_invites_staff_from_the_admin(client, drome, django_capture_on_commit_callbacks):
    client.force_login(User.objects.create_superuser(email="operator@colocauto.example", password=PASSWORD))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:territories_territoryinvitation_add"),
            {"territory": drome["epci"].pk, "email": "dgs@interco.example", "language": "en", "is_admin": "on"},
        )

    assert response.status_code == 302, response.context["adminform"].form.errors
    invitation = TerritoryInvitation.objects.get(email="dgs@interco.example")
    assert invitation.is_admin and invitation.invited_by is None
    assert len(mail.outbox) == 1 and "CC du Crestois" in mail.outbox[0].subject
