"""/api/v1/territories/: the staff's territories and each one's report — the dashboard's report, with the same
figures and the same disclosure control as the pages and the exports; nothing for anyone else."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from territories.models import TerritoryStaff
from territories.periods import last_months
from tests.factories import UserFactory
from tests.territories.conftest import busy_month, drome, sharing_community  # noqa: F401  (drome: the fixture)

LIST = "/api/v1/territories/"


def report_url(territory) -> str:
    return f"/api/v1/territories/{territory.pk}/report/"


def staff_of(territory, email: str, **fields):
    user = UserFactory(email=email, **fields)
    TerritoryStaff.objects.create(territory=territory, user=user, **({"is_admin": True} if "@mairie" in email else {}))
    return user


@pytest.fixture
def crest_staff(drome):  # noqa: F811
    return staff_of(drome["crest"], "mobilite@mairie-crest.example")


@pytest.fixture
def crest_data(drome):  # noqa: F811
    """Enough activity in Crest that recent months are published, and a small community that is not."""
    big, big_people, big_car = sharing_community(drome["crest"], name="Autopartage Public", households=14, listed=True)
    small, small_people, small_car = sharing_community(drome["crest"], name="Les Inconnus du Plateau", households=3)
    for period in last_months(timezone.localdate(), 4):
        busy_month(big_car, big_people, period.start.year, period.start.month, trips_each=2)
        busy_month(small_car, small_people, period.start.year, period.start.month)
    return {"big": big, "small": small, "small_people": small_people}


# --- Who sees what -------------------------------------------------------------------------------


def test_staff_list_their_territories_and_residents_get_an_empty_list(as_user, drome, crest_staff):  # noqa: F811
    TerritoryStaff.objects.create(territory=drome["valence"], user=crest_staff)
    _community, people, _car = sharing_community(drome["crest"], name="Les Tilleuls")

    mine = as_user(crest_staff).get(LIST).json()
    resident = as_user(people[0]).get(LIST).json()

    assert [(item["name"], item["code"], item["is_admin"]) for item in mine["results"]] == [
        ("Crest", "26108", True),
        ("Valence", "26362", False),
    ]
    assert resident["count"] == 0 and resident["results"] == []


def test_a_report_is_for_its_own_staff_only(as_user, drome, crest_staff):  # noqa: F811
    valence_staff = staff_of(drome["valence"], "mobilite@valence.example")
    _community, people, _car = sharing_community(drome["crest"], name="Les Tilleuls")

    assert as_user(crest_staff).get(report_url(drome["crest"])).status_code == 200
    for person, territory in [
        (valence_staff, drome["crest"]),
        (crest_staff, drome["epci"]),  # not even the intercommunality above it
        (people[0], drome["crest"]),  # the admin of a community sharing with Crest
    ]:
        response = as_user(person).get(report_url(territory))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert as_user(crest_staff).get("/api/v1/territories/99999999999999999999999/report/").status_code == 404


# --- The same report as the pages ---------------------------------------------------------------


def test_the_report_rows_are_the_json_exports_rows(client, as_user, drome, crest_staff, crest_data):  # noqa: F811
    month = last_months(timezone.localdate(), 2)[0]
    client.force_login(crest_staff)

    export = json.loads(
        client.get(reverse("territory_json", args=[drome["crest"].pk]) + f"?period={month.key}").content
    )
    body = as_user(crest_staff).get(report_url(drome["crest"]), {"period": month.key}).json()

    assert body["period"]["key"] == month.key and body["period"]["duration"] == "P1M"
    assert len(body["rows"]) == len(export["data"])
    for row, exported in zip(body["rows"], export["data"], strict=True):
        for column in ("start_date", "geography_id", "vehicle_energy", "suppressed", "trip_count", "distance_km"):
            assert row[column] == exported[column], column
    total = next(row for row in body["rows"] if row["geography_id"] == "26108" and row["vehicle_energy"] == "all")
    assert total["suppressed"] is False and total["trip_count"] >= 28
    assert body["thresholds"] == {"min_households": 10, "min_bookings": 10, "max_household_share": "0.85"}
    assert body["participants"] == {"listed": ["Autopartage Public"], "unlisted": 1}


def test_a_confidential_cell_is_null_and_flagged_never_zero(as_user, drome, crest_staff):  # noqa: F811
    _small, people, car = sharing_community(drome["crest"], name="Petit", households=3)
    month = last_months(timezone.localdate(), 2)[0]
    busy_month(car, people, month.start.year, month.start.month)

    body = as_user(crest_staff).get(report_url(drome["crest"]), {"period": month.key}).json()

    rows = [row for row in body["rows"] if row["vehicle_energy"] == "all"]
    assert rows and all(row["suppressed"] for row in rows)
    figures = ("trip_count", "household_count", "booking_count", "distance_km", "booked_hours", "occupancy_rate")
    assert all(row[name] is None for row in rows for name in figures)
    assert body["headline"]["current"] is None and body["headline"]["current_suppressed"] is True


def test_no_personal_value_appears_in_a_report(as_user, drome, crest_staff, crest_data):  # noqa: F811
    person = crest_data["small_people"][1]
    person.display_name, person.email = "Zéphyrine Quillabaud", "zephyrine@secret.example"
    person.save()
    client = as_user(crest_staff)

    texts = [client.get(report_url(drome["crest"])).content.decode()]
    texts += [
        client.get(report_url(drome["crest"]), {"period": period.key}).content.decode()
        for period in last_months(timezone.localdate(), 3)
    ]

    everything = "\n".join(texts).lower()
    for value in ("zéphyrine", "zephyrine", "les inconnus du plateau"):
        assert value not in everything


def test_without_a_period_the_report_is_the_dashboards_default(as_user, drome, crest_staff, crest_data):  # noqa: F811
    body = as_user(crest_staff).get(report_url(drome["crest"])).json()

    assert body["period"]["kind"] == "quarter"
    assert body["periods"][0]["kind"] == "year" and body["periods"][0]["key"] in {p["key"] for p in body["periods"]}
    assert {row["duration"] for row in body["rows"]} == {"P1M", "P3M"}
    headline = body["headline"]
    assert headline["current_suppressed"] is (headline["current"] is None)
    assert len(headline["first_month"]) == len(headline["last_month"]) == 7


@pytest.mark.parametrize("period", ["garbage", "2026-13", "2999", "1999", "2026-03-01..2026-03-15"])
def test_a_period_that_is_not_a_fixed_ended_one_is_refused_with_the_field(as_user, drome, crest_staff, period):  # noqa: F811
    response = as_user(crest_staff).get(report_url(drome["crest"]), {"period": period})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "period" in response.json()["fields"]


def test_the_headline_gives_the_last_12_months_figures_when_each_is_published(as_user, drome, crest_staff):  # noqa: F811
    _community, people, car = sharing_community(drome["crest"], name="Autopartage Public", households=12)
    for period in last_months(timezone.localdate(), 12):
        busy_month(car, people, period.start.year, period.start.month, km=40)

    headline = as_user(crest_staff).get(report_url(drome["crest"])).json()["headline"]

    assert headline["current_suppressed"] is False
    current = headline["current"]
    assert (current["bookings"], current["km"], current["households"]) == (144, 5760, 12)
    assert current["km_per_trip"] == "40.0" and current["average_vehicles"] == "1.0"
