"""Forms of the ledger pages. They parse and check input; the services decide and post."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import QuerySet
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from colocauto.core.fields import LocalizedDecimalField
from colocauto.core.parsers import MAX_YEAR, MIN_YEAR, in_year_range, parse_id, validate_year_range
from colocauto.text import StrOrPromise
from communities.models import Membership, User
from ledger.calculator import CarCosts
from ledger.models import MAX_EXPENSE, MAX_LITRES, MAX_ODOMETER, Expense
from ledger.receipts import validate_receipt
from ledger.rules import InvalidExpense, check_expense_date, earliest_expense_date
from vehicles.models import Vehicle

if TYPE_CHECKING:  # generic only in django-stubs
    _PersonChoiceField = forms.ModelChoiceField[User]
else:
    _PersonChoiceField = forms.ModelChoiceField

ISO_DATE = "%Y-%m-%d"
MAX_REPORT_DAYS = 366 * 10


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


class MonthField(forms.DateField):
    """A month typed as ``YYYY-MM`` (what ``<input type=month>`` sends), as its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, e.g. 2025-03.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=["%Y-%m"], **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, date) else value

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value and not in_year_range(value):
            raise ValidationError(
                _("Enter a month between %(min)d-01 and %(max)d-12."),
                code="year_out_of_range",
                params={"min": MIN_YEAR, "max": MAX_YEAR},
            )


class BoundedDateField(forms.DateField):
    """A day of the years every part of the app computes with (``colocauto.core.parsers``)."""

    default_validators = [validate_year_range]


class MonthFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)


class StatementForm(MonthFilterForm):
    """What "My account" shows: a month (by default the current one), or with ``all`` every line since the start,
    a page at a time; ``after`` / ``before`` a line's position (``ledger.statement_selectors.LinePosition``) turn pages."""

    all = forms.BooleanField(required=False)
    after = forms.CharField(required=False, max_length=40)
    before = forms.CharField(required=False, max_length=40)


class StatementExportForm(MonthFilterForm):
    """What an export holds: a month, a calendar year, or (neither) every line since the start."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)


def model_choices(field: forms.Field) -> forms.ModelChoiceField[Any]:
    """A form's field known to be a ``ModelChoiceField``, typed as one (to set its queryset)."""
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{field!r} is not a ModelChoiceField")
    return field


class PersonChoiceField(_PersonChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.name


# What the file picker offers for a receipt (the server checks the content: ledger.receipts).
RECEIPT_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"


class ReceiptForm(forms.Form):
    """The receipt of an expense saved without it."""

    receipt = forms.FileField(
        label=_("Receipt"),
        help_text=_("A photo (JPEG, PNG, WebP) or a PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": RECEIPT_ACCEPT}),
    )


class ExpenseFilterForm(forms.Form):
    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=Vehicle.objects.none(), required=False)
    month = MonthField(label=_("Month"), required=False)
    missing_receipts = forms.BooleanField(label=_("Only the receipts to follow"), required=False)

    def __init__(self, *args: Any, vehicles: QuerySet[Vehicle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choices(self.fields["vehicle"])
        field.queryset = vehicles
        field.empty_label = _("All vehicles")


class VehicleSelect(forms.Select):
    """Each option says what the vehicle's energy is counted in, so the quantity's label follows the choice."""

    def create_option(
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-fuel-unit"] = instance.fuel_unit
        return option


QUANTITY_LABELS = {
    "L": _("Quantity (L)"),
    "kWh": _("Quantity (kWh)"),
    None: _("Quantity (L, or kWh for an electric vehicle)"),
}


class ExpenseForm(forms.Form):
    """An expense; litres and odometer count for fuel only; only admins choose who paid."""

    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=Vehicle.objects.none(), widget=VehicleSelect)
    category = forms.ChoiceField(label=_("Category"), choices=Expense.Category.choices)
    amount = LocalizedDecimalField(
        label=_("Amount (€)"),
        min_value=Decimal("0.01"),
        max_value=MAX_EXPENSE,
        decimal_places=2,
        error_messages={"invalid": _("Enter an amount, e.g. 42.50.")},
    )
    spent_on = forms.DateField(label=_("Date"), widget=_date_input())
    paid_by = PersonChoiceField(label=_("Paid by"), queryset=User.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    receipt = forms.FileField(
        label=_("Receipt"),
        required=False,
        help_text=_("Optional: a photo (JPEG, PNG, WebP) or a PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": RECEIPT_ACCEPT}),
    )
    receipt_to_follow = forms.BooleanField(
        label=_("Receipt to follow"),
        required=False,
        help_text=_("No receipt at hand? Tick this and add it later from the list of expenses; you will be reminded."),
    )
    litres = LocalizedDecimalField(
        label=QUANTITY_LABELS[None],
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_LITRES,
        decimal_places=2,
        help_text=_("For fuel or charging only."),
    )
    odometer = forms.IntegerField(
        label=_("Odometer (km)"),
        required=False,
        min_value=0,
        max_value=MAX_ODOMETER,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("For fuel or charging only: the reading when you filled up."),
    )

    FUEL_ONLY = ("litres", "odometer")

    def __init__(
        self,
        *args: Any,
        membership: Membership,
        vehicles: QuerySet[Vehicle],
        members: QuerySet[User],
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.today = today
        vehicle = model_choices(self.fields["vehicle"])
        vehicle.queryset = vehicles
        vehicle.empty_label = _("Choose a vehicle")
        self.fields["litres"].label = QUANTITY_LABELS[self._chosen_fuel_unit(vehicles)]
        self.fields["spent_on"].widget.attrs["max"] = today.strftime(ISO_DATE)
        self.fields["spent_on"].widget.attrs["min"] = earliest_expense_date(today).strftime(ISO_DATE)
        if membership.is_admin:
            payer = model_choices(self.fields["paid_by"])
            payer.queryset = members
            payer.empty_label = None
            payer.required = True
            payer.help_text = _("As an admin, you can record an expense someone else paid.")
        else:
            del self.fields["paid_by"]

    @property
    def quantity_labels(self) -> dict[str, StrOrPromise]:
        """The quantity's label for each unit, for the script that follows the vehicle chosen."""
        return {"L": QUANTITY_LABELS["L"], "kWh": QUANTITY_LABELS["kWh"], "any": QUANTITY_LABELS[None]}

    def _chosen_fuel_unit(self, vehicles: QuerySet[Vehicle]) -> str | None:
        """The unit of the vehicle already chosen (typed, or the only one), else None."""
        chosen = parse_id(self.data.get("vehicle") if self.is_bound else self.initial.get("vehicle"))
        if chosen is None:
            return None
        vehicle = vehicles.filter(pk=chosen).first()
        return vehicle.fuel_unit if vehicle else None

    def clean_spent_on(self) -> date:
        spent_on: date = self.cleaned_data["spent_on"]
        try:
            check_expense_date(spent_on, today=self.today)
        except InvalidExpense as refusal:
            raise ValidationError(refusal.message, code=refusal.code) from None
        return spent_on

    def clean_receipt(self) -> File[bytes] | None:
        receipt: File[bytes] | None = self.cleaned_data.get("receipt")
        if receipt:
            validate_receipt(receipt)
        return receipt

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category") != Expense.Category.FUEL:
            for name in self.FUEL_ONLY:
                data[name] = None  # hidden for other categories: a leftover value is not an error
        return data

    def fuel_fields(self) -> list[BoundField]:
        return [self[name] for name in self.FUEL_ONLY]

    def main_fields(self) -> list[BoundField]:
        return [field for field in self if field.name not in self.FUEL_ONLY]


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why undo it?"),
        max_length=200,
        help_text=_("Everyone sees this reason in the history, beside the original line."),
    )


class PeriodForm(forms.Form):
    """A report's period, both days included."""

    start = BoundedDateField(label=_("From"), widget=_date_input())
    end = BoundedDateField(label=_("To"), widget=_date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError(_("The end of the period must not be before its start."))
            if end - start > timedelta(days=MAX_REPORT_DAYS):
                raise ValidationError(_("Choose a period of at most ten years."))
        return data


def _number_field(
    label: StrOrPromise,
    help_text: StrOrPromise = "",
    *,
    minimum: str = "0",
    maximum: str,
    places: int = 2,
    **kwargs: Any,
) -> forms.DecimalField:
    """A decimal typed with a comma or a dot, from ``minimum`` to ``maximum`` with at most ``places`` decimals."""
    return LocalizedDecimalField(
        label=label,
        min_value=Decimal(minimum),
        max_value=Decimal(maximum),
        decimal_places=places,
        help_text=help_text,
        **kwargs,
    )


def _money_field(label: StrOrPromise, help_text: StrOrPromise = "", **kwargs: Any) -> forms.DecimalField:
    return _number_field(label, help_text, maximum="10000000", **kwargs)


class CalculatorForm(forms.Form):
    """The car's real costs, to suggest a rate per km."""

    consumption = _number_field(
        _("Consumption (L or kWh per 100 km)"), _("E.g. 6.5 for a petrol car, 17 for an electric one."), maximum="100"
    )
    energy_price = _number_field(_("Energy price (€ per L or kWh)"), maximum="20", places=3)
    insurance = _money_field(_("Insurance per year (€)"))
    maintenance = _money_field(
        _("Maintenance and repairs per year (€)"), _("Servicing, tyres, repairs: a yearly average.")
    )
    tax = _money_field(_("Tax and fees per year (€)"), _("Vehicle tax, technical inspection, parking permit…"))
    purchase_value = _money_field(_("Purchase value (€)"), _("What the car cost, or what it is worth today."))
    resale_value = _money_field(
        _("Expected resale value (€)"), _("What it will be worth when you stop using it."), required=False
    )
    years = _number_field(
        _("Years of use left"),
        _("Over how many years the car loses that value (depreciation)."),
        minimum="0.5",
        maximum="40",
        places=1,
    )
    km_per_year = forms.IntegerField(
        label=_("Expected km per year"),
        min_value=100,
        max_value=200_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("All the car's driving, yours included: the costs are shared over every km."),
    )

    def __init__(self, *args: Any, fuel_unit: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fuel_unit == "kWh":
            self.fields["consumption"].label = _("Consumption (kWh per 100 km)")
            self.fields["energy_price"].label = _("Electricity price (€ per kWh)")
        elif fuel_unit == "L":
            self.fields["consumption"].label = _("Consumption (L per 100 km)")
            self.fields["energy_price"].label = _("Fuel price (€ per L)")

    def costs(self) -> CarCosts:
        data = self.cleaned_data
        return CarCosts(
            consumption_per_100km=data["consumption"],
            energy_price=data["energy_price"],
            insurance_per_year=data["insurance"],
            maintenance_per_year=data["maintenance"],
            tax_per_year=data["tax"],
            purchase_value=data["purchase_value"],
            resale_value=data.get("resale_value") or Decimal(0),
            years_of_use=data["years"],
            km_per_year=data["km_per_year"],
        )
