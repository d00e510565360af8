"""The territories' roll-up: reports read it instead of every community's months, and it follows the
monthly job, the consents and the tree."""

from datetime import date

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Membership
from territories import services
from territories.models import TerritoryConsent, TerritoryUsage, TerritoryUsageState
from territories.periods import Period
from territories.reports import territory_report
from territories.rollup import usage_rollup_refresh
from territories.usage import territory_usage_sync
from tests.territories.conftest import busy_month, sharing_community

TODAY = date(2026, 1, 15)
MARCH = Period.month(2025, 3)


def _rows() -> set[tuple]:
    fields = ["territory_id", "branch_id", "period", "energy", "communities", "bookings", "booked_hours", "km"]
    return set(TerritoryUsage.objects.values_list(*fields))


def _summed_from_scratch() -> set[tuple]:
    """What the rows would be if every territory were summed again now."""
    TerritoryUsage.objects.all().delete()
    TerritoryUsageState.objects.all().delete()
    territory_usage_sync()
    return _rows()


def _admin_of(community):
    return Membership.objects.get(community=community, role=Membership.Role.ADMIN)


def _report_queries(territory) -> list[str]:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        territory_report(territory, years=[2025], today=TODAY)
    return [query["sql"] for query in queries.captured_queries]


def test_the_dashboard_with_an_empty_cache_reads_no_community_months(client, drome, crest_staff):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")
    busy_month(car, people, 2025, 3)
    usage_rollup_refresh(month=MARCH.start)
    client.force_login(crest_staff)
    url = reverse("territory_dashboard", args=[drome["crest"].pk])
    assert client.get(url).status_code == 200  # any month not rolled up yet is computed, once

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert not any("monthlyusage" in query["sql"] for query in queries.captured_queries)


def test_the_months_quarters_and_years_of_a_territory_add_up_its_communities(drome):
    first, first_people, first_car = sharing_community(drome["crest"], name="Crest un")
    second, second_people, second_car = sharing_community(drome["aouste"], name="Aouste un", energy="electric")
    busy_month(first_car, first_people, 2025, 3)
    busy_month(first_car, first_people, 2025, 2)
    busy_month(second_car, second_people, 2025, 3, trips_each=2)
    for month in (2, 3):
        usage_rollup_refresh(month=date(2025, month, 1))

    epci = drome["epci"].pk
    march = {
        (branch, energy): (communities, bookings)
        for branch, energy, communities, bookings in TerritoryUsage.objects.filter(
            territory_id=epci, period="2025-03"
        ).values_list("branch_id", "energy", "communities", "bookings")
    }
    assert march == {
        (drome["crest"].pk, "petrol"): (1, 12),
        (drome["crest"].pk, "all"): (1, 12),
        (drome["aouste"].pk, "electric"): (1, 24),
        (drome["aouste"].pk, "all"): (1, 24),
    }
    departement = TerritoryUsage.objects.get(
        territory=drome["departement"], branch=drome["epci"], period="2025-03", energy="all"
    )
    assert (departement.communities, departement.bookings, departement.km) == (2, 36, 36 * 30)
    # A community active in two months of the quarter counts once in it.
    quarter = TerritoryUsage.objects.get(territory_id=epci, branch=drome["crest"], period="2025-Q1", energy="all")
    assert quarter.communities == 1


def test_giving_and_withdrawing_consent_sums_again_only_what_changed(drome):
    staying, staying_people, staying_car = sharing_community(drome["crest"], name="Crest un")
    moving, moving_people, moving_car = sharing_community(None, name="Les Tilleuls")
    busy_month(staying_car, staying_people, 2025, 3)
    busy_month(moving_car, moving_people, 2025, 3)
    usage_rollup_refresh(month=MARCH.start)
    admin = _admin_of(moving)

    consent = services.consent_grant(membership=admin, territory=drome["crest"])
    assert _rows() == _summed_from_scratch()
    services.consent_withdraw(membership=admin, consent=consent)
    services.consent_grant(membership=admin, territory=drome["aouste"])
    after = _rows()

    assert after == _summed_from_scratch()
    crest = TerritoryUsage.objects.get(territory=drome["epci"], branch=drome["crest"], period="2025-03", energy="all")
    aouste = TerritoryUsage.objects.get(territory=drome["epci"], branch=drome["aouste"], period="2025-03", energy="all")
    assert (crest.bookings, aouste.bookings) == (12, 12)


def test_after_a_consent_changes_the_next_report_need_not_sum_anything_again(drome):
    community, people, car = sharing_community(None, name="Les Tilleuls")
    busy_month(car, people, 2025, 3)
    territory_report(drome["crest"], years=[2025], today=TODAY)  # rolls the months of 2025 up

    services.consent_grant(membership=_admin_of(community), territory=drome["crest"])
    queries = _report_queries(drome["crest"])

    assert not any("monthlyusage" in sql.lower() for sql in queries)
    report = territory_report(drome["crest"], years=[2025], today=TODAY)
    assert report.table.figures(drome["crest"].pk, "all", MARCH).bookings == 12


def test_a_consent_written_by_other_means_is_seen_by_the_next_report(drome):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")
    busy_month(car, people, 2025, 3)
    assert (
        territory_report(drome["epci"], years=[2025], today=TODAY)
        .table.figures(drome["epci"].pk, "all", MARCH)
        .bookings
        == 12
    )

    TerritoryConsent.objects.filter(community=community).update(territory=drome["aouste"])
    cache.clear()
    report = territory_report(drome["epci"], years=[2025], today=TODAY)

    assert report.table.figures(drome["aouste"].pk, "all", MARCH).bookings == 12
    assert report.table.figures(drome["crest"].pk, "all", MARCH).bookings == 0
    crest = territory_report(drome["crest"], years=[2025], today=TODAY)
    assert crest.table.figures(drome["crest"].pk, "all", MARCH).bookings == 0


def test_refreshing_a_month_again_leaves_the_same_rows(drome):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")
    busy_month(car, people, 2025, 3)
    usage_rollup_refresh(month=MARCH.start)
    first = _rows()

    usage_rollup_refresh(month=MARCH.start)

    assert _rows() == first == _summed_from_scratch()


def test_moving_a_commune_sums_its_old_and_new_parents_again(drome, django_capture_on_commit_callbacks):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")
    busy_month(car, people, 2025, 3)
    usage_rollup_refresh(month=MARCH.start)

    services.territories_import(rows=[services.TerritoryRow("Crest", "commune", "26108", "26")])

    assert not TerritoryUsage.objects.filter(territory=drome["epci"]).exists()
    assert TerritoryUsage.objects.filter(
        territory=drome["departement"], branch=drome["crest"], period="2025-03", energy="all", bookings=12
    ).exists()
    assert _rows() == _summed_from_scratch()
