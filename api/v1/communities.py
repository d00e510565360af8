"""Communities and their members (``/api/v1/communities/…``); invitations and joining are in ``invitations.py``.

Every view calls what the matching page calls: ``communities.selectors`` to read, ``communities.services``
to write, the pages' forms to check input. A non-member gets 404, a member asking for an admin's action 403
``admin_only``, as on the pages.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView, ListApiView, membership_for
from api.forms import form_serializer, validate_with, validation_error
from api.v1.paths import id_parameters, path_id
from communities import rules, selectors, services
from communities.forms import CommunitySettingsForm, LeaveForm
from communities.models import Community, Membership
from communities.services import COMMUNITY_FIELDS
from ledger.leaving import member_leave

# --- Communities -----------------------------------------------------------------------------------------

DURATIONS = ("min_notice", "max_duration", "max_advance")
HOUR = timedelta(hours=1)


class CommunitySummarySerializer(serializers.Serializer):
    """A community as its members see it: what it is, where, its time zone and its booking rules."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    municipality = serializers.CharField()
    postal_code = serializers.CharField()
    time_zone = serializers.CharField(help_text="IANA time zone: every time of the community is in it.")
    currency = serializers.CharField()
    role = serializers.ChoiceField(choices=Membership.Role.choices, help_text="My role in it.")
    owner_approval_required = serializers.BooleanField(
        help_text="Bookings by someone other than the owner wait for the owner's (or an admin's) approval."
    )
    auto_approve_invitees = serializers.BooleanField(
        help_text="People who join through an invitation are members at once (else an admin approves them)."
    )
    min_notice_hours = serializers.IntegerField(help_text="How long before its start a booking must be made.")
    max_duration_hours = serializers.IntegerField(help_text="The longest a single booking may last.")
    max_advance_hours = serializers.IntegerField(help_text="How far ahead one may book.")
    idle_shared_costs = serializers.CharField(
        help_text="Who bears a shared-costs vehicle's month when nobody drove it: `owner` or `members`."
    )


class CommunityPoolHolderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(source="name")


class CommunitySerializer(CommunitySummarySerializer):
    description = serializers.CharField()
    charter = serializers.CharField(help_text="The rules members agree to when they join.")
    member_count = serializers.IntegerField()
    pool_holder = CommunityPoolHolderSerializer(
        allow_null=True, help_text="The admin who receives what members owe the community pool."
    )


def _community_data(community: Community, membership: Membership, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(community, name) for name in ("id", *COMMUNITY_FIELDS)}
    data.update(
        role=membership.role,
        owner_approval_required=community.owner_approval_required,
        auto_approve_invitees=community.auto_approve_invitees,
        idle_shared_costs=community.idle_shared_costs,
        **{f"{name}_hours": getattr(community, name) // HOUR for name in DURATIONS},
        **extra,
    )
    return data


class CommunitySettingsInputSerializer(serializers.Serializer):
    """The community settings page's fields; durations in whole hours."""

    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    charter = serializers.CharField(allow_blank=True, required=False)
    municipality = serializers.CharField(max_length=120, required=False)
    postal_code = serializers.CharField(max_length=10, required=False, help_text="French postal code, e.g. 26400.")
    time_zone = serializers.CharField(max_length=64, required=False, help_text="IANA time zone, e.g. Europe/Paris.")
    currency = serializers.ChoiceField(choices=Community.Currency.choices, required=False)
    owner_approval_required = serializers.BooleanField(required=False)
    auto_approve_invitees = serializers.BooleanField(required=False)
    min_notice_hours = serializers.IntegerField(min_value=0, max_value=30 * 24, required=False)
    max_duration_hours = serializers.IntegerField(min_value=1, max_value=90 * 24, required=False)
    max_advance_hours = serializers.IntegerField(min_value=1, max_value=730 * 24, required=False)
    idle_shared_costs = serializers.ChoiceField(choices=["owner", "members"], required=False)
    pool_holder = serializers.IntegerField(
        allow_null=True, required=False, help_text="User id of one of the community's admins, or null."
    )


def _settings_form(community: Community, data: Any) -> CommunitySettingsForm:
    """The settings page's form on the community's current values overridden by those sent (a PATCH)."""
    typed = CommunitySettingsInputSerializer(data=data)
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    typed.is_valid(raise_exception=True)
    sent = dict(typed.validated_data)
    values: dict[str, Any] = {name: getattr(community, name) for name in COMMUNITY_FIELDS}
    for name in ("owner_approval_required", "auto_approve_invitees", "idle_shared_costs"):
        values[name] = sent.get(name, getattr(community, name))
    values.update({name: sent[name] for name in COMMUNITY_FIELDS if name in sent})
    values["inactivity_months"] = community.inactivity_months  # set on the settings page only
    holder = sent.get("pool_holder", community.pool_holder_id)
    values["pool_holder"] = holder if holder is not None else ""
    for name in DURATIONS:
        hours = sent.get(f"{name}_hours", getattr(community, name) // HOUR)
        values[f"{name}_0"], values[f"{name}_1"] = hours, "hours"
    # A checkbox left out of a form means False: send only the ticked ones.
    values = {k: v for k, v in values.items() if v is not False}
    form = CommunitySettingsForm(data=values, instance=community)
    if not form.is_valid():
        error = validation_error(form)
        error.detail = {(f"{k}_hours" if k in DURATIONS else k): v for k, v in error.detail.items()}
        raise error
    return form


class CommunityList(ListApiView):
    serializer_class = CommunitySummarySerializer

    def get_queryset(self):
        return selectors.memberships_for(self.request.user)

    @extend_schema(operation_id="communities_list", summary="My communities, with my role and their booking rules")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = [_community_data(m.community, m) for m in page]
        return self.get_paginated_response(CommunitySummarySerializer(data, many=True).data)


@extend_schema(parameters=id_parameters("community_id"))
class CommunityDetail(ApiView):
    def _answer(self, membership: Membership) -> Response:
        community = membership.community
        data = _community_data(
            community,
            membership,
            description=community.description,
            charter=community.charter,
            member_count=selectors.members_of(membership).count(),
            pool_holder=selectors.pool_holder_of(community),
        )
        return Response(CommunitySerializer(data).data)

    @extend_schema(operation_id="communities_read", responses=CommunitySerializer, summary="A community and its rules")
    def get(self, request: Request, community_id: str) -> Response:
        return self._answer(membership_for(request, community_id))

    @extend_schema(
        operation_id="communities_update",
        request=CommunitySettingsInputSerializer,
        responses=CommunitySerializer,
        summary="Change the community's settings and booking rules (admins; the settings page's rules)",
    )
    def patch(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id, admin=True)
        form = _settings_form(membership.community, request.data)
        membership.community = services.community_update(actor=membership, data=form.cleaned_data)
        return self._answer(membership)


@extend_schema(parameters=id_parameters("community_id"))
class CommunityLeave(ApiView):
    @extend_schema(
        operation_id="communities_leave",
        request=form_serializer(LeaveForm),
        responses={204: None},
        summary="Leave the community (its last admin may not: 409 last_admin); my future bookings are cancelled",
        description="With a non-zero balance, `leave_balance: true` is needed (else 400 `balance_not_settled`): "
        "the balance stays on my account, as a former member's that the community settles; the admins are told.",
    )
    def post(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        form = validate_with(LeaveForm, request.data or {})
        member_leave(membership=membership, leave_balance=form.cleaned_data["leave_balance"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Members ---------------------------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    """A membership. Members see names and roles only; admins also see what the members page shows them."""

    id = serializers.IntegerField(help_text="The membership's id (for the admins' actions).")
    user_id = serializers.IntegerField()
    display_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    is_me = serializers.BooleanField()
    status = serializers.CharField(
        allow_null=True, help_text="Admins only: `active`, or `pending` for a request to join."
    )
    email = serializers.EmailField(allow_null=True, help_text="Admins only.")
    phone = serializers.CharField(allow_null=True, help_text="Admins only.")
    requested_at = serializers.DateTimeField(allow_null=True, help_text="Admins only.")
    joined_at = serializers.DateTimeField(allow_null=True, help_text="Admins only.")


def _member_data(other: Membership, viewer: Membership) -> dict[str, Any]:
    admin_sees = viewer.is_admin
    return {
        "id": other.pk,
        "user_id": other.user_id,
        "display_name": other.user.name,
        "role": other.role,
        "is_me": other.pk == viewer.pk,
        "status": other.status if admin_sees else None,
        "email": other.user.email if admin_sees else None,
        "phone": other.user.phone if admin_sees else None,
        "requested_at": other.requested_at if admin_sees else None,
        "joined_at": other.joined_at if admin_sees else None,
    }


class MemberQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=["active", "pending"], default="active", required=False)


@extend_schema(parameters=id_parameters("community_id"))
class MemberList(ListApiView):
    serializer_class = MemberSerializer

    @extend_schema(
        operation_id="members_list",
        summary="The community's members (by name); `status=pending`: the requests to join (admins)",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=["active", "pending"],
                description="`active` (default): the members; `pending`: the requests waiting for an admin.",
            )
        ],
    )
    def get(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        query = MemberQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data["status"] == "pending":
            rules.require_admin(membership)
            rows = selectors.pending_requests_of(membership)
        else:
            rows = selectors.members_of(membership)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            MemberSerializer([_member_data(m, membership) for m in page], many=True).data
        )


def _member_action(service, operation_id: str, summary: str, method: str = "post"):
    def handler(self, request: Request, community_id: str, member_id: str) -> Response:
        actor = membership_for(request, community_id, admin=True)
        other = service(actor=actor, membership=selectors.member_get(actor, path_id(member_id)))
        return Response(MemberSerializer(_member_data(other, actor)).data)

    handler.__name__ = method
    decorated = extend_schema(
        operation_id=operation_id,
        request=None,
        responses={200: MemberSerializer},
        summary=summary,
        parameters=id_parameters("community_id", "member_id"),
    )(handler)
    return type(f"Member{operation_id.title().replace('_', '')}", (ApiView,), {method: decorated})


MemberApprove = _member_action(services.membership_approve, "members_approve", "Approve a request to join (admins)")
MemberReject = _member_action(services.membership_reject, "members_reject", "Reject a request to join (admins)")
MemberPromote = _member_action(services.membership_promote, "members_promote", "Make a member an admin (admins)")
MemberDemote = _member_action(
    services.membership_demote, "members_demote", "Make an admin a member again (admins; 409 last_admin)"
)
MemberRemove = _member_action(
    services.membership_remove,
    "members_remove",
    "Remove a member (admins; their future bookings are cancelled; 409 last_admin / remove_self)",
    method="delete",
)


C = "communities/<str:community_id>/"
urlpatterns = [
    path("communities/", CommunityList.as_view(), name="communities"),
    path(C, CommunityDetail.as_view(), name="community"),
    path(f"{C}leave/", CommunityLeave.as_view(), name="community_leave"),
    path(f"{C}members/", MemberList.as_view(), name="members"),
    path(f"{C}members/<str:member_id>/", MemberRemove.as_view(), name="member"),
    path(f"{C}members/<str:member_id>/approve/", MemberApprove.as_view(), name="member_approve"),
    path(f"{C}members/<str:member_id>/reject/", MemberReject.as_view(), name="member_reject"),
    path(f"{C}members/<str:member_id>/promote/", MemberPromote.as_view(), name="member_promote"),
    path(f"{C}members/<str:member_id>/demote/", MemberDemote.as_view(), name="member_demote"),
]
