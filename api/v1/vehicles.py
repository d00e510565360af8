"""A community's vehicles: list and detail (what a vehicle's page shows), their photo, and the changes the
vehicle pages allow — register, edit, pause, weekly windows, blackouts — through the same forms and
``vehicles.services``. Who may change a vehicle: ``vehicles.rules`` (its owner or an admin), else 403
``vehicle_manager_only``.
"""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView, ListApiView, membership_for
from api.forms import form_serializer, validate_with
from api.v1.paths import id_parameters, path_id
from bookings.selectors import holding_bookings_count
from colocauto.core.errors import NotFound
from colocauto.core.files import IMAGE_FORMATS, private_file_response
from communities.models import Membership
from vehicles import rules, selectors, services
from vehicles.forms import BlackoutForm, VehicleForm, WindowFormSet
from vehicles.models import AvailabilityWindow, Vehicle
from vehicles.services import WindowSpec


class VehicleOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(source="name")


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "08:00"})
class ClockTimeField(serializers.TimeField):
    """A time of day as ``HH:MM``, as the weekly availability page takes it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class VehicleWindowSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(choices=AvailabilityWindow.Weekday.choices, help_text="0 Monday … 6 Sunday.")
    start_time = ClockTimeField(help_text="HH:MM, local time.")
    end_time = ClockTimeField(help_text="HH:MM, local time; 00:00 means midnight at the end of the day.")


class VehicleBlackoutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField(allow_blank=True, max_length=120, required=False)


class VehicleSerializer(serializers.Serializer):
    """A vehicle as its page shows it to the community's members."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Vehicle.Kind.choices)
    make = serializers.CharField()
    model = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    plate = serializers.CharField()
    energy = serializers.ChoiceField(choices=Vehicle.Energy.choices)
    seats = serializers.IntegerField()
    gearbox = serializers.ChoiceField(choices=Vehicle.Gearbox.choices)
    owner = VehicleOwnerSerializer(allow_null=True, help_text="Null for a vehicle the community owns.")
    parking_location = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    instructions = serializers.CharField()
    insurer = serializers.CharField()
    policy_number = serializers.CharField()
    insurance_expiry = serializers.DateField(allow_null=True)
    odometer_km = serializers.IntegerField()
    is_active = serializers.BooleanField(help_text="False: paused, nobody can book it.")
    photo_url = serializers.CharField(allow_null=True, help_text="The photo (members only), or null.")
    can_manage = serializers.BooleanField(help_text="Whether I may change it (its owner or an admin).")
    cost_model = serializers.ChoiceField(choices=Vehicle.CostModel.choices, help_text="The cost model in force today.")
    next_cost_model = serializers.CharField(
        allow_null=True,
        help_text="The model chosen to follow (`rates` or `shared_costs`), if a switch is under way.",
    )
    next_cost_model_from = serializers.DateField(allow_null=True, help_text="The 1st of the month it takes effect.")
    rate_per_km = serializers.DecimalField(max_digits=8, decimal_places=3, help_text="€/km (rates model).")
    rate_per_hour = serializers.DecimalField(max_digits=8, decimal_places=3, help_text="€/h (rates model).")
    daily_cap = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    fixed_monthly_cost = serializers.DecimalField(max_digits=10, decimal_places=2)
    windows = VehicleWindowSerializer(many=True, help_text="Weekly windows when it may be booked; none: always.")
    blackouts = VehicleBlackoutSerializer(many=True, help_text="Periods not over yet when nobody can book it.")


_PLAIN = [
    name
    for name in VehicleSerializer().fields
    if name
    not in {
        "owner",
        "photo_url",
        "can_manage",
        "windows",
        "blackouts",
        "cost_model",
        "next_cost_model",
        "next_cost_model_from",
    }
]


def _vehicle_data(request: Request, membership: Membership, vehicle: Any) -> dict[str, Any]:
    """From a vehicle of ``selectors.vehicles_described`` (with its annotations and prefetched rows)."""
    data = {name: getattr(vehicle, name) for name in _PLAIN}
    switching = vehicle.cost_model_in_force != vehicle.cost_model
    photo = reverse("api:vehicle_photo", kwargs={"community_id": membership.community_id, "vehicle_id": vehicle.pk})
    data.update(
        owner=vehicle.owner,
        photo_url=request.build_absolute_uri(photo) if vehicle.photo else None,
        can_manage=rules.can_manage(membership, vehicle),
        cost_model=vehicle.cost_model_in_force,
        next_cost_model=vehicle.cost_model if switching else None,
        next_cost_model_from=vehicle.cost_model_switch_on if switching else None,
        windows=list(vehicle.availability_windows.all()),
        blackouts=vehicle.upcoming_blackouts,
    )
    return data


def _described(membership: Membership, vehicle_id: str | int) -> Vehicle:
    """One vehicle of the member's community with what its page shows; 404 for any other."""
    vehicle = selectors.vehicles_described(membership).filter(pk=path_id(vehicle_id)).first()
    if vehicle is None:
        raise NotFound(_("No such vehicle."), code="not_found")
    return vehicle


def _managed(request: Request, community_id: str, vehicle_id: str) -> tuple[Membership, Vehicle]:
    """The vehicle, if this member may change it (``vehicles.rules``): 404 outside the community, 403 else."""
    membership = membership_for(request, community_id)
    vehicle = _described(membership, vehicle_id)
    rules.require_manager(membership, vehicle)
    return membership, vehicle


def _answer(request: Request, membership: Membership, vehicle_id: str | int, code: int = 200) -> Response:
    vehicle = _described(membership, vehicle_id)
    return Response(VehicleSerializer(_vehicle_data(request, membership, vehicle)).data, status=code)


class _VehicleFormForSchema(VehicleForm):
    """The vehicle form as an admin sees it (with the owner field), to describe the input in the schema."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["membership"] = Membership(role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE)
        super().__init__(*args, **kwargs)


VehicleInput = form_serializer(_VehicleFormForSchema, name="VehicleInput")


class VehicleUpdateInput(VehicleInput):  # type: ignore[misc, valid-type]
    remove_photo = serializers.BooleanField(required=False, help_text="Remove the current photo.")

    class Meta:  # its own name: it would otherwise inherit VehicleInput's (from form_serializer)
        ref_name = "VehicleUpdateInput"


_VEHICLE_INPUT_HELP = (
    "JSON, or multipart to send a `photo`. Fields left out keep their current value (on creation, the "
    "form's defaults; an admin who leaves out `owner` owns the vehicle, `owner: null` makes it the "
    "community's). Only admins choose the owner: a member's `owner` is ignored, as on the page."
)


def _vehicle_form(request: Request, membership: Membership, vehicle: Vehicle, serializer) -> Any:
    return validate_with(
        VehicleForm,
        request.data,
        files=request.FILES,
        instance=vehicle,
        partial=True,
        serializer_class=serializer,
        membership=membership,
    )


@extend_schema(parameters=id_parameters("community_id"))
class VehicleList(ListApiView):
    serializer_class = VehicleSerializer

    @extend_schema(
        operation_id="vehicles_list", summary="The community's vehicles, with windows, blackouts and pricing"
    )
    def get(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        page = self.paginate_queryset(selectors.vehicles_described(membership))
        data = [_vehicle_data(request, membership, vehicle) for vehicle in page]
        return self.get_paginated_response(VehicleSerializer(data, many=True).data)

    @extend_schema(
        operation_id="vehicles_create",
        request={"application/json": VehicleInput, "multipart/form-data": VehicleInput},
        responses={201: VehicleSerializer},
        summary="Register a vehicle (any member; members own what they register)",
        description=_VEHICLE_INPUT_HELP,
    )
    def post(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        draft = Vehicle(community=membership.community, owner_id=membership.user_id)
        form = _vehicle_form(request, membership, draft, VehicleInput)
        vehicle = services.vehicle_create(
            membership=membership, data=form.service_data(), photo=form.cleaned_data.get("photo")
        )
        return _answer(request, membership, vehicle.pk, code=201)


@extend_schema(parameters=id_parameters("community_id", "vehicle_id"))
class VehicleDetail(ApiView):
    @extend_schema(operation_id="vehicles_read", responses=VehicleSerializer, summary="A vehicle, as its page shows it")
    def get(self, request: Request, community_id: str, vehicle_id: str) -> Response:
        membership = membership_for(request, community_id)
        return _answer(request, membership, vehicle_id)

    @extend_schema(
        operation_id="vehicles_update",
        request={"application/json": VehicleUpdateInput, "multipart/form-data": VehicleUpdateInput},
        responses=VehicleSerializer,
        summary="Change a vehicle (its owner or an admin; the edit page's form)",
        description=_VEHICLE_INPUT_HELP + " A new cost model takes effect on the 1st of next month.",
    )
    def patch(self, request: Request, community_id: str, vehicle_id: str) -> Response:
        membership, vehicle = _managed(request, community_id, vehicle_id)
        form = _vehicle_form(request, membership, vehicle, VehicleUpdateInput)
        services.vehicle_update(
            membership=membership,
            vehicle=vehicle,
            data=form.service_data(),
            photo=form.cleaned_data.get("photo"),
            remove_photo=form.cleaned_data.get("remove_photo", False),
        )
        return _answer(request, membership, vehicle.pk)


class VehicleActiveInputSerializer(serializers.Serializer):
    active = serializers.BooleanField(help_text="true: bookable; false: paused.")


@extend_schema(parameters=id_parameters("community_id", "vehicle_id"))
class VehicleActive(ApiView):
    @extend_schema(
        operation_id="vehicles_set_active",
        request=VehicleActiveInputSerializer,
        responses=VehicleSerializer,
        summary="Pause a vehicle (nobody can book it) or make it bookable again (its owner or an admin)",
    )
    def post(self, request: Request, community_id: str, vehicle_id: str) -> Response:
        membership, vehicle = _managed(request, community_id, vehicle_id)
        typed = VehicleActiveInputSerializer(data=request.data)
        typed.is_valid(raise_exception=True)
        services.vehicle_set_active(membership=membership, vehicle=vehicle, active=typed.validated_data["active"])
        return _answer(request, membership, vehicle.pk)


class VehicleWindowsSerializer(serializers.Serializer):
    windows = VehicleWindowSerializer(many=True, help_text="Replaces every window; an empty list: always available.")


def _windows(data: Any) -> list[WindowSpec]:
    """The weekly availability page's formset on the windows sent, with its own checks (overlaps…)."""
    typed = VehicleWindowsSerializer(data=data)
    typed.is_valid(raise_exception=True)
    windows = typed.validated_data["windows"]
    if len(windows) > WindowFormSet.max_num:
        raise serializers.ValidationError(
            {"windows": [_("Give at most %(count)d windows.") % {"count": WindowFormSet.max_num}]}
        )
    values = {"windows-TOTAL_FORMS": len(windows), "windows-INITIAL_FORMS": 0}
    for index, window in enumerate(windows):
        values[f"windows-{index}-weekday"] = window["weekday"]
        values[f"windows-{index}-start_time"] = window["start_time"].strftime("%H:%M")
        values[f"windows-{index}-end_time"] = window["end_time"].strftime("%H:%M")
    formset: Any = WindowFormSet(values, prefix="windows")
    if not formset.is_valid():
        fields = {
            f"windows.{index}.{name}": messages
            for index, form in enumerate(formset.forms)
            for name, messages in form.errors.items()
        }
        raise serializers.ValidationError({"non_field_errors": list(formset.non_form_errors()), **fields})
    return formset.windows()


@extend_schema(parameters=id_parameters("community_id", "vehicle_id"))
class VehicleWindows(ApiView):
    @extend_schema(
        operation_id="vehicles_windows_replace",
        request=VehicleWindowsSerializer,
        responses=VehicleWindowsSerializer,
        summary="Replace the weekly availability windows (its owner or an admin; the weekly availability page)",
    )
    def put(self, request: Request, community_id: str, vehicle_id: str) -> Response:
        membership, vehicle = _managed(request, community_id, vehicle_id)
        windows = services.availability_replace(membership=membership, vehicle=vehicle, windows=_windows(request.data))
        return Response(VehicleWindowsSerializer({"windows": windows}).data)


class VehicleBlackoutCreated(VehicleBlackoutSerializer):
    held_bookings = serializers.IntegerField(
        help_text="Bookings already in the period: they are not cancelled, so tell the people concerned."
    )


@extend_schema(parameters=id_parameters("community_id", "vehicle_id"))
class VehicleBlackouts(ApiView):
    @extend_schema(
        operation_id="vehicles_blackouts_add",
        request=form_serializer(BlackoutForm, name="VehicleBlackoutInput"),
        responses={201: VehicleBlackoutCreated},
        summary="Block a period: nobody can book the vehicle then (its owner or an admin)",
    )
    def post(self, request: Request, community_id: str, vehicle_id: str) -> Response:
        membership, vehicle = _managed(request, community_id, vehicle_id)
        data = validate_with(BlackoutForm, request.data).cleaned_data
        blackout = services.blackout_add(
            membership=membership,
            vehicle=vehicle,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
        )
        held = holding_bookings_count(vehicle, blackout.starts_at, blackout.ends_at)
        data = {name: getattr(blackout, name) for name in ("id", "starts_at", "ends_at", "reason")}
        return Response(VehicleBlackoutCreated({**data, "held_bookings": held}).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=id_parameters("community_id", "vehicle_id", "blackout_id"))
class VehicleBlackout(ApiView):
    @extend_schema(
        operation_id="vehicles_blackouts_delete",
        responses={204: None},
        summary="Lift a blackout (its owner or an admin)",
    )
    def delete(self, request: Request, community_id: str, vehicle_id: str, blackout_id: str) -> Response:
        membership, vehicle = _managed(request, community_id, vehicle_id)
        blackout = selectors.blackout_get(vehicle, path_id(blackout_id))
        services.blackout_delete(membership=membership, blackout=blackout)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImageRenderer(BaseRenderer):
    """Lets a client ask for the photo with ``Accept: image/*``; the file itself is answered as is."""

    media_type = "image/*"
    format = "image"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return b""


@extend_schema(parameters=id_parameters("community_id", "vehicle_id"))
class VehiclePhoto(ApiView):
    renderer_classes = [JSONRenderer, ImageRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        """A refusal is JSON, whatever the client asked for: the image renderer has nothing to say."""
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)

    @extend_schema(
        operation_id="vehicles_photo",
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The photo."),
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/webp"): OpenApiTypes.BINARY,
        },
        summary="The vehicle's photo (members only; 404 when it has none)",
    )
    def get(self, request: Request, community_id: str, vehicle_id: str) -> Any:
        membership = membership_for(request, community_id)
        vehicle = selectors.vehicle_get(membership, path_id(vehicle_id))
        return private_file_response(vehicle.photo, allowed=IMAGE_FORMATS, filename=f"vehicle-{vehicle.pk}")


V = "communities/<str:community_id>/vehicles/"
urlpatterns = [
    path(V, VehicleList.as_view(), name="vehicles"),
    path(f"{V}<str:vehicle_id>/", VehicleDetail.as_view(), name="vehicle"),
    path(f"{V}<str:vehicle_id>/photo/", VehiclePhoto.as_view(), name="vehicle_photo"),
    path(f"{V}<str:vehicle_id>/active/", VehicleActive.as_view(), name="vehicle_active"),
    path(f"{V}<str:vehicle_id>/windows/", VehicleWindows.as_view(), name="vehicle_windows"),
    path(f"{V}<str:vehicle_id>/blackouts/", VehicleBlackouts.as_view(), name="vehicle_blackouts"),
    path(f"{V}<str:vehicle_id>/blackouts/<str:blackout_id>/", VehicleBlackout.as_view(), name="vehicle_blackout"),
]
