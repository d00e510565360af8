"""The rate calculator: exact per-km breakdown and the suggested rate, and its page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from communities.models import User
from ledger.calculator import CarCosts, rate_breakdown
from ledger.models import Expense
from tests.factories import VehicleFactory

WORKED_EXAMPLE = CarCosts(
    consumption_per_100km=Decimal("6"),
    energy_price=Decimal("1.80"),
    insurance_per_year=Decimal("600"),
    maintenance_per_year=Decimal("400"),
    tax_per_year=Decimal("100"),
    purchase_value=Decimal("12000"),
    resale_value=Decimal("2000"),
    years_of_use=Decimal("8"),
    km_per_year=10_000,
)


def test_worked_example_breakdown_and_suggested_rate():
    breakdown = rate_breakdown(WORKED_EXAMPLE)

    # 6 L/100 km × €1.80 = 0.108 €/km; 600, 400, 100 €/year over 10,000 km; (12,000 − 2,000) / 8 = 1,250 €/year.
    assert breakdown.lines() == [
        ("energy", Decimal("0.108")),
        ("insurance", Decimal("0.060")),
        ("maintenance", Decimal("0.040")),
        ("tax", Decimal("0.010")),
        ("depreciation", Decimal("0.125")),
    ]
    assert breakdown.total == Decimal("0.343")
    assert breakdown.suggested_rate == Decimal("0.34")
    assert breakdown.depreciation_per_year == Decimal("1250.00")
    assert breakdown.yearly_cost == Decimal("3430.00")


def test_an_electric_car_with_no_resale_value():
    costs = CarCosts(
        consumption_per_100km=Decimal("17"),
        energy_price=Decimal("0.25"),
        insurance_per_year=Decimal("450"),
        maintenance_per_year=Decimal("150"),
        tax_per_year=Decimal("0"),
        purchase_value=Decimal("9000"),
        resale_value=Decimal("0"),
        years_of_use=Decimal("6"),
        km_per_year=12_000,
    )
    breakdown = rate_breakdown(costs)

    assert breakdown.energy == Decimal("0.043")  # 0.0425 rounds half up
    assert breakdown.depreciation == Decimal("0.125")
    assert breakdown.suggested_rate == Decimal("0.22")  # 0.0425 + 0.0375 + 0.0125 + 0 + 0.125 = 0.2175


def test_a_resale_value_above_the_purchase_value_means_no_depreciation():
    costs = CarCosts(**{**WORKED_EXAMPLE.__dict__, "resale_value": Decimal("15000")})
    assert rate_breakdown(costs).depreciation == Decimal("0.000")


@pytest.mark.parametrize("field", ["km_per_year", "years_of_use"])
def test_zero_km_or_years_is_refused(field):
    with pytest.raises(ValueError):
        rate_breakdown(CarCosts(**{**WORKED_EXAMPLE.__dict__, field: 0}))


# --- The page --------------------------------------------------------------------------------

FORM = {
    "consumption": "6",
    "energy_price": "1.80",
    "insurance": "600",
    "maintenance": "400",
    "tax": "100",
    "purchase_value": "12000",
    "resale_value": "2000",
    "years": "8",
    "km_per_year": "10000",
}


def calculator_url(community):
    return reverse("ledger_calculator", args=[community.pk])


@pytest.fixture
def english_owner(owner):
    User.objects.filter(pk=owner.pk).update(language="en")
    return owner


def test_owner_sees_the_breakdown_for_their_vehicle(client, community, vehicle, english_owner):
    client.force_login(english_owner)

    page = client.get(calculator_url(community), {"vehicle": vehicle.pk, **FORM}).content.decode()

    assert "Suggested rate: €0.34 per km" in page
    assert "€0.108" in page and "€0.125" in page


def test_apply_sets_the_vehicles_rate(client, community, vehicle, english_owner):
    client.force_login(english_owner)

    response = client.post(calculator_url(community), {"vehicle": vehicle.pk, **FORM})

    assert response.status_code == 302
    vehicle.refresh_from_db()
    assert vehicle.rate_per_km == Decimal("0.340")


def test_bad_input_keeps_what_was_typed_and_changes_nothing(client, community, vehicle, english_owner):
    client.force_login(english_owner)

    response = client.post(calculator_url(community), {"vehicle": vehicle.pk, **FORM, "km_per_year": "lots"})

    assert response.status_code == 400
    assert 'value="lots"' in response.content.decode()
    vehicle.refresh_from_db()
    assert vehicle.rate_per_km == Decimal("0.300")


def test_a_member_cannot_apply_a_rate_to_someone_elses_vehicle(client, community, vehicle, member):
    client.force_login(member)

    assert client.post(calculator_url(community), {"vehicle": vehicle.pk, **FORM}).status_code == 403
    vehicle.refresh_from_db()
    assert vehicle.rate_per_km == Decimal("0.300")


def test_an_admin_may_apply_a_rate_to_any_vehicle(client, community, vehicle, admin_user):
    client.force_login(admin_user)

    assert client.post(calculator_url(community), {"vehicle": vehicle.pk, **FORM}).status_code == 302
    vehicle.refresh_from_db()
    assert vehicle.rate_per_km == Decimal("0.340")


def test_another_communitys_vehicle_is_not_found(client, community, owner, other_community, outsider):
    foreign = VehicleFactory(community=other_community, owner=outsider)
    client.force_login(owner)
    VehicleFactory(community=community, owner=owner)

    assert client.get(calculator_url(community), {"vehicle": foreign.pk}).status_code == 404


def test_the_form_starts_from_last_years_expenses(client, community, vehicle, english_owner):
    Expense.objects.create(
        community=community,
        vehicle=vehicle,
        category=Expense.Category.INSURANCE,
        amount=Decimal("540.00"),
        spent_on=vehicle.created_at.date(),
        paid_by=english_owner,
        created_by=english_owner,
        cost_model=vehicle.cost_model,
    )
    client.force_login(english_owner)

    page = client.get(calculator_url(community), {"vehicle": vehicle.pk}).content.decode()

    assert 'value="540.00"' in page
