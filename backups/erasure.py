"""How the backups app erases a person: the community archives they asked for are deleted with their files
(each holds every member's name and address); the community's data itself is erased by its own apps."""

from backups.models import CommunityExport
from colocauto.core.privacy import Eraser, erase_with, keep


def erase_backups(user) -> None:
    for export in CommunityExport.objects.filter(requested_by=user):
        if export.archive:
            export.archive.delete(save=False)
        export.delete()


erase_with(
    Eraser(
        name="community_backups",
        erase=erase_backups,
        covers=(
            "backups.CommunityExport.requested_by",
            "backups.CommunityExport.token",
            "backups.CommunityExport.archive",
        ),
        order=900,
    )
)
keep(
    "The record of an imported archive names the community and the archive's SHA-256, no person.",
    "backups.CommunityImport.manifest_sha256",
    "backups.CommunityImport.source_name",
)
