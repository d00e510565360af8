"""Which communities a territory's report counts, and how reports of nested territories agree."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from colocauto.core.errors import Conflict, NotAllowed
from communities.models import Membership
from territories import services
from territories.models import TerritoryConsent
from territories.periods import Period
from territories.reports import territory_report
from territories.rollup import usage_rollup_refresh
from tests.territories.conftest import busy_month, sharing_community

TODAY = date(2026, 1, 15)
MARCH = Period.month(2025, 3)


def _bookings(territory, period=MARCH, row=None):
    report = territory_report(territory, years=[period.start.year], today=TODAY)
    figures = report.table.figures(row or territory.pk, "all", period)
    return None if figures is None else figures.bookings


def _admin_of(community):
    return Membership.objects.get(community=community, role=Membership.Role.ADMIN)


def test_a_communes_figures_count_in_its_intercommunality_and_its_departement(drome):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")
    busy_month(car, people, 2025, 3)

    assert _bookings(drome["crest"]) == 12
    assert _bookings(drome["epci"]) == 12
    assert _bookings(drome["departement"]) == 12
    assert _bookings(drome["valence"]) == 0


def test_sharing_and_withdrawing_change_the_next_report(drome):
    community, people, car = sharing_community(None, name="Les Tilleuls")
    busy_month(car, people, 2025, 3)
    admin = _admin_of(community)
    assert _bookings(drome["crest"]) == 0

    consent = services.consent_grant(membership=admin, territory=drome["crest"])
    assert _bookings(drome["crest"]) == 12

    services.consent_withdraw(membership=admin, consent=consent)
    assert _bookings(drome["crest"]) == 0
    consent.refresh_from_db()
    assert consent.withdrawn_by == admin.user and consent.withdrawn_at is not None


def test_only_a_communitys_admins_may_share_its_figures(drome):
    community, people, car = sharing_community(None, name="Les Tilleuls")
    member = Membership.objects.get(community=community, user=people[1])
    with pytest.raises(NotAllowed):
        services.consent_grant(membership=member, territory=drome["crest"])


def test_a_community_shares_once_in_a_chain_of_territories(drome):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")

    with pytest.raises(Conflict):
        services.consent_grant(membership=_admin_of(community), territory=drome["epci"])
    with pytest.raises(Conflict):
        services.consent_grant(membership=_admin_of(community), territory=drome["crest"])
    assert TerritoryConsent.objects.filter(community=community, withdrawn_at=None).count() == 1


@pytest.fixture
def crest_and_a_small_neighbour(drome):
    """In March 2025, a community of 15 households in Crest, and one of 3 in Aouste, in the same intercommunality."""
    _, crest_people, crest_car = sharing_community(drome["crest"], name="Crest partage", households=15)
    _, small_people, small_car = sharing_community(drome["aouste"], name="Les Voisins", households=3)
    busy_month(crest_car, crest_people, 2025, 3)
    busy_month(small_car, small_people, 2025, 3, trips_each=4)


@pytest.mark.usefixtures("crest_and_a_small_neighbour")
def test_a_small_neighbour_is_confidential_and_no_subtraction_reveals_it(drome):
    epci = territory_report(drome["epci"], years=[2025], today=TODAY)

    assert epci.table.is_confidential(drome["aouste"].pk, "all", MARCH)
    # The intercommunality's total is published in the département's report, so it stays published here:
    # Crest is hidden with Aouste, and the total minus Crest reveals nothing.
    assert not epci.table.is_confidential(drome["epci"].pk, "all", MARCH)
    assert epci.table.is_confidential(drome["crest"].pk, "all", MARCH)


@pytest.mark.usefixtures("crest_and_a_small_neighbour")
def test_a_territorys_own_report_agrees_with_its_parents_report(drome):
    crest = territory_report(drome["crest"], years=[2025], today=TODAY)

    # Crest alone passes the thresholds, but its intercommunality's report hides it to protect Aouste:
    # published here, it would give Aouste's figures away (intercommunality − Crest).
    assert crest.table.is_confidential(drome["crest"].pk, "all", MARCH)


def test_periods_not_ended_are_not_reported(drome):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")
    busy_month(car, people, 2025, 12)

    report = territory_report(drome["crest"], years=[2025], today=date(2025, 12, 20))

    keys = {period.key for period in report.periods}
    assert "2025-11" in keys and "2025-Q3" in keys
    assert "2025-12" not in keys and "2025-Q4" not in keys and "2025" not in keys


def _dashboard_queries(client, territory) -> int:
    url = reverse("territory_dashboard", args=[territory.pk])
    assert client.get(url).status_code == 200  # computes any month not rolled up yet, once
    cache.clear()  # then the tables themselves, not the cached ones
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_dashboard_takes_the_same_queries_for_2_and_for_8_communities(
    client, drome, crest_staff, django_assert_num_queries
):
    epci_staff = crest_staff
    drome["epci"].staff.create(user=epci_staff)
    for number in range(2):
        community, people, car = sharing_community(drome["crest"], name=f"Crest {number}")
        busy_month(car, people, 2025, 3)
    client.force_login(epci_staff)
    few = _dashboard_queries(client, drome["epci"])

    for number in range(6):
        territory = drome["aouste"] if number % 2 else drome["crest"]
        community, people, car = sharing_community(territory, name=f"More {number}", listed=bool(number % 3))
        busy_month(car, people, 2025, 3)
    usage_rollup_refresh(month=MARCH.start)
    cache.clear()
    with django_assert_num_queries(few):
        assert client.get(reverse("territory_dashboard", args=[drome["epci"].pk])).status_code == 200


def test_a_second_visit_reads_the_tables_from_the_cache(client, drome, crest_staff):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")
    busy_month(car, people, 2025, 3)
    client.force_login(crest_staff)
    cold = _dashboard_queries(client, drome["crest"])

    with CaptureQueriesContext(connection) as warm:
        assert client.get(reverse("territory_dashboard", args=[drome["crest"].pk])).status_code == 200

    assert len(warm) < cold
    assert not any("monthlyusage" in query["sql"] for query in warm.captured_queries)


def test_moving_a_commune_to_another_parent_changes_the_next_report(drome, django_capture_on_commit_callbacks):
    community, people, car = sharing_community(drome["crest"], name="Les Tilleuls")
    busy_month(car, people, 2025, 3)
    assert _bookings(drome["epci"]) == 12

    with django_capture_on_commit_callbacks(execute=True):
        services.territories_import(rows=[services.TerritoryRow("Crest", "commune", "26108", "26")])

    assert _bookings(drome["epci"]) == 0
    assert _bookings(drome["departement"]) == 12
