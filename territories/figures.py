"""The figures of one report cell, how cells add up, the indicators derived from them and the estimates.

Pure: no database. Cells of shorter periods or smaller territories combine into larger ones:
- across communities or child territories (same period): everything adds up; a largest household
  is the largest of the parts' (a household belongs to one community);
- over time (months of a quarter…): counts add up; the distinct households of the period are at
  least those of its busiest month (a lower bound, so thresholds are never met by double counting);
  the largest household's km or hours are at most the sum of each month's largest (an upper bound);
  members and vehicles are averaged over the months.
"""

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from territories.disclosure import Contribution

ZERO = Decimal("0")

# ADEME, Enquête nationale sur l'autopartage 2022: one car-sharing car replaces 5 to 8 private cars
# and removes 10,000 to 19,000 km of private driving a year.
CARS_REPLACED = (5, 8)
KM_REMOVED_PER_YEAR = (10_000, 19_000)
# ADEME Base Carbone / Impact CO2, kgCO2e per km: use + construction.
CO2_THERMAL = (Decimal("0.192"), Decimal("0.026"))
CO2_ELECTRIC = (Decimal("0.020"), Decimal("0.084"))
CO2_THERMAL_PER_KM = sum(CO2_THERMAL, ZERO)
CO2_ELECTRIC_PER_KM = sum(CO2_ELECTRIC, ZERO)


@dataclass(slots=True)
class Figures:
    """Base numbers of a cell. ``members`` and ``vehicles`` are summed over the months of the period
    (member-months), ``months`` says over how many: their averages are what is shown."""

    months: int = 1
    communities: int = 0
    members: int = 0
    households: int = 0
    vehicles: int = 0
    bookings: int = 0
    hours: Decimal = ZERO
    km: int = 0
    km_electric: int = 0
    trips: int = 0
    trips_by_non_owners: int = 0
    available_hours: Decimal = ZERO
    driver_charges: Decimal = ZERO
    charged_km: int = 0
    max_household_km: int = 0
    max_household_hours: Decimal = ZERO

    ADDED = (
        "communities",
        "members",
        "households",
        "vehicles",
        "bookings",
        "hours",
        "km",
        "km_electric",
        "trips",
        "trips_by_non_owners",
        "available_hours",
        "driver_charges",
        "charged_km",
    )

    def plus(self, other: "Figures") -> "Figures":
        """The two cells of the same period together (two communities, two child territories)."""
        values = {name: getattr(self, name) + getattr(other, name) for name in self.ADDED}
        return Figures(
            months=self.months,
            max_household_km=max(self.max_household_km, other.max_household_km),
            max_household_hours=max(self.max_household_hours, other.max_household_hours),
            **values,
        )

    @classmethod
    def total(cls, parts: list["Figures"], months: int = 1) -> "Figures":
        """``plus`` over all the parts, in one pass per figure (a département's table adds thousands)."""
        result = cls(months=months)
        for name in cls.ADDED:
            setattr(result, name, sum((getattr(part, name) for part in parts), getattr(result, name)))
        result.max_household_km = max([result.max_household_km, *(part.max_household_km for part in parts)])
        result.max_household_hours = max([result.max_household_hours, *(part.max_household_hours for part in parts)])
        return result

    @classmethod
    def over_time(cls, parts: list["Figures"], *, months: int, communities: int) -> "Figures":
        """Consecutive periods of one cell joined; ``communities`` active in the whole period come from the
        database (a community active in two months counts once)."""
        result = cls(months=months, communities=communities)
        for part in parts:
            result.members += part.members
            result.vehicles += part.vehicles
            result.bookings += part.bookings
            result.hours += part.hours
            result.km += part.km
            result.km_electric += part.km_electric
            result.trips += part.trips
            result.trips_by_non_owners += part.trips_by_non_owners
            result.available_hours += part.available_hours
            result.driver_charges += part.driver_charges
            result.charged_km += part.charged_km
            result.households = max(result.households, part.households)
            result.max_household_km += part.max_household_km
            result.max_household_hours += part.max_household_hours
        return result

    def contribution(self) -> Contribution:
        return Contribution(
            households=self.households,
            bookings=self.bookings,
            km=self.km,
            hours=self.hours,
            max_household_km=self.max_household_km,
            max_household_hours=self.max_household_hours,
            other=self.members + self.vehicles + self.communities,
        )

    def as_dict(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}


FIGURE_NAMES = frozenset(field.name for field in fields(Figures))


def _ratio(numerator, denominator, places: str = "0.01") -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


class Indicators:
    """What a published cell shows, derived from its figures."""

    def __init__(self, figures: Figures, *, co2_exact: bool = True):
        self.figures = figures
        # False when the cell's km by energy are confidential: CO2 is then a range over both factors.
        self.co2_exact = co2_exact

    def __getattr__(self, name):
        """The base numbers read through (``indicators.bookings``); nothing else."""
        if name in FIGURE_NAMES:
            return getattr(self.figures, name)
        raise AttributeError(name)

    @property
    def average_members(self) -> Decimal:
        return _ratio(self.figures.members, self.figures.months, "0.1") or ZERO

    @property
    def average_vehicles(self) -> Decimal:
        return _ratio(self.figures.vehicles, self.figures.months, "0.1") or ZERO

    @property
    def booked_hours(self) -> Decimal:
        return self.figures.hours.quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @property
    def occupancy(self) -> Decimal | None:
        """Booked hours ÷ hours available under the vehicles' weekly windows, in %."""
        ratio = _ratio(self.figures.hours * 100, self.figures.available_hours, "0.1")
        return ratio

    @property
    def non_owner_share(self) -> Decimal | None:
        return _ratio(self.figures.trips_by_non_owners * 100, self.figures.trips, "0.1")

    @property
    def members_per_vehicle(self) -> Decimal | None:
        return _ratio(self.figures.members, self.figures.vehicles, "0.1")

    @property
    def km_per_vehicle(self) -> Decimal | None:
        """Km driven per vehicle over the period (the average fleet of the period)."""
        return _ratio(self.figures.km * self.figures.months, self.figures.vehicles, "1")

    @property
    def km_per_trip(self) -> Decimal | None:
        return _ratio(self.figures.km, self.figures.trips, "0.1")

    @property
    def cost_per_km(self) -> Decimal | None:
        """What drivers paid per km: trip charges of lent cars, real costs of co-owned cars."""
        return _ratio(self.figures.driver_charges, self.figures.charged_km, "0.01")

    # --- Estimates --------------------------------------------------------------------------

    @property
    def cars_avoided(self) -> tuple[Decimal, Decimal]:
        vehicles = self.average_vehicles
        return (vehicles * CARS_REPLACED[0]).quantize(Decimal("1")), (vehicles * CARS_REPLACED[1]).quantize(
            Decimal("1")
        )

    @property
    def km_removed(self) -> tuple[int, int]:
        share_of_year = Decimal(self.figures.months) / 12
        low, high = (self.average_vehicles * share_of_year * km for km in KM_REMOVED_PER_YEAR)
        return int(low.quantize(Decimal("1"))), int(high.quantize(Decimal("1")))

    @property
    def co2_emitted_kg(self) -> tuple[Decimal, Decimal]:
        """Kg CO2e of the km driven (use + construction); a range when the energy mix is confidential."""
        km, km_electric = Decimal(self.figures.km), Decimal(self.figures.km_electric)
        if self.co2_exact:
            kg = (km - km_electric) * CO2_THERMAL_PER_KM + km_electric * CO2_ELECTRIC_PER_KM
            return kg, kg
        return km * CO2_ELECTRIC_PER_KM, km * CO2_THERMAL_PER_KM

    @property
    def co2_emitted(self) -> tuple[Decimal, Decimal]:
        """The same in tonnes."""
        low, high = self.co2_emitted_kg
        return _tonnes(low), _tonnes(high)

    @property
    def co2_avoided(self) -> tuple[Decimal, Decimal]:
        """Tonnes CO2e of the private driving removed, counted as petrol or diesel cars."""
        low, high = self.km_removed
        return _tonnes(low * CO2_THERMAL_PER_KM), _tonnes(high * CO2_THERMAL_PER_KM)


def _tonnes(kg: Decimal) -> Decimal:
    return (Decimal(kg) / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
