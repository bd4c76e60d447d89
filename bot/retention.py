"""Retention: personal data is deleted once the campaign's purge date has passed."""

from __future__ import annotations

from bot.services import Services


async def purge_personal_data(services: Services, dry_run: bool, by: str) -> dict[str, int]:
    """Delete (or, dry, count) personal data; the purge itself goes in the audit log."""
    counts = await services.store.purge(dry_run=dry_run)
    if not dry_run:
        detail = f"by {by}: " + ", ".join(f"{n} {what}" for what, n in counts.items())
        await services.store.audit(None, "purge", detail, services.clock.now())
    return counts
