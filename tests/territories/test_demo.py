"""The demo: a territory chain, communities sharing with it, real figures and a confidential cell."""

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from colocauto.management.commands.seed_demo import DEMO_PASSWORD
from communities.models import Community, User
from territories.dashboard import by_child, by_energy, default_period
from territories.models import Territory, TerritoryConsent, TerritoryStaff
from territories.reports import dashboard_years, territory_report
from territories.rollup import MonthlyUsage


def test_seed_demo_adds_the_drome_chain_and_a_territory_staff_login(client, db, capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out

    crest = Territory.objects.get(code="26108")
    assert (crest.kind, crest.parent.kind, crest.parent.parent.kind) == ("commune", "epci", "departement")
    assert "mairie@example.org" in printed
    staff = User.objects.get(email="mairie@example.org")
    assert TerritoryStaff.objects.filter(user=staff, territory=crest, is_admin=True).exists()
    assert TerritoryConsent.objects.filter(community__name="Les Tilleuls", territory=crest).exists()

    response = client.post(reverse("account_login"), {"login": "mairie@example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("territory_dashboard", args=[crest.pk])).status_code == 200


def test_the_demo_report_shows_real_figures_and_a_confidential_cell(db):
    call_command("seed_demo", stdout=None)
    epci = Territory.objects.get(code="200040509")

    report = territory_report(epci, years=dashboard_years(timezone.localdate()))
    period = default_period(report)

    cells = by_child(report, period) + by_energy(report, period)
    published = [cell for _label, cell in cells if cell.indicators is not None and cell.indicators.bookings]
    assert published, "some figures are real"
    assert any(cell.confidential for _label, cell in cells), "and at least one is confidential"


def test_running_the_territory_demo_twice_changes_nothing(db):
    call_command("seed_demo", stdout=None)
    counts = (Territory.objects.count(), Community.objects.count(), TerritoryConsent.objects.count())
    rows = MonthlyUsage.objects.count()

    call_command("seed_demo", stdout=None)

    assert (Territory.objects.count(), Community.objects.count(), TerritoryConsent.objects.count()) == counts
    assert MonthlyUsage.objects.count() == rows
