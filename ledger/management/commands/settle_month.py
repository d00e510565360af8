"""Close a month by hand: the same code as the monthly job, community by community, with progress."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from colocauto.core.errors import DomainError
from colocauto.core.parsers import parse_month
from communities.models import Community
from ledger import emails
from ledger.closing import communities_to_close, month_close


class Command(BaseCommand):
    help = "Post a month's allocations, open its settlement period and send the settle-up e-mails (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="The month to close, as YYYY-MM.")
        parser.add_argument("--community", type=int, help="Only this community (its id).")

    def handle(self, *args: Any, month: str, community: int | None = None, **options: Any) -> None:
        try:
            first_day = parse_month(month)
        except ValueError:
            raise CommandError("--month must look like 2025-01.") from None
        if community is not None:
            if not Community.objects.filter(pk=community).exists():
                raise CommandError(f"No community with id {community}.")
            ids = [community]
        else:
            ids = list(communities_to_close(first_day))
        total = len(ids)
        self.stdout.write(f"Closing {first_day:%Y-%m} for {total} communit{'y' if total == 1 else 'ies'}.")
        closed = 0
        for position, community_id in enumerate(ids, start=1):
            target = Community.objects.get(pk=community_id)
            prefix = f"[{position}/{total}] {target.name} (#{target.pk}): "
            try:
                period = month_close(community=target, month=first_day)
            except DomainError as refusal:
                self.stdout.write(self.style.WARNING(f"{prefix}not closed: {refusal.message}"))
                continue
            sent = emails.settlement_emails_send(period=period)
            transfers = period.transfers.count()
            self.stdout.write(f"{prefix}{transfers} transfer(s) in the plan, {sent} e-mail(s) sent.")
            closed += 1
        self.stdout.write(self.style.SUCCESS(f"Done: {closed} of {total} closed."))
