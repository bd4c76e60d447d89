"""Retention: personal data is deleted once the campaign's purge date has passed, and at
once on a person's request."""

from __future__ import annotations

from datetime import datetime

from bot.campaign.records import PurgeCounts
from bot.knowledge.replies import LearnedAnswer
from bot.runtime.services import Services


def audit_options(services: Services) -> dict[str, list[str]]:
    """Per command, the options its audit entries may keep: all but free text."""
    return {
        c.name: [o.name for o in c.options if not o.is_free_text]
        for c in services.commands.everything()
        if any(o.is_free_text for o in c.options)
    }


async def purge_personal_data(services: Services, dry_run: bool, by: str) -> PurgeCounts:
    """Delete (or, dry, count) personal data; the purge itself goes in the audit log."""
    now = services.clock.now()
    counts = await services.store.privacy.purge(
        dry_run=dry_run, at=now, audit_options=audit_options(services)
    )
    if not dry_run:
        await relearn(services)
        detail = f"by {by}: " + ", ".join(f"{n} {what}" for what, n in counts.items())
        await services.store.audit.record(None, "purge", detail, now)
    return counts


def purge_due(services: Services, now: datetime) -> bool:
    return now >= services.campaign.purge_after


async def purge_if_due(services: Services, by: str) -> PurgeCounts | None:
    """Once the purge date has passed, delete whatever personal data is still held.

    Run at every sweep (so at start-up, from `send-due` and every minute), hourly, and
    before any export: a bot restarted often, or run only from cron, still purges."""
    if not purge_due(services, services.clock.now()):
        return None
    held = await services.store.privacy.purge(dry_run=True)
    if not held.anything:
        return None
    return await purge_personal_data(services, dry_run=False, by=by)


async def relearn(services: Services) -> None:
    """After an erasure or the purge, the answer engine (if built) forgets the wording of
    organisers' answers as it was and takes it as it is now stored."""
    engine = services.built_answers()
    if engine is None:
        return
    stored = await services.store.questions.answers()
    engine.relearn([LearnedAnswer(a.id, a.question, a.answer) for a in stored])
