from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import translation

from colocauto.proxies import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails go out in the recipient's language, when we know the recipient, signed "Colocauto"."""

    def send_mail(self, template_prefix, email, context):
        context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
        user = context.get("user")
        if user is None:
            # Security notices (password changed…) come without the user: greet them by name all the same.
            user = get_user_model().objects.filter(email__iexact=email).first()
            context["user"] = user
        language = getattr(user, "language", None) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request):
        """The address the failed-login and sign-up limits count, read through our trusted proxies."""
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def login(self, request, user):
        """From the moment they log in, people read the site (and the "signed in" message) in their language."""
        super().login(request, user)
        language = getattr(user, "language", None)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
