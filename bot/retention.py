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


async def purge_if_due(services: Services, by: str) -> PurgeCounts | None:
    """Once the purge date has passed, delete whatever personal data is still held.

    Run at every sweep (so at start-up, from `send-due` and every minute) and hourly:
    a bot restarted often, or run only from cron, still purges."""
    if services.clock.now() < services.campaign.purge_after:
        return None
    held = await services.store.privacy.purge(dry_run=True)
    if not held.anything:
        return None
    return await purge_personal_data(services, dry_run=False, by=by)
