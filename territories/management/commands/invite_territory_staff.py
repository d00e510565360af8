"""Invite someone to a territory's staff, as a site operator:

python manage.py invite_territory_staff 26108 mobilite@mairie-crest.fr --admin --language fr
"""

from django.core.management.base import BaseCommand, CommandError

from colocauto.core.errors import DomainError
from territories.models import Territory
from territories.services import staff_invite


class Command(BaseCommand):
    help = "Invite someone (by e-mail) to the staff of a territory, given by its official code or id."

    def add_arguments(self, parser):
        parser.add_argument("territory", help="the territory's official code (INSEE, SIREN) or its id")
        parser.add_argument("email")
        parser.add_argument("--admin", action="store_true", help="may invite colleagues")
        parser.add_argument("--language", default="", help="fr or en, for an address without an account")

    def handle(self, *args, territory: str, email: str, admin: bool, language: str, **options):
        found = Territory.objects.filter(code=territory).first()
        if found is None and territory.isdigit():
            found = Territory.objects.filter(pk=int(territory), code="").first()
        if found is None:
            raise CommandError(f"No territory has the code {territory!r}.")
        try:
            invitation = staff_invite(territory=found, email=email, is_admin=admin, language=language)
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(f"Invitation sent to {invitation.email} for {found.name}.")
