"""Reads of the privacy app: a person's own data exports, never anyone else's."""

from django.utils.translation import gettext_lazy as _

from colocauto.core.errors import NotFound
from privacy.models import DataExport


def exports_for(user) -> list[DataExport]:
    """The person's recent requests, newest first."""
    return list(DataExport.objects.filter(user=user).order_by("-requested_at", "-pk")[:5])


def export_of(user, export_id: int) -> DataExport:
    """One of the person's own exports; anyone else's, or none, is a 404."""
    export = DataExport.objects.filter(user=user, pk=export_id).first()
    if export is None:
        raise NotFound(_("No such export."))
    return export
