from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.forms import UserCreationForm as DjangoUserCreationForm
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Invitation, Membership, User


class UserCreationForm(DjangoUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users log in with their e-mail address: there is no username."""

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "display_name", "language", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "language"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "phone", "language", "iban")}),
        (_("Notifications"), {"fields": ("notify_bookings", "notify_settlements", "notify_community")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "community"
    extra = 0
    fields = ["user", "role", "status", "requested_at", "joined_at", "ended_at"]
    raw_id_fields = ["user"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "postal_code", "created_at"]
    search_fields = ["name", "municipality", "postal_code"]
    readonly_fields = ["created_at", "created_by"]
    raw_id_fields = ["pool_holder"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "role", "status", "joined_at", "ended_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "user__display_name", "community__name"]
    list_select_related = ["user", "community"]
    raw_id_fields = ["user", "community", "invitation", "decided_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["community", "email", "note", "use_count", "max_uses", "expires_at", "revoked_at"]
    list_select_related = ["community"]
    search_fields = ["email", "note", "community__name"]
    readonly_fields = ["token", "created_at", "created_by", "use_count", "email_sent_at"]
    raw_id_fields = ["community"]
