"""Territories (local authorities), their staff, invitations, and the communities' consents to share figures.

A territory's report covers the communities that consented to share with it or with one of its
descendants: a commune's figures roll up into its EPCI and its département.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from colocauto.core.fields import coordinate_field
from communities.models import invitation_expiry, invitation_token

# The roll-up model lives beside its refresh service; importing it here registers it with the app.
from territories.rollup import ENERGY_CHOICES, MonthlyUsage, RollupMonth, UsageFigures  # noqa: F401


class Territory(models.Model):
    """A local authority or public body whose staff see aggregated usage of the communities inside it."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("Intercommunality (EPCI)")
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Région")
        PARC = "parc", _("Natural park")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    code = models.CharField(
        _("official code"),
        max_length=20,
        blank=True,
        help_text=_("INSEE code for a commune or a département, SIREN number for an intercommunality."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    # The commune's centre: used only for coarse public locations, never a household's address.
    latitude = coordinate_field("latitude", _("latitude"))
    longitude = coordinate_field("longitude", _("longitude"))

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="territory_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


class TerritoryStaff(models.Model):
    """A person who may read a territory's reports; a staff admin may also invite colleagues."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="territory_roles")
    is_admin = models.BooleanField(_("may invite colleagues"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("territory staff member")
        verbose_name_plural = _("territory staff")
        ordering = ["territory", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["territory", "user"], name="territory_staff_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.territory}"


class TerritoryInvitation(models.Model):
    """A single-use link sent to one e-mail address to become staff of a territory."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    is_admin = models.BooleanField(_("may invite colleagues"), default=False)
    # The e-mail's language when the address has no account yet (an account's own language wins).
    language = models.CharField(
        _("language of the e-mail"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Claimed once (filter(..., email_sent_at=None).update(...) == 1) so a retried task never sends twice.
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("territory invitation")
        verbose_name_plural = _("territory invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} → {self.territory}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class TerritoryConsent(models.Model):
    """A community's decision to share anonymised figures with a territory; withdrawn rows are kept."""

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="territory_consents")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="consents")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent to share figures")
        verbose_name_plural = _("consents to share figures")
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "territory"],
                condition=Q(withdrawn_at__isnull=True),
                name="territory_consent_one_active",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("granted_at")),
                name="territory_consent_withdrawn_after_granted",
            ),
        ]
        indexes = [models.Index(fields=["territory", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.community} → {self.territory}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class TerritoryUsage(UsageFigures):
    """The roll-up a territory's report reads: the communities of one ``branch`` of ``territory`` summed
    over one period and one energy (``territories.usage`` keeps it in step with its sources).

    The branch is a child of the territory, or the territory itself for the communities that share
    with it directly. Month rows hold every number; quarter and year rows only ``communities``, the
    communities active during the period counted once each (months can't be added up for that).
    """

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=7)
    energy = models.CharField(_("energy"), max_length=10, choices=ENERGY_CHOICES)
    communities = models.PositiveIntegerField(_("active communities"), default=0)

    class Meta:
        verbose_name = _("territory usage")
        verbose_name_plural = _("territory usage")
        constraints = [
            models.UniqueConstraint(fields=["territory", "period", "energy", "branch"], name="territory_usage_once"),
        ]

    def __str__(self) -> str:
        return f"{self.territory_id}/{self.branch_id} {self.period} {self.energy}"


class TerritoryUsageState(models.Model):
    """Which communities a territory's ``TerritoryUsage`` rows were summed from, and in which branch:
    compared with the consents of now, it says which branches to sum again."""

    territory = models.OneToOneField(Territory, on_delete=models.CASCADE, primary_key=True, related_name="+")
    digest = models.CharField(max_length=64)
    placement = models.JSONField(default=list)  # [[community id, branch id], …] sorted

    def __str__(self) -> str:
        return f"{self.territory_id} {self.digest[:8]}"
