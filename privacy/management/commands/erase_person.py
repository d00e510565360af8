"""A site operator erases a person's account at once, on their written request (GDPR Art. 17).

    python manage.py erase_person --email anne@example.org --operator "Jeanne Dupont" --reason "Letter of 28/11, ref. 42"

Who did it and why are required: they are kept with the erasure (``privacy.AccountDeletion``) and logged.
Balances are never dropped: a non-zero one stays in the community as the former member's, and its admins are told.
Write the reason without the person's name: it is kept after the erasure.
"""

import logging

from django.core.management.base import BaseCommand, CommandError

from colocauto.core.errors import DomainError
from communities.models import User
from privacy.deletion import operator_erase

log = logging.getLogger("privacy.erasure")


class Command(BaseCommand):
    help = "Erase a person's account now, on their written request; says who did it and why."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--email", help="The person's e-mail address.")
        who.add_argument("--user-id", type=int, help="The person's id.")
        parser.add_argument("--operator", required=True, help="Your name: who erases the account.")
        parser.add_argument("--reason", required=True, help="Why: the written request (date, reference).")

    def handle(self, *args, email=None, user_id=None, operator, reason, **options):
        people = User.objects.filter(erased_at__isnull=True)
        user = people.filter(email__iexact=email).first() if email else people.filter(pk=user_id).first()
        if user is None:
            raise CommandError("Nobody with that e-mail address or id (or already erased).")
        try:
            record = operator_erase(user=user, operator=operator, reason=reason)
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        pseudonym = User.objects.get(pk=user.pk).former_number
        log.warning(
            "Account %s erased by the operator %s, reason: %s (now former member %s).",
            user.pk,
            record.operator,
            record.operator_reason,
            pseudonym,
        )
        self.stdout.write(f"Account {user.pk} erased (former member {pseudonym}), by {record.operator}.")
