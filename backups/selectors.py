"""Reads of the backups app: a community's recent archives, for its admins only."""

from django.utils.translation import gettext_lazy as _

from backups.models import CommunityExport
from colocauto.core.errors import NotFound
from communities.models import Membership
from communities.rules import require_admin


def backups_of(membership: Membership) -> list[CommunityExport]:
    require_admin(membership)
    return list(
        CommunityExport.objects.filter(community_id=membership.community_id)
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")[:5]
    )


def backup_of(membership: Membership, export_id: int) -> CommunityExport:
    require_admin(membership)
    export = CommunityExport.objects.filter(community_id=membership.community_id, pk=export_id).first()
    if export is None:
        raise NotFound(_("No such archive."))
    return export
