"""What erasing a person's account does to the vehicles they own (registered in ``vehicles/privacy.py``).

The vehicle stays in its community, so its bookings, trips, costs and reports stay right, owned by the
pseudonym; what identifies the owner or their home goes: the plate, the insurer and policy number, where it
is parked, the instructions (where the keys are), its photo and the reasons of its blackout periods.
"""

from __future__ import annotations

from colocauto.core.privacy import Eraser, erase_with, keep
from communities.models import User
from vehicles.models import Blackout, Vehicle

ERASES = (
    "vehicles.Vehicle.owner",
    "vehicles.Vehicle.plate",
    "vehicles.Vehicle.parking_location",
    "vehicles.Vehicle.photo",
    "vehicles.Vehicle.instructions",
    "vehicles.Vehicle.insurer",
    "vehicles.Vehicle.policy_number",
    "vehicles.Blackout.reason",
)


def erase_vehicles(user: User) -> None:
    owned = Vehicle.objects.filter(owner=user)
    for vehicle in owned.exclude(photo=""):
        vehicle.photo.delete(save=False)
    owned.update(plate="", parking_location="", photo="", instructions="", insurer="", policy_number="")
    Blackout.objects.filter(vehicle__owner=user).exclude(reason="").update(reason="")


erase_with(Eraser(name="vehicles", erase=erase_vehicles, covers=ERASES))
keep(
    "A vehicle's name, make and model describe the car the community shares, not its owner; who changed a cost "
    "model points at the pseudonym.",
    "vehicles.Vehicle.name",
    "vehicles.Vehicle.make",
    "vehicles.Vehicle.model",
    "vehicles.CostModelPeriod.changed_by",
)
