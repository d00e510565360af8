"""Every write about territories: the tree, staff invitations, and communities' consents and open-data choices."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from colocauto.core.errors import Conflict, DomainError, NotAllowed
from colocauto.core.mail import text_email
from colocauto.core.queue import wake_by_name
from colocauto.text import french_typography
from communities.invitations import invitation_wrong_recipient
from communities.models import Community, Membership, User
from communities.rules import require_admin
from territories.models import Territory, TerritoryConsent, TerritoryInvitation, TerritoryStaff
from territories.selectors import MAX_DEPTH
from territories.usage import territory_usage_sync


class InvitationUnusable(DomainError):
    """The staff invitation was used or has expired: 410."""

    status_code = 410
    default_code = "territory_invitation_unusable"


# --- The tree ---------------------------------------------------------------------------------


@dataclass
class TerritoryRow:
    """One line of an import: name, kind, code, parent code, latitude, longitude (all text)."""

    name: str
    kind: str
    code: str = ""
    parent_code: str = ""
    latitude: str = ""
    longitude: str = ""


def _coordinate(value: str, limit: int, line: int):
    if not value.strip():
        return None
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) > limit:
        raise DomainError(
            _("Line %(line)s: “%(value)s” is not a coordinate.") % {"line": line, "value": value},
            code="territory_coordinate_invalid",
            params={"line": line},
        )
    return number.quantize(Decimal("0.000001"))


@transaction.atomic
def territories_import(*, rows: list[TerritoryRow]) -> tuple[int, int]:
    """Create or update territories by code (rows without a code are matched by name and kind).

    A parent may come later in the file or already exist. Returns (created, updated); nothing is
    saved if any line is wrong.
    """
    kinds = set(Territory.Kind.values)
    saved: dict[int, Territory] = {}
    created = updated = 0
    for line, row in enumerate(rows, start=2):
        name, kind, code = row.name.strip(), row.kind.strip().lower(), row.code.strip()
        if not name:
            raise DomainError(
                _("Line %(line)s: the name is missing.") % {"line": line},
                code="territory_name_missing",
                params={"line": line},
            )
        if kind not in kinds:
            raise DomainError(
                _("Line %(line)s: unknown kind “%(kind)s” (use one of: %(kinds)s).")
                % {"line": line, "kind": row.kind, "kinds": ", ".join(sorted(kinds))},
                code="territory_kind_unknown",
                params={"line": line},
            )
        if len(name) > 160 or len(code) > 20:
            raise DomainError(
                _("Line %(line)s: the name or the code is too long.") % {"line": line},
                code="territory_too_long",
                params={"line": line},
            )
        values = {
            "name": name,
            "kind": kind,
            "latitude": _coordinate(row.latitude, 90, line),
            "longitude": _coordinate(row.longitude, 180, line),
        }
        if code:
            territory, was_created = Territory.objects.update_or_create(code=code, defaults=values)
        else:
            territory, was_created = Territory.objects.update_or_create(name=name, kind=kind, code="", defaults=values)
        created += was_created
        updated += not was_created
        saved[line] = territory
    by_code = {t.code: t for t in Territory.objects.filter(code__in={r.parent_code.strip() for r in rows} - {""})}
    for line, row in enumerate(rows, start=2):
        parent_code = row.parent_code.strip()
        if not parent_code:
            continue
        parent = by_code.get(parent_code)
        if parent is None:
            raise DomainError(
                _("Line %(line)s: no territory has the parent code “%(code)s”.") % {"line": line, "code": parent_code},
                code="territory_parent_unknown",
                params={"line": line},
            )
        territory = saved[line]
        territory.parent = parent
        territory.save(update_fields=["parent"])
    for territory in saved.values():
        _refuse_loop(territory)
    territory_usage_sync()
    transaction.on_commit(_reports_invalidate)
    return created, updated


def _reports_invalidate() -> None:
    from territories.reports import reports_invalidate

    reports_invalidate()


def _refuse_loop(territory: Territory) -> None:
    seen, current = {territory.pk}, territory.parent_id
    for _depth in range(MAX_DEPTH + 1):
        if current is None:
            return
        if current in seen:
            raise DomainError(
                _("%(name)s would end up inside itself.") % {"name": territory.name}, code="territory_loop"
            )
        seen.add(current)
        current = Territory.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    raise DomainError(
        _("%(name)s is nested too deeply (at most %(depth)s levels).") % {"name": territory.name, "depth": MAX_DEPTH},
        code="territory_too_deep",
    )


def _lineage(territory_id: int | None) -> list[int]:
    """The territory and its ancestors (one query per level)."""
    chain: list[int] = []
    while territory_id is not None and territory_id not in chain and len(chain) <= MAX_DEPTH:
        chain.append(territory_id)
        territory_id = Territory.objects.filter(pk=territory_id).values_list("parent_id", flat=True).first()
    return chain


# --- Staff and their invitations ---------------------------------------------------------------


def staff_is_admin(*, user: User, territory: Territory) -> bool:
    return TerritoryStaff.objects.filter(territory=territory, user=user, is_admin=True).exists()


@transaction.atomic
def staff_invite(
    *, territory: Territory, email: str, is_admin: bool = False, invited_by: User | None = None, language: str = ""
) -> TerritoryInvitation:
    """Invite someone to a territory's staff. ``invited_by`` None is a site operator (admin, command);
    anyone else must be a staff admin of that territory. The e-mail goes out after the commit."""
    if invited_by is not None and not staff_is_admin(user=invited_by, territory=territory):
        raise NotAllowed(
            _("Only the territory's staff admins can invite colleagues."), code="territory_staff_admin_only"
        )
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), code="invalid_email", field="email") from None
    if TerritoryStaff.objects.filter(territory=territory, user__email__iexact=email).exists():
        raise Conflict(
            french_typography(
                _("%(email)s is already on the staff of %(name)s.") % {"email": email, "name": territory.name}
            ),
            code="already_territory_staff",
            field="email",
        )
    languages = dict(settings.LANGUAGES)
    language = language if language in languages else getattr(invited_by, "language", settings.LANGUAGE_CODE)
    invitation = TerritoryInvitation.objects.create(
        territory=territory,
        email=email,
        is_admin=is_admin,
        invited_by=invited_by,
        language=language,
    )
    wake_by_name("territories.tasks.send_staff_invitation", invitation.pk)
    return invitation


def _used() -> InvitationUnusable:
    return InvitationUnusable(
        _("This invitation has already been used. Log in to see your territory's reports."),
        code="territory_invitation_used",
    )


def invitation_unusable(invitation: TerritoryInvitation) -> InvitationUnusable | None:
    """Why the link can't be used any more (used, expired), or None while it can."""
    if invitation.accepted_at is not None:
        return _used()
    if invitation.expires_at <= timezone.now():
        return InvitationUnusable(
            _("This invitation has expired. Ask for a new one."), code="territory_invitation_expired"
        )
    return None


@transaction.atomic
def invitation_accept(*, invitation: TerritoryInvitation, user: User) -> TerritoryStaff:
    """The invited person (logged in with the invited address) joins the territory's staff; once."""
    refusal = invitation_unusable(invitation) or invitation_wrong_recipient(invitation=invitation, user=user)
    if refusal is not None:
        raise refusal
    claimed = TerritoryInvitation.objects.filter(
        pk=invitation.pk, accepted_at=None, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now(), accepted_by=user)
    if claimed != 1:
        raise _used()
    staff, created = TerritoryStaff.objects.get_or_create(
        territory_id=invitation.territory_id,
        user=user,
        defaults={"is_admin": invitation.is_admin, "invited_by": invitation.invited_by},
    )
    if not created and invitation.is_admin and not staff.is_admin:
        staff.is_admin = True
        staff.save(update_fields=["is_admin"])
    return staff


def staff_invitation_deliver(*, invitation_id: int) -> bool:
    """Send a staff invitation once, in the recipient's language; a retry sends nothing more."""
    with transaction.atomic():
        claimed = TerritoryInvitation.objects.filter(pk=invitation_id, email_sent_at=None).update(
            email_sent_at=timezone.now()
        )
        if claimed != 1:
            return False
        invitation = TerritoryInvitation.objects.select_related("territory", "invited_by").get(pk=invitation_id)
        recipient = User.objects.filter(email__iexact=invitation.email).first()
        language = recipient.language if recipient else invitation.language
        context = {
            "invitation": invitation,
            "territory": invitation.territory,
            "inviter_name": invitation.invited_by.name if invitation.invited_by else "",
            "has_account": recipient is not None,
            "join_url": settings.SITE_URL.rstrip("/") + reverse("territory_join", kwargs={"token": invitation.token}),
        }
        text_email(language, "emails/territories/staff_invitation", context, invitation.email).send()
    return True


# --- Communities: consent to share figures, open-data listing ------------------------------------


@transaction.atomic
def consent_grant(*, membership: Membership, territory: Territory) -> TerritoryConsent:
    """Share the community's anonymised figures with ``territory`` (and so with the territories above it).

    Refused when the community already shares with a territory of the same chain: its figures
    already count there, and counting them twice would make reports disagree.
    """
    require_admin(membership)
    community = Community.objects.select_for_update().get(pk=membership.community_id)
    lineage = set(_lineage(territory.pk))
    for consent in TerritoryConsent.objects.filter(community=community, withdrawn_at=None).select_related("territory"):
        # Two chains that meet are one tree, where a community must count once.
        if lineage & set(_lineage(consent.territory_id)):
            raise Conflict(
                _("The community already shares its figures with %(name)s, in the same group of territories.")
                % {"name": consent.territory.name},
                code="consent_in_same_tree",
            )
    try:
        with transaction.atomic():
            consent = TerritoryConsent.objects.create(
                community=community, territory=territory, granted_by=membership.user
            )
    except IntegrityError:
        raise Conflict(
            _("The community already shares its figures with %(name)s.") % {"name": territory.name},
            code="consent_already_given",
        ) from None
    territory_usage_sync(roots=lineage)
    _rewarm_reports()
    return consent


@transaction.atomic
def consent_withdraw(*, membership: Membership, consent: TerritoryConsent) -> TerritoryConsent:
    """Stop sharing: the community leaves every report made from now on; files already exported stay."""
    require_admin(membership)
    withdrawn = TerritoryConsent.objects.filter(
        pk=consent.pk, community_id=membership.community_id, withdrawn_at=None
    ).update(withdrawn_at=timezone.now(), withdrawn_by=membership.user)
    if withdrawn != 1:
        raise Conflict(_("This consent was already withdrawn."), code="consent_already_withdrawn")
    consent.refresh_from_db()
    territory_usage_sync(roots=_lineage(consent.territory_id))
    _rewarm_reports()
    return consent


def _rewarm_reports() -> None:
    """A consent changes what every cached report may count: compute the dashboards again in a worker,
    after the commit, so staff's next visit finds them ready (the version key already hides the old ones)."""
    wake_by_name("territories.tasks.reports_warm_all")


@transaction.atomic
def open_data_set(*, membership: Membership, listed: bool, live: bool) -> Community:
    """The two independent public choices; live availability is published only for a listed community."""
    require_admin(membership)
    community = Community.objects.select_for_update().get(pk=membership.community_id)
    community.open_data_listed = listed
    community.open_data_live = live
    community.save(update_fields=["open_data_listed", "open_data_live"])
    return community


@transaction.atomic
def insee_code_set(*, membership: Membership, insee_code: str) -> Community:
    require_admin(membership)
    community = Community.objects.select_for_update().get(pk=membership.community_id)
    community.insee_code = insee_code
    community.save(update_fields=["insee_code"])
    return community
