"""Run by tests/backups/test_empty_database.py in a subprocess against an empty database: import an archive with
the operator's command, then print what people see of the imported community (``what_people_see``) as JSON."""

import json
import sys

import django


def main(archive: str) -> None:
    django.setup()
    from django.core.management import call_command

    from communities.models import Community, User
    from ledger.stored_balances import stored_balance_mismatches
    from tests.backups.history import what_people_see

    call_command("community_import", archive)
    community = Community.objects.get()
    shown = what_people_see(community)
    shown["people_with_a_password"] = [user.email for user in User.objects.all() if user.has_usable_password()]
    shown["stored_balance_mismatches"] = len(stored_balance_mismatches(community.pk))
    print(json.dumps(shown))


if __name__ == "__main__":
    main(sys.argv[1])
