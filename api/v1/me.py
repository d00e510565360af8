"""``/api/v1/me/``: who I am, my language and settings, the communities I belong to with my role."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.forms import form_serializer, validate_with
from communities import services
from communities.forms import ProfileForm
from communities.models import Membership
from communities.selectors import memberships_for


class MyCommunitySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="community_id")
    name = serializers.CharField(source="community.name")
    time_zone = serializers.CharField(source="community.time_zone", help_text="IANA time zone of the community.")
    currency = serializers.CharField(source="community.currency")
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    joined_at = serializers.DateTimeField(allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    display_name = serializers.CharField()
    phone = serializers.CharField()
    language = serializers.CharField()
    iban = serializers.CharField()
    notify_bookings = serializers.BooleanField()
    notify_settlements = serializers.BooleanField()
    notify_community = serializers.BooleanField()
    communities = MyCommunitySerializer(many=True)


def _me(user) -> dict:
    data = {field: getattr(user, field) for field in MeSerializer().fields if field != "communities"}
    data["communities"] = list(memberships_for(user))
    return MeSerializer(data).data


class MeView(ApiView):
    @extend_schema(operation_id="me_read", responses=MeSerializer, summary="My profile and communities")
    def get(self, request: Request) -> Response:
        return Response(_me(request.user))

    @extend_schema(
        operation_id="me_update",
        request=form_serializer(ProfileForm),
        responses=MeSerializer,
        summary="Change my profile (the fields of the profile page)",
    )
    def patch(self, request: Request) -> Response:
        form = validate_with(ProfileForm, request.data, instance=request.user, partial=True)
        user = services.profile_update(user=request.user, data=form.cleaned_data)
        translation.activate(user.language)
        return Response(_me(user))
