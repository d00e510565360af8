"""What the vehicles app holds about a person, for their data export (see colocauto.core.privacy)."""

from django.utils.translation import gettext_lazy as _

from colocauto.core.privacy import Column, Section, file_name, register
from vehicles.models import CostModelPeriod, Vehicle


def _owned(user):
    return Vehicle.objects.filter(owner=user).select_related("community").order_by("pk")


def _vehicles(user):
    for vehicle in _owned(user):
        yield {
            "community": vehicle.community.name,
            "name": vehicle.name,
            "kind": vehicle.kind,
            "make": vehicle.make,
            "model": vehicle.model,
            "year": vehicle.year,
            "plate": vehicle.plate,
            "energy": vehicle.energy,
            "parking_location": vehicle.parking_location,
            "latitude": vehicle.latitude,
            "longitude": vehicle.longitude,
            "instructions": vehicle.instructions,
            "insurer": vehicle.insurer,
            "policy_number": vehicle.policy_number,
            "insurance_expiry": vehicle.insurance_expiry,
            "odometer_km": vehicle.odometer_km,
            "cost_model": vehicle.cost_model,
            "photo": file_name("vehicles", vehicle.pk, vehicle.photo) if vehicle.photo else None,
            "created_at": vehicle.created_at,
        }


def _photos(user):
    for vehicle in _owned(user).exclude(photo=""):
        yield file_name("vehicles", vehicle.pk, vehicle.photo), vehicle.photo


def _cost_model_changes(user):
    changes = CostModelPeriod.objects.filter(changed_by=user).select_related("vehicle").order_by("pk")
    for change in changes:
        yield {
            "vehicle": change.vehicle.name,
            "cost_model": change.cost_model,
            "ends_on": change.ends_on,
            "changed_at": change.changed_at,
        }


register(
    Section(
        name="vehicles",
        title=_("Vehicles you own"),
        description=_("The vehicles you lend to your communities, as you described them."),
        columns=(
            Column("community", "string", _("Name of the community.")),
            Column("name", "string", _("The vehicle's name.")),
            Column("kind", "string", _("Kind of vehicle.")),
            Column("make", "string", _("Make.")),
            Column("model", "string", _("Model.")),
            Column("year", "integer", _("Year.")),
            Column("plate", "string", _("Number plate.")),
            Column("energy", "string", _("Energy.")),
            Column("parking_location", "string", _("Where it is parked.")),
            Column("latitude", "string", _("Latitude of the parking place, if given.")),
            Column("longitude", "string", _("Longitude of the parking place, if given.")),
            Column("instructions", "string", _("Instructions for borrowers (keys, parking).")),
            Column("insurer", "string", _("Insurer.")),
            Column("policy_number", "string", _("Insurance policy number.")),
            Column("insurance_expiry", "date", _("Insurance expiry date.")),
            Column("odometer_km", "integer", _("Last known odometer reading, in km.")),
            Column("cost_model", "string", _("How its costs are shared.")),
            Column("photo", "file", _("The vehicle's photo in this archive.")),
            Column("created_at", "datetime", _("When it was added.")),
        ),
        rows=_vehicles,
        files=_photos,
        covers=("vehicles.Vehicle.owner",),
        order=20,
    ),
    Section(
        name="cost_model_changes",
        title=_("Changes of cost sharing"),
        description=_("Changes you made to how a vehicle's costs are shared."),
        columns=(
            Column("vehicle", "string", _("The vehicle's name.")),
            Column("cost_model", "string", _("The cost sharing in force until the change.")),
            Column("ends_on", "date", _("Last day of that cost sharing.")),
            Column("changed_at", "datetime", _("When you changed it.")),
        ),
        rows=_cost_model_changes,
        covers=("vehicles.CostModelPeriod.changed_by",),
        order=21,
    ),
)
