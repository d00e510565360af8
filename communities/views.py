from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from communities import selectors, services
from communities.forms import ProfileForm


def home(request):
    """Signed-in users see their communities; visitors see what Colocauto is."""
    if not request.user.is_authenticated:
        return render(request, "communities/landing.html")
    return render(request, "communities/home.html", {"communities": selectors.communities_for(request.user)})


@login_required
@require_GET
def community_switch(request):
    community_id = request.GET.get("community", "")
    if community_id.isdigit():
        return redirect("community_detail", community_id=int(community_id))
    return redirect("home")


@require_POST
def language_set(request):
    """Switch the interface language; for a signed-in user it also becomes the profile's language."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        services.language_set(user=request.user, language=language)
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, data=form.cleaned_data)
        translation.activate(request.user.language)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, request.user.language, secure=settings.LANGUAGE_COOKIE_SECURE
        )
        return response
    return render(request, "communities/profile.html", {"form": form})
