"""The ledger: accounts, double-entry transactions, expenses, settlement periods and transfers.

``Transaction`` and ``Entry`` rows are append-only: a mistake is corrected by a reversing
transaction. On PostgreSQL, triggers (migrations 0002, 0005, 0011) refuse UPDATE and DELETE on them and
check at commit, once per transaction, that its entries sum to zero (and at insert that they are on
accounts of its own community).

Each account keeps its running ``balance`` and its net total per month (``AccountMonth``): a database
trigger adds every entry to both as it is inserted, in the same transaction, whoever inserts it
(migration 0011, on PostgreSQL and SQLite). Reads never re-sum the entries; ``ledger.stored_balances``
proves periodically that the stored figures equal the sums.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ledger.receipts import receipt_upload_to, validate_receipt

AMOUNT_DIGITS = 12  # every amount column: up to 9,999,999,999.99, to the cent
MAX_EXPENSE = Decimal("50000.00")
MAX_LITRES = Decimal("500")
MAX_ODOMETER = 2_000_000
BALANCE_DIGITS = 20  # sums of amounts: running balances, monthly totals


class Account(models.Model):
    """A member's account in a community, or the community's pool (for community-owned vehicles)."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        POOL = "pool", _("Community pool")

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="ledger_accounts")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.MEMBER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The sum of the account's entries, kept by the database (see the module's docstring): never written by
    # the application, and refused on PostgreSQL unless the entry trigger writes it.
    balance = models.DecimalField(
        _("balance"), max_digits=BALANCE_DIGITS, decimal_places=2, default=Decimal("0"), editable=False
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], condition=Q(kind="member"), name="account_one_per_member"
            ),
            models.UniqueConstraint(fields=["community"], condition=Q(kind="pool"), name="account_one_pool"),
            models.CheckConstraint(
                condition=(Q(kind="member") & Q(user__isnull=False)) | (Q(kind="pool") & Q(user__isnull=True)),
                name="account_member_has_user_pool_has_none",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Community pool")) if self.kind == self.Kind.POOL else str(self.user)

    @property
    def is_pool(self) -> bool:
        return self.kind == self.Kind.POOL


class AccountMonth(models.Model):
    """The net total of an account's entries whose transaction is dated in ``month``: kept by the database
    like ``Account.balance``, so a balance at any date reads a few rows instead of the whole history."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="months")
    month = models.DateField(help_text="The first day of the month.")
    amount = models.DecimalField(max_digits=BALANCE_DIGITS, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="account_month_once")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}: {self.amount}"


class Transaction(models.Model):
    """One financial event; its entries sum to exactly zero."""

    class Kind(models.TextChoices):
        TRIP_CHARGE = "trip_charge", _("Trip")
        EXPENSE = "expense", _("Expense")
        SHARED_COSTS = "shared_costs", _("Shared costs")
        FIXED_COSTS = "fixed_costs", _("Fixed monthly costs")
        SETTLEMENT = "settlement", _("Settlement")
        REVERSAL = "reversal", _("Reversal")

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind)
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty for postings made by the application (trips, monthly allocations)."),
    )
    # Made by the application only ("12 km", "2026-03", "2026-03:12/31"), never typed by a person: this row can
    # never be changed, so a person's words (an undo's reason) live in an erasable ``TransactionNote`` instead.
    # On PostgreSQL a check constraint refuses anything else (migration 0013).
    description = models.CharField(_("description"), max_length=200, blank=True)
    trip = models.ForeignKey(
        "bookings.Trip", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_transactions"
    )
    expense = models.ForeignKey("Expense", on_delete=models.PROTECT, null=True, blank=True, related_name="transactions")
    vehicle = models.ForeignKey(
        "vehicles.Vehicle", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_transactions"
    )
    transfer = models.ForeignKey(
        "Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name=_("reverses")
    )
    # Claims an automatic posting (a trip, an expense, a month's allocation, a transfer) exactly once.
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "idempotency_key"], name="transaction_idempotency_key_once"),
            # A transfer is settled by one posting, whatever key a caller uses (its undo is a reversal).
            models.UniqueConstraint(
                fields=["transfer"], condition=Q(kind="settlement"), name="transaction_one_settlement_per_transfer"
            ),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="transaction_reversal_has_original",
            ),
        ]
        indexes = [models.Index(fields=["community", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d} #{self.pk}"

    @property
    def note_text(self) -> str:
        """What a person wrote beside the line (a reversal's reason), from its erasable note; empty when
        there is none or it was erased."""
        try:
            return self.note.text
        except TransactionNote.DoesNotExist:
            return ""


class TransactionNote(models.Model):
    """A person's words shown beside an append-only transaction: why a line was undone. Unlike the transaction,
    this row may be emptied or deleted, so erasing its author's account removes the words and keeps the money."""

    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="note")
    text = models.CharField(_("text"), max_length=200)

    class Meta:
        verbose_name = _("transaction note")
        verbose_name_plural = _("transaction notes")

    def __str__(self) -> str:
        return f"#{self.transaction_id}: {self.text}"


class Entry(models.Model):
    """An amount on one account: positive, the others owe the account's holder more."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(_("amount"), max_digits=AMOUNT_DIGITS, decimal_places=2)
    # The transaction's date, copied at insert (``ledger.posting.post``; on PostgreSQL a trigger fills or checks
    # it, migration 0009) so that a statement reads one account's lines by date from one index.
    date = models.DateField(_("date"), editable=False)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["transaction_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
            models.UniqueConstraint(fields=["transaction", "account"], name="entry_one_per_account"),
        ]
        indexes = [
            # (account, amount) lets PostgreSQL sum a community's balances with an index-only scan.
            models.Index(fields=["account", "amount"], name="entry_account_amount"),
            # A statement: one account's lines in (date, transaction) order, and its balance before a day, read
            # from this index alone (amount included) whatever the other accounts and communities hold.
            models.Index(fields=["account", "date", "transaction"], include=["amount"], name="entry_account_date"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount}"


class Expense(models.Model):
    """Money a member spent for a vehicle. Posted at once (rates) or at month end (shared costs)."""

    class Category(models.TextChoices):
        FUEL = "fuel", _("Fuel / charging")
        MAINTENANCE = "maintenance", _("Maintenance")
        REPAIR = "repair", _("Repair")
        INSURANCE = "insurance", _("Insurance")
        TAX = "tax", _("Tax")
        PARKING_TOLL = "parking_toll", _("Parking / toll")
        CLEANING = "cleaning", _("Cleaning")
        OTHER = "other", _("Other")

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="expenses")
    vehicle = models.ForeignKey("vehicles.Vehicle", on_delete=models.PROTECT, related_name="expenses")
    category = models.CharField(_("category"), max_length=15, choices=Category)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    spent_on = models.DateField(_("date"))
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expenses_paid", verbose_name=_("paid by")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    receipt = models.FileField(_("receipt"), upload_to=receipt_upload_to, blank=True, validators=[validate_receipt])
    # Saved without its receipt, which the payer will add later: listed as missing, and they are reminded.
    receipt_to_follow = models.BooleanField(_("receipt to follow"), default=False)
    receipt_reminder_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    receipt_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    litres = models.DecimalField(_("litres (or kWh)"), max_digits=6, decimal_places=2, null=True, blank=True)
    odometer = models.PositiveIntegerField(_("odometer (km)"), null=True, blank=True)
    # The vehicle's cost model when recorded: decides how (and whether) the expense is posted.
    cost_model = models.CharField(max_length=15, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("why it was undone"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=MAX_EXPENSE), name="expense_amount_positive_and_sane"
            ),
            models.CheckConstraint(
                condition=Q(litres__isnull=True) | Q(litres__gt=0, litres__lte=MAX_LITRES), name="expense_litres_sane"
            ),
            models.CheckConstraint(
                condition=Q(odometer__isnull=True) | Q(odometer__lte=MAX_ODOMETER), name="expense_odometer_sane"
            ),
        ]
        indexes = [models.Index(fields=["vehicle", "spent_on"]), models.Index(fields=["community", "spent_on"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount} ({self.spent_on:%Y-%m-%d})"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class SettlementPeriod(models.Model):
    """A month closed for a community: its allocations are posted and its settle-up plan stored."""

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="settlement_periods")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    created_at = models.DateTimeField(auto_now_add=True)
    emails_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("settlement period")
        verbose_name_plural = _("settlement periods")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="settlement_period_once_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.month:%Y-%m}"


class Transfer(models.Model):
    """One transfer of a period's plan: the payer declares it paid, the payee (or an admin acting for the payee,
    never the payer) confirms. Who may do which is ``ledger.rules``."""

    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="transfers")
    payer = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_out")
    payee = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_in")
    amount = models.DecimalField(_("amount"), max_digits=AMOUNT_DIGITS, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)
    declared_paid_at = models.DateTimeField(_("declared paid at"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="settled_transfer"
    )
    # Set when a later month's plan replaces this one while it is still undeclared. A transfer declared paid is
    # never superseded: it stays confirmable, and later plans count it as paid (``settlement_period_open``).
    superseded_at = models.DateTimeField(null=True, blank=True)
    # The e-mails "X says they paid you" (to the payee) and "Y confirmed" (to the payer), sent once
    # through the outbox: claimed with a lease (colocauto/outbox.py), then marked sent.
    paid_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    paid_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The e-mail to the payee when someone else (an admin) confirmed on their behalf, through the outbox too.
    confirmed_for_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_for_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["period", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(condition=~Q(payer=F("payee")), name="transfer_payer_is_not_payee"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(transaction__isnull=False),
                name="transfer_confirmed_has_transaction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer} → {self.payee}: {self.amount}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_open(self) -> bool:
        return self.confirmed_at is None and self.superseded_at is None


class SettlementEmail(models.Model):
    """The monthly e-mail to one person for one period (an outbox row): claimed with a lease just
    before it is sent, marked sent once the mail server accepted it, or recorded undeliverable."""

    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Empty: nobody is sending it. A claim older than the lease (MAIL_CLAIM_LEASE_SECONDS) is taken again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # The mail server's reply code of the last failure ("550"), or "connection", "timeout", "error".
    error_code = models.CharField(max_length=20, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "user"], name="settlement_email_once")]

    def __str__(self) -> str:
        return f"{self.period} → {self.user_id}"

    @property
    def refused(self) -> bool:
        """The mail server refused the address for good (a 5xx reply)."""
        return self.error_code.startswith("5")


class LeftBalanceNotice(models.Model):
    """A member left, was removed or had their account erased with a non-zero balance: it stays on their account,
    in the community's settle-up plans, as a former member's that the remaining members settle. The community's
    admins are told once, through the outbox (``ledger.left_balance``)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=BALANCE_DIGITS, decimal_places=2)
    reason = models.CharField(max_length=20)  # communities.events: "member_left" or "member_removed"
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    notified_to = models.JSONField(default=list, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"
