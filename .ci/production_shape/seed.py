"""The scenario's data, created with the web service's environment (as ``docker compose exec web python …``).

An owner with a car and IBAN, a member who drove it last month (charged in the ledger, the month
not closed yet) and who will book and drive it again over HTTP. The community lets members book
without the owner's approval. Prints one JSON line for the runner: logins, ids, the month to close.
"""

import json
import os
import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colocauto.settings")
django.setup()

from allauth.account.models import EmailAddress  # noqa: E402 (after django.setup)
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from colocauto.core.clock import previous_month  # noqa: E402
from colocauto.seeding import past_trip  # noqa: E402
from communities import services as community_services  # noqa: E402
from communities.models import Community, Membership, User  # noqa: E402
from ledger.posting import local_today  # noqa: E402
from vehicles import services as vehicle_services  # noqa: E402
from vehicles.models import Vehicle  # noqa: E402

SINCE = timedelta(days=100)  # people, community and car exist well before last month
ODOMETER = 52_000
LAST_MONTH_KM = 80


def person(email: str, name: str, password: str, **fields) -> User:
    user = User.objects.create_user(email=email, password=password, display_name=name, language="fr", **fields)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


@transaction.atomic
def seed() -> dict:
    password = secrets.token_urlsafe(18)
    owner = person("odile@shape.example.org", "Odile Owner", password, iban="FR7630006000011234567890189")
    member = person("marc@shape.example.org", "Marc Member", password)
    community = community_services.community_create(
        user=owner,
        data={"name": "Rue des Essais", "municipality": "Crest", "postal_code": "26400", "time_zone": "Europe/Paris"},
    )
    admin = Membership.objects.get(community=community, user=owner)
    community_services.community_update(actor=admin, data={"owner_approval_required": False})
    earlier = timezone.now() - SINCE
    Membership.objects.create(
        community=community,
        user=member,
        status=Membership.Status.ACTIVE,
        requested_at=earlier,
        joined_at=earlier,
    )
    car = vehicle_services.vehicle_create(
        membership=admin,
        data={
            "name": "La 208 grise",
            "kind": Vehicle.Kind.CAR,
            "make": "Peugeot",
            "model": "208",
            "year": 2019,
            "plate": "GH-208-JK",
            "energy": Vehicle.Energy.PETROL,
            "seats": 5,
            "gearbox": Vehicle.Gearbox.MANUAL,
            "odometer_km": ODOMETER,
            "cost_model": Vehicle.CostModel.RATES,
            "rate_per_km": Decimal("0.250"),
        },
    )
    Community.objects.filter(pk=community.pk).update(created_at=earlier)
    Vehicle.objects.filter(pk=car.pk).update(created_at=earlier)
    Membership.objects.filter(pk=admin.pk).update(requested_at=earlier, joined_at=earlier)

    month = previous_month(local_today(community))
    starts_at = datetime.combine(month.replace(day=10), time(9), tzinfo=ZoneInfo(community.time_zone))
    past_trip(
        vehicle=car,
        driver=member,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        start_odometer=ODOMETER - LAST_MONTH_KM,
        km=LAST_MONTH_KM,
    )
    return {
        "password": password,
        "member": member.email,
        "owner": owner.email,
        "community": community.pk,
        "time_zone": community.time_zone,
        "vehicle": car.pk,
        "odometer": ODOMETER,
        "month": f"{month:%Y-%m}",
    }


if __name__ == "__main__":
    print(json.dumps(seed()))
