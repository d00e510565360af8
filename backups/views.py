"""A community's backup page (admins only): ask for the archive, follow its preparation, download it once."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from backups import selectors, services
from colocauto.core.web import attempt_or_message
from communities.access import community_view
from privacy.builds import archive_response, status_response


@community_view(admin=True)
@require_http_methods(["GET", "POST"])
def backup_page(request):
    community_id = request.community.pk
    if request.method == "POST":
        if attempt_or_message(request, services.backup_request, membership=request.membership) is not None:
            messages.success(request, _("The archive is being prepared. We will e-mail you when it is ready."))
        return redirect("community_backup", community_id=community_id)
    exports = list(selectors.backups_of(request.membership))
    for export in exports:
        export.status_url = reverse("community_backup_status", args=[community_id, export.pk])
        mine = export.requested_by_id == request.user.pk
        export.download_url = reverse("community_backup_download", args=[community_id, export.token]) if mine else None
    context = {"exports": exports, "preparing": any(export.in_progress for export in exports)}
    return render(request, "backups/backup.html", context)


@community_view(admin=True)
@require_GET
def backup_status(request, pk):
    """The preparation's progress, for the page's script (the page itself says the same without script)."""
    return status_response(pk, lambda export_id: selectors.backup_of(request.membership, export_id))


@community_view(admin=True)
@require_GET
def backup_download(request, token):
    export = services.backup_download(membership=request.membership, token=token)
    return archive_response(export, f"colocauto-community-{request.community.pk}-{timezone.localdate():%Y-%m-%d}.zip")
