"""Create a personal access token for an account from the command line (operators, scripts, CI)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.models import AccessToken
from api.tokens import token_create
from colocauto.core.errors import DomainError
from communities.models import User


class Command(BaseCommand):
    help = "Create a personal access token for an account and print it (it is not stored: keep it)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The account's e-mail address.")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        parser.add_argument("--scope", choices=AccessToken.Scope.values, default=AccessToken.Scope.READ)
        parser.add_argument("--days", type=int, default=None, help="Expire after this many days (default: never).")

    def handle(self, *args, email, name, scope, days, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {email}.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            _token, value = token_create(user=user, name=name, scope=scope, expires_at=expires_at)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(value)
