"""Known bugs a rehearsal can plant, to show that the oracle catches each of them with
`rehearse`'s default settings.

`count-future-meetings`: a meeting still to come counts as held, so a nomination reported
before its meeting counts at once.
`deadline-by-date`: the close compared by date, so a form sent after 17:00 on the closing
day counts.
`meeting-before-opening`: a meeting before nominations open counts.
`form-before-meeting`: a form dated before its meeting is accepted and counts.
`future-result-counted`: a result for a meeting still to come is reported (and can be
verified) at once, not held.
`drop-rule`: the pack's day-before-the-meeting reminder is never sent.
`two-a-day`: a volunteer can get more than the pack's daily limit of messages.
`personal-doubles`: every personal message goes twice, under a second key.
`threshold-shown`: /progress states a threshold of 20.
`replace-loses-nominations`: replacing the branch list deletes the nominations of the
branches it retires.
`reminder-after-result`: the reminder an hour after a meeting ends goes even when the
branch has already reported its result.
`holdout-sent`: a wording experiment's holdout gets the rule's first wording.
`wording-at-random`: each volunteer's wording is drawn at random in each process, not
worked out from the hash (so it changes with a restart).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from unittest import mock

from bot.campaign.domain import Reason
from bot.campaign.pack import Campaign

DROPPED_RULE = "meeting-tomorrow"


def _by_date(sent: datetime, campaign: Campaign) -> bool:
    zone = campaign.zone
    return sent.astimezone(zone).date() > campaign.nominations_close.astimezone(zone).date()


def _after_close_only(meeting: date, campaign: Campaign) -> Reason | None:
    if meeting > campaign.nominations_close.astimezone(campaign.zone).date():
        return Reason.MEETING_AFTER_CLOSE
    return None


def _never(*_: object) -> Any:
    return None


def _always(*_: object) -> bool:
    return True


async def _nobody_messaged(*_: object) -> dict[Any, int]:
    return {}


def _planner_without_rule(original: Callable[..., None]) -> Callable[..., None]:
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.rules = tuple(r for r in self.rules if r.id != DROPPED_RULE)

    return init


def _after_results_too(original: Callable[..., bool]) -> Any:
    def wanted(rule: Any, volunteer: Any) -> bool:
        after_end = rule.meeting is not None and rule.meeting.after_end_minutes is not None
        if after_end and volunteer.has_outcome and volunteer.meeting_date is not None:
            return not (volunteer.opted_out or volunteer.undeliverable)
        return original(rule, volunteer)

    return staticmethod(wanted)


def _doubled(original: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    def plan(self: Any, *args: Any, **kwargs: Any) -> list[Any]:
        planned = original(self, *args, **kwargs)
        again = [replace(p, occurrence=f"{p.occurrence}:again") for p in planned if p.rule.personal]
        return planned + again

    return plan


def _losing_import(original: Callable[..., Any]) -> Callable[..., Any]:
    async def import_list(self: Any, branches: Any, replace: bool, at: datetime) -> Any:
        from sqlalchemy import delete

        from bot.store import schema

        done = await original(self, branches, replace, at)
        if replace:
            kept = [b.code for b in branches]
            nominations = schema.nominations

            async def lose(conn: Any) -> None:
                await conn.execute(
                    delete(nominations).where(nominations.c.branch_code.not_in(kept))
                )

            await self.core.write(lose)
        return done

    return import_list


def _holdout_sent(original: Callable[..., Any]) -> Callable[..., Any]:
    def assign(campaign: str, rule: Any, person: str) -> str | None:
        group: str | None = original(campaign, rule, person)
        first: str = rule.variants[0].id
        return first if group == "holdout" else group

    return assign


def _at_random(campaign: str, rule_id: str, person: str) -> float:
    import random

    return random.random()


def _patches(bug: str) -> list[Any]:
    from bot.campaign import experiments
    from bot.store.branches import Branches
    from schedules.deliver import Deliverer
    from schedules.planner import Planner

    found: dict[str, list[Any]] = {
        "count-future-meetings": [mock.patch("bot.views.pipeline.held_by", _always)],
        "deadline-by-date": [
            mock.patch("bot.views.pipeline.form_late", _by_date),
            mock.patch("commands.formsent.form_late", _by_date),
        ],
        "meeting-before-opening": [
            mock.patch("bot.views.pipeline.outside_window", _after_close_only)
        ],
        "form-before-meeting": [
            mock.patch("bot.views.pipeline.form_before_meeting", return_value=False),
            mock.patch("commands.formsent.form_before_meeting", return_value=False),
        ],
        "future-result-counted": [
            mock.patch("bot.views.pipeline.to_come", _never),
            mock.patch("commands.nominate.to_come", _never),
            mock.patch("commands.verify.to_come", _never),
        ],
        "drop-rule": [
            mock.patch.object(Planner, "__init__", _planner_without_rule(Planner.__init__))
        ],
        "two-a-day": [
            mock.patch.object(Planner, "_one_a_day", lambda self, planned: list(planned)),
            mock.patch.object(Deliverer, "_messaged_today", _nobody_messaged),
        ],
        "personal-doubles": [mock.patch.object(Planner, "plan", _doubled(Planner.plan))],
        "threshold-shown": [
            mock.patch.object(
                Campaign, "threshold", new_callable=mock.PropertyMock, return_value=20
            )
        ],
        "replace-loses-nominations": [
            mock.patch.object(Branches, "import_list", _losing_import(Branches.import_list))
        ],
        "reminder-after-result": [
            mock.patch.object(Planner, "_wanted", _after_results_too(Planner._wanted))
        ],
        "holdout-sent": [
            mock.patch("bot.campaign.experiments.assign", _holdout_sent(experiments.assign))
        ],
        "wording-at-random": [mock.patch("bot.campaign.experiments.share", _at_random)],
    }
    if bug not in found:
        raise ValueError(f"no such planted bug: {bug!r} (known: {', '.join(PLANTS)})")
    return found[bug]


PLANTS = (
    "count-future-meetings",
    "deadline-by-date",
    "meeting-before-opening",
    "form-before-meeting",
    "future-result-counted",
    "drop-rule",
    "two-a-day",
    "personal-doubles",
    "threshold-shown",
    "replace-loses-nominations",
    "reminder-after-result",
    "holdout-sent",
    "wording-at-random",
)


@contextmanager
def planted(bug: str) -> Iterator[None]:
    with ExitStack() as stack:
        for patch in _patches(bug):
            stack.enter_context(patch)
        yield
