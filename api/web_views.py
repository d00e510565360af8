"""The profile's "API tokens" page: create a token (its value is shown once), see when each was last
used, revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api import tokens
from api.web_forms import TokenForm
from colocauto.core.parsers import parse_id
from colocauto.core.web import attempt, attempt_or_message


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        result = attempt(
            form,
            tokens.token_create,
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(),
        )
        if result is not None:
            created = {"token": result[0], "value": result[1]}
            form = TokenForm()
    context = {"form": form, "tokens": tokens.tokens_for(request.user), "created": created}
    # The new value is on this page only: it is not stored and never shown again.
    response = render(request, "api/tokens.html", context, status=201 if created else 200)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk):
    token_id = parse_id(pk)
    if token_id is not None and attempt_or_message(request, tokens.token_revoke, user=request.user, token_id=token_id):
        messages.success(request, _("The token has been revoked: it no longer works."))
    elif token_id is None:
        messages.error(request, _("No such token."))
    return redirect("api_tokens")
