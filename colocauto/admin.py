from allauth.account.adapter import get_adapter
from allauth.decorators import rate_limit
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.decorators import method_decorator


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through services (bookings' history, the ledger): view, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AdminLoginForm(AdminAuthenticationForm):
    """The admin checks passwords through allauth, so wrong ones count towards the main login's limits."""

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            self.user_cache = get_adapter(self.request).authenticate(self.request, email=email, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AdminSite(admin.AdminSite):
    """Django's admin, with its login rate-limited like the main one (ACCOUNT_RATE_LIMITS)."""

    login_form = AdminLoginForm

    @method_decorator(rate_limit(action="login"))
    def login(self, request, extra_context=None):
        return super().login(request, extra_context)
