"""The cost calculator: a fair rate per km from a car's real yearly costs, in exact decimals.

Every yearly cost is spread over the kilometres the car is expected to drive in a year (all its
driving, the owner's included), and the energy comes from the consumption and its price. The
breakdown is kept to the tenth of a cent; the suggested rate is rounded to the cent.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PER_KM = Decimal("0.001")
RATE = Decimal("0.01")


@dataclass(frozen=True)
class CarCosts:
    consumption_per_100km: Decimal  # litres (or kWh) per 100 km
    energy_price: Decimal  # € per litre (or kWh)
    insurance_per_year: Decimal
    maintenance_per_year: Decimal
    tax_per_year: Decimal
    purchase_value: Decimal
    resale_value: Decimal
    years_of_use: Decimal
    km_per_year: int


@dataclass(frozen=True)
class RateBreakdown:
    energy: Decimal
    insurance: Decimal
    maintenance: Decimal
    tax: Decimal
    depreciation: Decimal
    depreciation_per_year: Decimal
    yearly_cost: Decimal  # what the car costs in a year, energy included, at the expected km

    @property
    def total(self) -> Decimal:
        return self.energy + self.insurance + self.maintenance + self.tax + self.depreciation

    @property
    def suggested_rate(self) -> Decimal:
        """The rate to charge per km, to the cent."""
        return self.total.quantize(RATE, rounding=ROUND_HALF_UP)

    def lines(self) -> list[tuple[str, Decimal]]:
        return [
            ("energy", self.energy),
            ("insurance", self.insurance),
            ("maintenance", self.maintenance),
            ("tax", self.tax),
            ("depreciation", self.depreciation),
        ]


def _per_km(amount: Decimal) -> Decimal:
    return amount.quantize(PER_KM, rounding=ROUND_HALF_UP)


def rate_breakdown(costs: CarCosts) -> RateBreakdown:
    """Cost per km by item. ``km_per_year`` and ``years_of_use`` must be positive; a resale value
    above the purchase value counts as no depreciation."""
    if costs.km_per_year <= 0:
        raise ValueError("The expected km per year must be positive.")
    if costs.years_of_use <= 0:
        raise ValueError("The years of use must be positive.")
    km = Decimal(costs.km_per_year)
    depreciation_per_year = max(costs.purchase_value - costs.resale_value, Decimal(0)) / costs.years_of_use
    energy_per_km = costs.consumption_per_100km * costs.energy_price / 100
    yearly = (
        energy_per_km * km
        + costs.insurance_per_year
        + costs.maintenance_per_year
        + costs.tax_per_year
        + depreciation_per_year
    )
    return RateBreakdown(
        energy=_per_km(energy_per_km),
        insurance=_per_km(costs.insurance_per_year / km),
        maintenance=_per_km(costs.maintenance_per_year / km),
        tax=_per_km(costs.tax_per_year / km),
        depreciation=_per_km(depreciation_per_year / km),
        depreciation_per_year=depreciation_per_year.quantize(RATE, rounding=ROUND_HALF_UP),
        yearly_cost=yearly.quantize(RATE, rounding=ROUND_HALF_UP),
    )
