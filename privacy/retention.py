"""The nightly retention job: every app's rules (colocauto.core.privacy.keep_for), each with its setting."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from colocauto.core.privacy import registry

logger = logging.getLogger(__name__)


def retention_apply() -> dict[str, int]:
    """Apply every retention rule; one failing rule never stops the others. Idempotent: a second run
    finds nothing more to forget. Returns what each rule forgot."""
    now = timezone.now()
    forgotten = {}
    for rule in registry.retentions.values():
        cutoff = now - timedelta(days=getattr(settings, rule.setting))
        try:
            forgotten[rule.name] = rule.forget(cutoff)
        except Exception:
            logger.exception("Retention rule %s failed.", rule.name)
            continue
        if forgotten[rule.name]:
            logger.info("Retention: %s forgot %d older than %s.", rule.name, forgotten[rule.name], cutoff.date())
    return forgotten
