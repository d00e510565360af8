from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from colocauto.core.errors import DomainError
from territories.models import Territory, TerritoryConsent, TerritoryInvitation, TerritoryStaff
from territories.reports import reports_invalidate
from territories.services import staff_invite
from territories.usage import territory_usage_sync


class TerritoryStaffInline(admin.TabularInline):
    model = TerritoryStaff
    fk_name = "territory"
    extra = 0
    fields = ["user", "is_admin", "invited_by", "created_at"]
    readonly_fields = ["invited_by", "created_at"]
    raw_id_fields = ["user"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    inlines = [TerritoryStaffInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        territory_usage_sync()  # a new parent moves communities between branches
        reports_invalidate()  # a new name or parent changes the reports

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        territory_usage_sync()
        reports_invalidate()


@admin.register(TerritoryInvitation)
class TerritoryInvitationAdmin(admin.ModelAdmin):
    """A site operator invites staff here: the e-mail goes out when the invitation is saved."""

    list_display = ["email", "territory", "is_admin", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["territory"]
    search_fields = ["email", "territory__name", "territory__code"]
    raw_id_fields = ["territory"]
    fields = ["territory", "email", "is_admin", "language", "expires_at", "accepted_at", "email_sent_at"]
    readonly_fields = ["expires_at", "accepted_at", "email_sent_at"]
    actions = ["send_again"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            invitation = staff_invite(
                territory=obj.territory, email=obj.email, is_admin=obj.is_admin, language=obj.language
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        obj.pk = invitation.pk
        obj.refresh_from_db()

    @admin.action(description=_("Send a new invitation to the selected addresses"))
    def send_again(self, request, queryset):
        sent = 0
        for invitation in queryset.select_related("territory"):
            try:
                staff_invite(
                    territory=invitation.territory,
                    email=invitation.email,
                    is_admin=invitation.is_admin,
                    language=invitation.language,
                )
            except DomainError as error:
                self.message_user(request, error.message, messages.WARNING)
            else:
                sent += 1
        self.message_user(request, ngettext("%d invitation sent.", "%d invitations sent.", sent) % sent)


@admin.register(TerritoryConsent)
class TerritoryConsentAdmin(admin.ModelAdmin):
    """Read-only history: only a community's admins grant or withdraw consent."""

    list_display = ["community", "territory", "granted_at", "withdrawn_at"]
    list_select_related = ["community", "territory"]
    search_fields = ["community__name", "territory__name", "territory__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
