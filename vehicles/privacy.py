"""What the vehicles app holds about a person, for their data export (see colocauto.core.privacy)."""

from django.utils.translation import gettext_lazy as _

from colocauto.core.privacy import Column, Section, fields, file_name, owned, register
from communities.privacy import COMMUNITY
from vehicles.models import CostModelPeriod, Vehicle

VEHICLE = Column("vehicle", "string", _("The vehicle's name."), "vehicle.name")


_owned = owned(Vehicle, "owner", "community")


def _photo(vehicle):
    return file_name("vehicles", vehicle.pk, vehicle.photo) if vehicle.photo else None


def _photos(user):
    for vehicle in _owned(user).exclude(photo=""):
        yield file_name("vehicles", vehicle.pk, vehicle.photo), vehicle.photo


register(
    Section(
        name="vehicles",
        title=_("Vehicles you own"),
        description=_("The vehicles you lend to your communities, as you described them."),
        columns=(
            COMMUNITY,
            *fields(Vehicle, "name kind make model year plate energy parking_location latitude longitude instructions"),
            *fields(Vehicle, "insurer policy_number insurance_expiry odometer_km cost_model"),
            Column("photo", "file", _("The vehicle's photo in this archive."), _photo),
            *fields(Vehicle, "created_at"),
        ),
        objects=_owned,
        files=_photos,
        order=20,
    ),
    Section(
        name="cost_model_changes",
        title=_("Changes of cost sharing"),
        description=_("Changes you made to how a vehicle's costs are shared."),
        columns=(
            VEHICLE,
            Column("cost_model", "string", _("The cost sharing in force until the change.")),
            Column("ends_on", "date", _("Last day of that cost sharing.")),
            Column("changed_at", "datetime", _("When you changed it.")),
        ),
        objects=owned(CostModelPeriod, "changed_by", "vehicle"),
        order=21,
    ),
)
