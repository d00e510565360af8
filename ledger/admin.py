"""Read-only admin for the ledger: corrections go through reversals, never through edits."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from colocauto.admin import ReadOnlyAdmin
from ledger.models import Account, Entry, Expense, SettlementPeriod, Transaction, Transfer

if TYPE_CHECKING:  # generic only in django-stubs
    _EntryInline = admin.TabularInline[Entry, Transaction]
    _TransferInline = admin.TabularInline[Transfer, SettlementPeriod]
else:
    _EntryInline = _TransferInline = admin.TabularInline


class EntryInline(_EntryInline):
    model = Entry
    extra = 0
    fields = readonly_fields = ("account", "amount")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "date", "community", "kind", "vehicle", "author", "description"]
    list_filter = ["kind"]
    list_select_related = ["community", "vehicle", "author"]
    search_fields = ["description", "note__text", "idempotency_key"]
    date_hierarchy = "date"
    inlines = [EntryInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["pk", "community", "kind", "user"]
    list_select_related = ["community", "user"]
    list_filter = ["kind"]


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdmin):
    list_display = ["spent_on", "community", "vehicle", "category", "amount", "paid_by", "cancelled_at"]
    list_select_related = ["community", "vehicle", "paid_by"]
    list_filter = ["category", "cost_model"]


class TransferInline(_TransferInline):
    model = Transfer
    extra = 0
    fields = readonly_fields = ("payer", "payee", "amount", "declared_paid_at", "confirmed_at", "superseded_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(SettlementPeriod)
class SettlementPeriodAdmin(ReadOnlyAdmin):
    list_display = ["community", "month", "created_at", "emails_sent_at"]
    list_select_related = ["community"]
    inlines = [TransferInline]
