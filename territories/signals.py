"""Remember at login whether the person is territory staff, for the navigation (no query on other pages)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from territories.access import remember_staff


@receiver(user_logged_in)
def _remember_territory_staff(sender, request, user, **kwargs):
    from territories.models import TerritoryStaff

    if request is not None:
        remember_staff(request, TerritoryStaff.objects.filter(user=user).exists())
