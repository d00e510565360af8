"""The profile's "Delete my account" page, the cancel link of its e-mail, and cancelling from the banner."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from colocauto.core.web import attempt_or_message
from privacy import deletion


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    if request.method == "POST":
        leave = request.POST.get("leave_balance") == "on"
        scheduled = attempt_or_message(request, deletion.deletion_request, user=request.user, leave_balance=leave)
        if scheduled is not None:
            messages.success(request, _("Your account will be erased in 14 days. We sent you an e-mail to cancel."))
        return redirect("privacy_account_delete")
    context = {
        "pending": deletion.deletion_pending(request.user),
        "balances": deletion.standing_balances(request.user),
        "handed_over": deletion.communities_handed_over(request.user),
    }
    response = render(request, "privacy/account_delete.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def account_delete_cancel(request):
    if attempt_or_message(request, deletion.deletion_cancel, user=request.user) is not None:
        messages.success(request, _("The erasure of your account is cancelled: everything stays as it was."))
    return redirect("profile")


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_cancel_link(request, token):
    """The e-mail's link: a page with one button (a GET never changes anything)."""
    if request.method == "POST":
        if attempt_or_message(request, deletion.deletion_cancel, user=request.user, token=token) is not None:
            messages.success(request, _("The erasure of your account is cancelled: everything stays as it was."))
        return redirect("profile")
    return render(request, "privacy/account_delete_cancel.html", {"pending": deletion.deletion_pending(request.user)})
