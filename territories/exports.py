"""CSV and JSON exports in the layout of the Mobility Data Specification's "Reports".

One row per territory × period × vehicle energy: the months of the chosen period, then (once ended)
its quarters and its year, told apart by ``duration`` (P1M, P3M, P1Y). A confidential row has empty
figures and ``suppressed`` set. Units are in the column names; the thresholds are on every row of
the CSV and in the JSON's metadata.
"""

import csv
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from colocauto.spreadsheet import BOM, csv_dialect, csv_text
from territories.dashboard import cell, energy_label, rows_of
from territories.periods import Period
from territories.reports import Report

COLUMNS = [
    "start_date",
    "duration",
    "geography_type",
    "geography_id",
    "geography_name",
    "vehicle_type",
    "vehicle_energy",
    "trip_count",
    "household_count",
    "booking_count",
    "distance_km",
    "booked_hours",
    "occupancy_rate",
    "suppressed",
    "min_households",
    "min_bookings",
    "max_household_share",
]
FIGURES = ["trip_count", "household_count", "booking_count", "distance_km", "booked_hours", "occupancy_rate"]
UNITS = {
    "trip_count": "trips (completed, counted in the month they ended)",
    "household_count": "distinct member households who booked or drove (for a quarter or a year: its busiest month)",
    "booking_count": "bookings (confirmed or driven, counted in the month they start)",
    "distance_km": "km driven, from odometer readings",
    "booked_hours": "hours booked, clipped to the period",
    "occupancy_rate": "booked hours / hours available under the vehicles' weekly windows (0 to 1)",
}


def export_periods(report: Report, period: Period) -> list[Period]:
    """The ended months of ``period``, then its ended quarters and the period itself."""
    known = {p.key: p for p in report.periods}
    months = [Period(day, 1) for day in period.month_starts]
    quarters = [Period.quarter(period.start.year, q) for q in range(1, 5)] if period.months == 12 else []
    wanted = [*months, *quarters, *([period] if period.months > 1 else [])]
    return [known[p.key] for p in wanted if p.key in known]


def export_rows(report: Report, period: Period) -> list[dict]:
    thresholds = report.thresholds
    rows = []
    for target in export_periods(report, period):
        for row, label, territory in rows_of(report):
            for energy in report.table.energies:
                item = cell(report, row, energy, target)
                record = {
                    "start_date": target.start.isoformat(),
                    "duration": target.duration,
                    "geography_type": territory.kind if territory else "rest",
                    "geography_id": territory.code if territory else "",
                    "geography_name": label,
                    "vehicle_type": "car",
                    "vehicle_energy": energy,
                    "suppressed": item.confidential,
                    "min_households": thresholds.min_households,
                    "min_bookings": thresholds.min_bookings,
                    "max_household_share": thresholds.max_share,
                }
                indicators = item.indicators
                occupancy = indicators.occupancy if indicators else None
                record.update(
                    {
                        "trip_count": indicators.trips if indicators else None,
                        "household_count": indicators.households if indicators else None,
                        "booking_count": indicators.bookings if indicators else None,
                        "distance_km": indicators.km if indicators else None,
                        "booked_hours": indicators.booked_hours if indicators else None,
                        "occupancy_rate": (occupancy / 100).quantize(Decimal("0.001"))
                        if occupancy is not None
                        else None,
                    }
                )
                rows.append(record)
    return rows


def export_csv(report: Report, period: Period) -> str:
    separator, decimal_mark = csv_dialect()

    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, Decimal):
            return str(value).replace(".", decimal_mark)
        return csv_text(value)

    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in export_rows(report, period):
        writer.writerow([text(record[column]) for column in COLUMNS])
    return buffer.getvalue()


def export_json(report: Report, period: Period, *, sources: list[dict]) -> dict:
    thresholds = report.thresholds
    data = []
    for record in export_rows(report, period):
        item = dict(record)
        for column in ("min_households", "min_bookings", "max_household_share"):
            item.pop(column)
        for column in ("booked_hours", "occupancy_rate"):
            if item[column] is not None:
                item[column] = float(item[column])
        data.append(item)
    territory = report.territory
    return {
        "metadata": {
            "title": _("Neighbour car sharing in %(name)s") % {"name": territory.name},
            "territory": {"name": territory.name, "kind": territory.kind, "code": territory.code},
            "period": {"start_date": period.start.isoformat(), "duration": period.duration},
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "layout": "Mobility Data Specification, Reports (one row per geography × period × vehicle energy)",
            "units": UNITS,
            "disclosure_control": {
                "min_households": thresholds.min_households,
                "min_bookings": thresholds.min_bookings,
                "max_household_share": float(thresholds.max_share),
                "suppressed_cells": "figures empty (null) and suppressed true; never shown as 0",
                "secondary_suppression": "no confidential cell can be worked out from totals or siblings",
            },
            "sources": sources,
            "energies": {energy: energy_label(energy) for energy in report.table.energies},
        },
        "data": data,
    }
