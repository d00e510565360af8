"""E-mail outbox: claims with a lease, and one SMTP connection per batch with each message on its own.

Every e-mail the app sends is first claimed on a database row (``claimed_at``) and marked sent
after the mail server accepted it. A claim whose message is still not marked sent after the lease
(``MAIL_CLAIM_LEASE_SECONDS``) belonged to a sender that died: the periodic sweep claims it again
and sends it. So a crash delays an e-mail but never loses it; a second copy is possible only when
the sender dies after handing the message to the mail server and before marking it sent. Batches
(the monthly e-mails) claim many rows in one statement and mark them sent together: that window is
then the messages accepted in the last second or so (``SentMarks``).
"""

import contextlib
import logging
import smtplib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connections
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)
_M = TypeVar("_M", bound=Model)


def lease() -> timedelta:
    return timedelta(seconds=settings.MAIL_CLAIM_LEASE_SECONDS)


def claimable(field: str) -> Q:
    """Rows never claimed, or claimed by a sender whose lease ran out before it marked them sent."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": timezone.now() - lease()})


def claim(rows: QuerySet[Any], field: str, **changes: Any) -> bool:
    """Claim the one row of ``rows`` (already filtered to "not sent") for this sender; False if
    someone else holds a live claim on it or it is gone."""
    return rows.filter(claimable(field)).update(**{field: timezone.now()}, **changes) == 1


def claim_batch(rows: QuerySet[Any], field: str, *, limit: int, returning: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Claim up to ``limit`` claimable rows of ``rows`` (already filtered to "not sent"), by primary key,
    in one ``UPDATE … RETURNING``; returns the ``returning`` columns (integers: ids, counters) of the rows
    this sender now holds.

    The claim condition is on the updated rows themselves, so the database checks it again on a row
    another sender claimed in between (PostgreSQL re-evaluates it once that sender commits): a row is
    never held by two senders.
    """
    model = rows.model
    meta = model._meta
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    column = quote(meta.get_field(field).column)
    candidates, params = rows.filter(claimable(field)).order_by("pk").values("pk")[:limit].query.sql_with_params()
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    returned = ", ".join(quote(meta.get_field(name).column) for name in returning)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {column} = %s WHERE {quote(meta.pk.column)} IN ({candidates}) "  # noqa: S608 — quoted names, values as parameters
        f"AND ({column} IS NULL OR {column} < %s) RETURNING {returned}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(now), *params, adapt(now - lease())])
        return sorted(cursor.fetchall())


# How long messages accepted by the mail server may wait to be marked sent together: a crash in this
# window is the one way to a second copy (see the module's docstring).
MARK_SENT_WITHIN = 1.0  # seconds


class SentMarks:
    """Claims whose message the mail server accepted, marked sent together: in one ``UPDATE`` when the
    batch ends (``flush``), or at once when the oldest waits longer than ``MARK_SENT_WITHIN`` (a slow
    server). So a fast batch costs one statement, and a crash re-sends at most the messages accepted
    within the last second or so, never more than one batch."""

    def __init__(self, rows: QuerySet[Any], field: str, **changes: Any) -> None:
        self.rows, self.field, self.changes = rows, field, changes
        self.pending: list[int] = []
        self.oldest = 0.0

    def add(self, pk: int) -> None:
        if not self.pending:
            self.oldest = time.monotonic()
        self.pending.append(pk)
        if time.monotonic() - self.oldest >= MARK_SENT_WITHIN:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.rows.filter(pk__in=self.pending).update(**{self.field: timezone.now()}, **self.changes)
            self.pending = []


def commit_unflushed(using: str = "default") -> None:
    """Inside an outermost ``atomic()``: the transaction's commit returns without waiting for the disk
    (PostgreSQL's ``synchronous_commit = off``, for this transaction only), saving a flush of the log
    (about a millisecond here).

    Only for rows a crash of the database server may lose harmlessly: outbox rows and their claims (the
    sweep inserts and claims them again). Never for the marks that say a message was sent: those stay
    synchronous, and PostgreSQL writes its log in order, so once a mark is on disk the claim before it
    is too. A crash of a worker loses nothing: the commit itself is the same, only its flush to disk is
    later (a fraction of a second).
    """
    connection = connections[using]
    # Only in the outermost block (no savepoint): nested, it would be the caller's whole transaction.
    if connection.vendor == "postgresql" and connection.in_atomic_block and not connection.savepoint_ids:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def release(rows: QuerySet[Any], field: str, **changes: Any) -> None:
    """Give a claim back at once (a temporary failure): the next retry or sweep may send it."""
    rows.update(**{field: None}, **changes)


@dataclass(frozen=True)
class Failure:
    """Why a message was not accepted: ``code`` is the mail server's reply code ("550") or a word
    ("timeout", "connection", "error"); ``permanent`` failures are not retried."""

    code: str
    permanent: bool

    @property
    def counts(self) -> bool:
        """Whether this counts as a failed attempt of this message: not when the server was unreachable."""
        return self.code not in ("connection", "timeout")


class MailDeferred(Exception):
    """Some e-mails of a batch failed for a temporary reason; their claims were given back for a retry."""


def failure_of(error: BaseException) -> Failure:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()] or [0]
        code = max(codes)
        return Failure(str(code), permanent=code >= 500)
    if isinstance(error, smtplib.SMTPDataError | smtplib.SMTPSenderRefused):
        return Failure(
            str(error.smtp_code), permanent=isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500
        )
    if isinstance(error, TimeoutError):
        return Failure("timeout", permanent=False)
    if isinstance(error, OSError):  # refused or dropped connection, any other SMTP error
        return Failure("connection", permanent=False)
    return Failure("error", permanent=False)


class Mailer:
    """One connection to the mail server for a batch, opened on the first message.

    ``send`` never raises: it returns ``None`` when the server accepted the message, else the
    ``Failure``. After a failure that may have broken the connection, the next message reconnects;
    if the server cannot be reached at all, ``available`` turns False and the batch should stop.
    """

    def __init__(self) -> None:
        self.connection = get_connection()
        self.available = True
        self._open = False

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def send(self, message: EmailMessage) -> Failure | None:
        try:
            if not self._open:
                self.connection.open()
                self._open = True
        except Exception as error:  # any way of not reaching the server
            self.available = False
            logger.warning("The mail server cannot be reached (%s: %s).", type(error).__name__, error)
            return failure_of(error)
        message.connection = self.connection
        try:
            message.send()
        except Exception as error:  # classified, recorded by the caller, never blocks the batch
            failure = failure_of(error)
            logger.warning("E-mail to %s not accepted (%s): %s", ", ".join(message.to), failure.code, error)
            if not isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                self._close()  # the connection may be broken: the next message opens a new one
            return failure
        return None

    def _close(self) -> None:
        if self._open:
            self._open = False
            with contextlib.suppress(Exception):  # closing a broken connection may fail; nothing to do
                self.connection.close()


# Notices (booking events, membership requests and answers, invitations, transfers) older than this
# are not swept any more: news that would arrive a week late is no longer worth sending.
NOTICE_HORIZON = timedelta(days=7)


def due(rows: QuerySet[_M], *, claimed: str, done: str) -> QuerySet[_M]:
    """The notices of ``rows`` not yet sent and not held by a live claim: what a sweep sends."""
    return rows.filter(**{f"{done}__isnull": True}).filter(claimable(claimed))


def deliver(
    rows: QuerySet[Any],
    *,
    claimed: str,
    done: str,
    messages: Callable[[], Iterable[tuple[int, EmailMessage]]],
    progress: str | None = None,
) -> int:
    """Send one notice row's e-mails once: claim the row, send ``messages()`` (recipient id, message)
    over one connection, each on its own, then mark it ``done``. Returns how many went out.

    ``progress`` (a JSON list field) remembers the recipients already served, so a retry after a
    temporary failure or a crash sends only to the others. An address the server refuses for good is
    logged and skipped. After a temporary failure the claim is given back and ``MailDeferred`` raised.
    """
    if not claim(rows.filter(**{f"{done}__isnull": True}), claimed):
        return 0
    served = list(rows.values_list(progress, flat=True).first() or []) if progress else []
    sent, deferred = 0, False
    with Mailer() as mailer:
        for recipient, message in messages():
            if recipient in served:
                continue
            if not mailer.available:
                deferred = True
                break
            failure = mailer.send(message)
            if failure is not None and not failure.permanent:
                deferred = True
                continue
            sent += failure is None
            if progress:
                served.append(recipient)
                # A crash between the server accepting the message and this update is the one way to a second copy.
                rows.update(**{progress: served})
    if deferred:
        release(rows, claimed)
        raise MailDeferred(f"{rows.model.__name__} {done}: to retry")
    rows.update(**{done: timezone.now()})
    return sent


def sweep(ids: Iterable[int], send: Callable[[int], int], *, what: str) -> int:
    """Run ``send(id)`` for each due notice, each on its own; returns how many e-mails went out."""
    sent = 0
    for pk in list(ids):
        try:
            sent += send(pk)
        except MailDeferred:
            continue  # given back: the task's retry or the next sweep sends it
        except Exception:  # one notice's trouble must not hold up the others
            logger.exception("%s %s: the sweep could not send it.", what, pk)
    return sent


# How the e-mail tasks retry a temporary failure (the mail server or the network; smtplib's errors are
# OSErrors): with growing, jittered delays. If the retries run out, or the worker dies, the sweep sends.
RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 30 * 60
MAX_RETRIES = 8
RETRY: dict[str, Any] = {
    "autoretry_for": (OSError, MailDeferred),
    "retry_backoff": RETRY_BACKOFF,
    "retry_backoff_max": RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}
