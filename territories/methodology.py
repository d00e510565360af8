"""The sources and formulas every report prints beside its figures."""

from django.utils.translation import gettext_lazy as _

from territories.figures import (
    CARS_REPLACED,
    CO2_ELECTRIC,
    CO2_ELECTRIC_PER_KM,
    CO2_THERMAL,
    CO2_THERMAL_PER_KM,
    KM_REMOVED_PER_YEAR,
)

SOURCES = [
    {
        "key": "ademe-autopartage",
        "title": "ADEME, Enquête nationale sur l'autopartage, 2022",
        "url": "https://librairie.ademe.fr/",
        "used_for": _("private cars avoided, private driving removed"),
    },
    {
        "key": "base-carbone",
        "title": "ADEME, Base Carbone / Impact CO2",
        "url": "https://impactco2.fr/",
        "used_for": _("CO2 emission factors per km, in use and for the car's construction"),
    },
    {
        "key": "insee-secret",
        "title": "INSEE, Guide du secret statistique",
        "url": "https://www.insee.fr/",
        "used_for": _("rules for publishing a table cell (thresholds and dominance)"),
    },
    {
        "key": "mds-reports",
        "title": "Open Mobility Foundation, Mobility Data Specification, Reports",
        "url": "https://github.com/openmobilityfoundation/mobility-data-specification",
        "used_for": _("layout of the CSV and JSON exports; small counts withheld"),
    },
]


def sources_for_export() -> list[dict]:
    return [{**source, "used_for": str(source["used_for"])} for source in SOURCES]


def constants() -> dict:
    return {
        "cars_low": CARS_REPLACED[0],
        "cars_high": CARS_REPLACED[1],
        "km_low": KM_REMOVED_PER_YEAR[0],
        "km_high": KM_REMOVED_PER_YEAR[1],
        "thermal_use": CO2_THERMAL[0],
        "thermal_build": CO2_THERMAL[1],
        "thermal_total": CO2_THERMAL_PER_KM,
        "electric_use": CO2_ELECTRIC[0],
        "electric_build": CO2_ELECTRIC[1],
        "electric_total": CO2_ELECTRIC_PER_KM,
    }
