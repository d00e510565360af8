"""People and communities: users (e-mail login), communities, memberships, invitations."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.validators import validate_iban, validate_phone, validate_time_zone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; the e-mail address is the login."""

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    language = models.CharField(_("preferred language"), max_length=5, choices=Language, default=Language.FRENCH)
    iban = models.CharField(
        _("IBAN"),
        max_length=42,
        blank=True,
        validators=[validate_iban],
        help_text=_("Optional. Shown only to members who owe you money, to pay you by bank transfer."),
    )
    notify_bookings = models.BooleanField(_("e-mail me about bookings"), default=True)
    notify_settlements = models.BooleanField(_("e-mail me the monthly settlement"), default=True)
    notify_community = models.BooleanField(_("e-mail me about membership requests and invitations"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when the person's account was erased (GDPR Art. 17): the row stays, emptied of everything personal,
    # so the ledger and the vehicles' history keep pointing at someone. ``former_number`` makes the pseudonym
    # ("Former member 3"), distinct from every other former member of the communities they were in.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    former_number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # When the person's requested erasure is due (``privacy.AccountDeletion``, kept in step by ``privacy.deletion``):
    # read with the user on every page for the banner "your account will be erased", without a query of its own.
    erasure_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.former_number is not None:  # rendered in the reader's language
            return _("Former member %(number)s") % {"number": self.former_number}
        return self.display_name or self.email.split("@")[0]

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class Community(models.Model):
    """A group of neighbours sharing cars, with its booking rules."""

    class Currency(models.TextChoices):
        EUR = "EUR", _("Euro (€)")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    charter = models.TextField(_("charter"), blank=True, help_text=_("The rules members agree to when they join."))
    municipality = models.CharField(_("municipality"), max_length=120)
    postal_code = models.CharField(_("postal code"), max_length=10, help_text=_("French postal code, e.g. 26400."))
    insee_code = models.CharField(
        _("INSEE code of the commune"),
        max_length=5,
        blank=True,
        help_text=_("Optional, e.g. 26108 for Crest: lets the community share figures with its commune."),
    )
    open_data_listed = models.BooleanField(
        _("list this community publicly in the open-data feed"),
        default=False,
        help_text=_("Its name, commune and vehicle types appear in the public feed; never members or addresses."),
    )
    open_data_live = models.BooleanField(
        _("also publish live availability"),
        default=False,
        help_text=_("The public feed also says how many vehicles are free right now."),
    )
    # Any valid zone is stored (older communities may use one outside the list); the form offers OFFERED_TIME_ZONES.
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone], default="Europe/Paris")
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.EUR)
    auto_approve_invitees = models.BooleanField(
        _("approve invited people automatically"),
        default=False,
        help_text=_("If unticked, an admin approves every person who joins through an invitation."),
    )
    owner_approval_required = models.BooleanField(
        _("owner approval required"),
        default=True,
        help_text=_("Bookings by someone other than the owner wait for the owner's (or an admin's) approval."),
    )
    min_notice = models.DurationField(
        _("minimum notice"), default=timedelta(0), help_text=_("How long before its start a booking can be made.")
    )
    max_duration = models.DurationField(_("maximum booking duration"), default=timedelta(days=7))
    max_advance = models.DurationField(
        _("maximum advance"), default=timedelta(days=90), help_text=_("How far ahead one may book.")
    )
    idle_shared_costs = models.CharField(
        _("a shared-costs vehicle nobody drove"),
        max_length=10,
        choices=[
            ("owner", _("Its owner bears the month's costs (the members, for a community vehicle)")),
            ("members", _("All members share the month's costs, by days of membership")),
        ],
        default="owner",
        help_text=_("Who pays a shared-costs vehicle's expenses in a month when nobody drove it."),
    )
    inactivity_months = models.PositiveSmallIntegerField(
        _("months without activity before a member is listed as inactive"),
        default=6,
        validators=[
            MinValueValidator(1, message=_("Enter at least 1 month.")),
            MaxValueValidator(36, message=_("Enter at most 36 months.")),
        ],
        help_text=_(
            "Admins see the members who have not booked, driven, paid an expense or a transfer, or signed in for "
            "this long, and may leave them out of the fixed-cost splits from the next month."
        ),
    )
    # Holds the community pool's money: receives and confirms what members owe the pool (``pool_holder_of``).
    pool_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pool holder"),
        help_text=_(
            "The admin who receives the money members owe the community pool (for community-owned vehicles) "
            "and confirms it arrived. Their IBAN, from their profile, is shown to whoever owes the pool."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    # When an admin last saved the settings page (its booking rules, charter, pool holder): the setup checklist's
    # "set the rules" is done once it is set (``communities.onboarding``).
    rules_reviewed_at = models.DateTimeField(_("rules reviewed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(min_notice__gte=timedelta(0)), name="community_min_notice_not_negative"),
            models.CheckConstraint(condition=Q(max_duration__gt=timedelta(0)), name="community_max_duration_positive"),
            models.CheckConstraint(condition=Q(max_advance__gt=timedelta(0)), name="community_max_advance_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a community. Rows are kept when people leave, so history stays explainable."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    invitation = models.ForeignKey(
        "Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    joined_at = models.DateTimeField(_("joined at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The admins are told of a request, and the applicant of the answer, once each through the outbox
    # (colocauto/outbox.py): claimed with a lease, the admins served so far remembered, marked notified.
    request_claimed_at = models.DateTimeField(null=True, blank=True)
    request_notified_to = models.JSONField(default=list, blank=True)
    request_notified_at = models.DateTimeField(null=True, blank=True)
    decision_claimed_at = models.DateTimeField(null=True, blank=True)
    decision_notified_at = models.DateTimeField(null=True, blank=True)
    # The person hid their setup checklist on the overview (``communities.onboarding``).
    checklist_hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(status__in=["pending", "active"]),
                name="membership_one_open_per_user",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(joined_at__isnull=False), name="membership_active_has_joined_at"
            ),
        ]
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["community", "status"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.community}"

    @property
    def is_admin(self) -> bool:
        return self.status == self.Status.ACTIVE and self.role == self.Role.ADMIN

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Inactivity(models.Model):
    """A member left out of the fixed-cost splits: from ``starts_on`` (the first day of a month, community time)
    to ``ends_on`` (the first day of the month after they were active again; empty while they stay inactive;
    equal to ``starts_on`` when they were active again before it started: no day counted).

    Rows are kept, so each month's split uses the periods in force that month (``ledger.membership_days``).
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="inactivities")
    starts_on = models.DateField(_("inactive from"))
    ends_on = models.DateField(_("active again from"), null=True, blank=True)
    marked_at = models.DateTimeField(_("marked inactive at"), default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("active again at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The member is told once of each change, through the outbox (colocauto/core/outbox.py): claimed with a
    # lease, marked sent.
    notice_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    end_notice_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    end_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("inactive period")
        verbose_name_plural = _("inactive periods")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"], condition=Q(ends_on__isnull=True), name="inactivity_one_open_per_membership"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="inactivity_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} inactive {self.starts_on:%Y-%m} → {self.ends_on or ''}"


def invitation_token() -> str:
    """The secret of an invitation link (a community's, or a territory staff's)."""
    return secrets.token_urlsafe(24)


def invitation_expiry() -> datetime:
    """When a new invitation link stops working, unless its author chose otherwise: in 14 days."""
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """A secret link to join a community; optionally sent to one e-mail address."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    email = models.EmailField(_("e-mail address"), blank=True)
    note = models.CharField(_("label"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=invitation_expiry)
    max_uses = models.PositiveIntegerField(_("maximum uses"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("uses"), default=0)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The e-mail to ``email``, sent once through the outbox: claimed with a lease, then marked sent.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(use_count__lte=models.F("max_uses")),
                name="invitation_uses_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community} ({self.email or self.note or self.token[:6]})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_used_up(self) -> bool:
        return self.max_uses is not None and self.use_count >= self.max_uses

    @property
    def is_usable(self) -> bool:
        return not (self.is_revoked or self.is_expired or self.is_used_up)

    @property
    def status(self) -> str:
        """active, revoked, expired or used_up — revocation first, since it is an admin's decision."""
        if self.is_revoked:
            return "revoked"
        if self.is_expired:
            return "expired"
        if self.is_used_up:
            return "used_up"
        return "active"

    @property
    def status_label(self) -> str:
        return str(INVITATION_STATUS_LABELS[self.status])


INVITATION_STATUS_LABELS = {
    "active": _("Active"),
    "revoked": _("Revoked"),
    "expired": _("Expired"),
    "used_up": _("Used up"),
}
