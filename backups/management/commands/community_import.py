"""``manage.py community_import ARCHIVE``: a site operator imports a community archive made on another server."""

from django.core.management.base import BaseCommand, CommandError, no_translations

from backups.errors import ArchiveRefused
from backups.restore import community_import


class Command(BaseCommand):
    help = (
        "Import a community archive (the ZIP a community admin downloads from the community's page). The archive "
        "is checked first; a corrupt or changed archive is refused and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="path of the archive (.zip)")
        parser.add_argument(
            "--again",
            action="store_true",
            help="import it even though this archive was already imported here (a second copy of the community)",
        )

    @no_translations  # the operator's messages are in English, like docs/error-codes.md and Django's own commands
    def handle(self, *args, archive, again=False, **options):
        try:
            imported = community_import(archive_path=archive, again=again)
        except ArchiveRefused as error:
            message = str(error.message).rstrip(".")
            raise CommandError(f"Refused ({error.code}): {message}. Nothing was imported.") from error
        self.stdout.write(
            f"Imported community “{imported.community.name}” as #{imported.community.pk}: "
            f"{imported.people_matched} people matched by e-mail, {imported.people_created} created "
            "(they sign in with an e-mail code or reset their password); "
            + ", ".join(f"{count} {name}" for name, count in imported.counts.items() if name != "users")
            + "."
        )
