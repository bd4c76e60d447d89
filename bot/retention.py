"""Retention: personal data is deleted once the campaign's purge date has passed."""

from __future__ import annotations

from bot.domain import PurgeCounts
from bot.services import Services


async def purge_personal_data(services: Services, dry_run: bool, by: str) -> PurgeCounts:
    """Delete (or, dry, count) personal data; the purge itself goes in the audit log."""
    counts = await services.store.privacy.purge(dry_run=dry_run)
    if not dry_run:
        detail = f"by {by}: " + ", ".join(f"{n} {what}" for what, n in counts.items())
        await services.store.audit.record(None, "purge", detail, services.clock.now())
    return counts
