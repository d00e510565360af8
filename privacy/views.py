"""The profile's "My data" page: ask for an archive of one's data, follow its preparation, download it once."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from colocauto.core.web import attempt_or_message
from privacy import selectors, services
from privacy.builds import archive_response, status_response


@require_GET
def privacy_policy(request):
    """What Colocauto stores, why, who sees it, how long, and how to take it or have it erased; for everyone."""
    retention = {
        "receipt_years": settings.RETENTION_RECEIPT_DAYS // 365,
        "incident_photo_years": settings.RETENTION_INCIDENT_PHOTO_DAYS // 365,
        "invitation_days": settings.RETENTION_INVITATION_DAYS,
    }
    return render(request, "privacy/privacy.html", {"contact": settings.PRIVACY_CONTACT_EMAIL, "retention": retention})


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    if request.method == "POST":
        export = attempt_or_message(request, services.export_request, user=request.user)
        if export is not None:
            messages.success(request, _("Your archive is being prepared. We will e-mail you when it is ready."))
        return redirect("privacy_my_data")
    exports = list(selectors.exports_for(request.user))
    for export in exports:
        export.status_url = reverse("privacy_export_status", args=[export.pk])
        export.download_url = reverse("privacy_download", args=[export.token])
    context = {"exports": exports, "preparing": any(export.in_progress for export in exports)}
    response = render(request, "privacy/my_data.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_status(request, pk):
    """The preparation's progress, for the page's script (the page itself says the same without script)."""
    return status_response(
        pk,
        lambda export_id: selectors.export_of(request.user, export_id),
        lambda export: reverse("privacy_download", kwargs={"token": export.token}),
    )


@login_required
@require_GET
def download(request, token):
    export = services.export_download(user=request.user, token=token)
    return archive_response(export, f"colocauto-{timezone.localdate():%Y-%m-%d}.zip")
