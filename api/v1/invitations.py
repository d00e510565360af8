"""Invitations to a community (``/api/v1/communities/{id}/invitations/…``) and joining by an invitation's token
(``/api/v1/invitations/{token}/``).

Every view calls what the matching page calls: ``communities.selectors`` to read, ``communities.invitations``
to write, the invitations page's forms to check input. Creating, sending and revoking are for admins (403
``admin_only``); a link that can no longer be used answers 410 with its code.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView, ListApiView, membership_for
from api.forms import form_serializer, validate_with
from api.schema import error_response
from api.v1.paths import id_parameters, path_id
from colocauto.core.errors import NotFound
from communities import invitations, selectors
from communities.forms import InvitationEmailForm, InvitationForm
from communities.models import Invitation, Membership

# The codes of a link that can no longer be used (``invitations.InvitationUnusable``), answered with 410.
UNUSABLE_CODES = ("invitation_revoked", "invitation_expired", "invitation_used_up")


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.CharField(help_text="The secret of the link: whoever holds it may ask to join.")
    url = serializers.CharField(help_text="The link to share (the join page).")
    email = serializers.CharField(help_text="The address it was sent to, or empty for a shared link.")
    note = serializers.CharField()
    created_by = serializers.CharField(allow_null=True, source="created_by_name")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    max_uses = serializers.IntegerField(allow_null=True)
    use_count = serializers.IntegerField()
    status = serializers.CharField(help_text="`active`, `revoked`, `expired` or `used_up`.")


def _invitation_data(request: Request, invitation: Invitation) -> dict[str, Any]:
    data = {
        name: getattr(invitation, name) for name in InvitationSerializer().fields if name not in {"created_by", "url"}
    }
    data["url"] = request.build_absolute_uri(reverse("invitation_join", args=[invitation.token]))
    data["created_by_name"] = invitation.created_by.name if invitation.created_by else None
    return data


def _with_initial(form_class, data: Any) -> Any:
    """The values sent, with the form's initial values (e.g. 14 days of validity) for fields left out, as
    the page offers them pre-filled."""
    if not isinstance(data, dict):
        return data
    initial = {name: field.initial for name, field in form_class.base_fields.items() if field.initial is not None}
    sent = data.dict() if isinstance(data, QueryDict) else data  # a form post: one value per field
    return {**initial, **sent}


def _invitation_creator(form_class, service, operation_id: str, summary: str):
    """A POST that runs the page's form (with its initial values for fields left out) and then ``service``."""

    @extend_schema(
        operation_id=operation_id,
        request=form_serializer(form_class),
        responses={201: InvitationSerializer},
        summary=summary,
    )
    def post(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id, admin=True)
        form = validate_with(form_class, _with_initial(form_class, request.data))
        invitation = service(actor=membership, **form.cleaned_data)
        return Response(InvitationSerializer(_invitation_data(request, invitation)).data, status=201)

    return post


@extend_schema(parameters=id_parameters("community_id"))
class InvitationList(ListApiView):
    serializer_class = InvitationSerializer

    @extend_schema(operation_id="invitations_list", summary="The community's invitations, newest first (admins)")
    def get(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id, admin=True)
        page = self.paginate_queryset(selectors.invitations_of(membership))
        return self.get_paginated_response(
            InvitationSerializer([_invitation_data(request, i) for i in page], many=True).data
        )

    post = _invitation_creator(
        InvitationForm,
        invitations.invitation_create,
        "invitations_create",
        "Create an invitation link to share (admins; the invitations page's form)",
    )


@extend_schema(parameters=id_parameters("community_id"))
class InvitationByEmail(ApiView):
    post = _invitation_creator(
        InvitationEmailForm,
        invitations.invitation_send_by_email,
        "invitations_send",
        "Invite one person by e-mail: a single-use link bound to their address (admins)",
    )


@extend_schema(parameters=id_parameters("community_id", "invitation_id"))
class InvitationRevoke(ApiView):
    @extend_schema(
        operation_id="invitations_revoke",
        request=None,
        responses=InvitationSerializer,
        summary="Revoke an invitation: its link no longer works (admins)",
    )
    def post(self, request: Request, community_id: str, invitation_id: str) -> Response:
        membership = membership_for(request, community_id, admin=True)
        invitation = selectors.invitation_get_for_admin(membership, path_id(invitation_id))
        invitation = invitations.invitation_revoke(actor=membership, invitation=invitation)
        return Response(InvitationSerializer(_invitation_data(request, invitation)).data)


class InvitedCommunitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    charter = serializers.CharField()
    municipality = serializers.CharField()
    time_zone = serializers.CharField()


class InvitationPreviewSerializer(serializers.Serializer):
    community = InvitedCommunitySerializer()
    expires_at = serializers.DateTimeField()
    auto_approve = serializers.BooleanField(
        help_text="Accepting makes me a member at once; else it sends a request an admin answers."
    )
    my_status = serializers.CharField(
        allow_null=True, help_text="`active` if I already belong, `pending` if I asked to join, else null."
    )


class JoinedSerializer(serializers.Serializer):
    membership_id = serializers.IntegerField(source="pk")
    community_id = serializers.IntegerField()
    status = serializers.CharField(help_text="`active`: a member now; `pending`: an admin will answer.")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


def _usable_invitation(request: Request, token: str) -> Invitation:
    """The invitation behind the token, refused as the join page refuses it."""
    invitation = selectors.invitation_find_by_token(token) if len(token) <= 64 else None
    if invitation is None:
        raise NotFound(
            _("This invitation link is not valid. Check it, or ask an admin for a new one."), code="invitation_unknown"
        )
    refusal = invitations.invitation_unusable(invitation)
    if refusal is not None:
        raise refusal
    return invitation


_TOKEN = OpenApiParameter("token", OpenApiTypes.STR, OpenApiParameter.PATH, description="The invitation's secret.")
_JOIN_ERRORS = {
    404: error_response(404, "Unknown token (`invitation_unknown`)."),
    410: error_response(410, "The link can no longer be used: `" + "`, `".join(UNUSABLE_CODES) + "`."),
}


class InvitationPreview(ApiView):
    @extend_schema(
        operation_id="invitations_preview",
        parameters=[_TOKEN],
        responses={200: InvitationPreviewSerializer, **_JOIN_ERRORS},
        summary="What an invitation link leads to, before joining (the join page)",
    )
    def get(self, request: Request, token: str) -> Response:
        invitation = _usable_invitation(request, token)
        wrong = invitations.invitation_wrong_recipient(user=request.user, invitation=invitation)
        existing = selectors.membership_of(request.user, invitation.community)
        if wrong is not None and existing is None:
            raise wrong
        data = {
            "community": invitation.community,
            "expires_at": invitation.expires_at,
            "auto_approve": invitation.community.auto_approve_invitees,
            "my_status": existing.status if existing else None,
        }
        return Response(InvitationPreviewSerializer(data).data)


class InvitationAccept(ApiView):
    @extend_schema(
        operation_id="invitations_accept",
        parameters=[_TOKEN],
        request=None,
        responses={201: JoinedSerializer, **_JOIN_ERRORS},
        summary="Join through an invitation: a member at once if the community approves invitees "
        "automatically, else a request an admin answers (409 already_member / already_requested)",
    )
    def post(self, request: Request, token: str) -> Response:
        invitation = _usable_invitation(request, token)
        membership = invitations.invitation_accept(user=request.user, invitation=invitation)
        return Response(JoinedSerializer(membership).data, status=201)


C = "communities/<str:community_id>/"
urlpatterns = [
    path(f"{C}invitations/", InvitationList.as_view(), name="invitations"),
    path(f"{C}invitations/email/", InvitationByEmail.as_view(), name="invitation_send"),
    path(f"{C}invitations/<str:invitation_id>/revoke/", InvitationRevoke.as_view(), name="invitation_revoke"),
    # Any token (even one holding a slash) reaches the view, which answers 404 invitation_unknown in JSON.
    path("invitations/<path:token>/accept/", InvitationAccept.as_view(), name="invitation_accept"),
    path("invitations/<path:token>/", InvitationPreview.as_view(), name="invitation"),
]
