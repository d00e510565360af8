"""Factories for the fixed people and things the tests use."""

from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from communities.models import Community, Invitation, Membership, User
from vehicles.models import Vehicle

PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    language = "fr"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Community {n}")
    municipality = "Crest"
    postal_code = "26400"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    community = factory.SubFactory(CommunityFactory)


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Car {n}")
    make = "Renault"
    model = "Clio"
    year = 2018
    plate = factory.Sequence(lambda n: f"AB-{n:03d}-CD")
    odometer_km = 42000
    rate_per_km = Decimal("0.300")
