"""What the reminder planner reads of every volunteer at each sweep, in one query: the
columns of `PlanVolunteer`, in its field order, with their branch's latest meeting,
its result, whether they have voted, when the meeting starts and whether they have
asked colleagues to vote."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.store import schema as t
from bot.store.base import LATEST_MEETING
from bot.store.people import VOLUNTEER_FROM

PLAN_ROWS = (
    select(
        t.volunteers.c.person_id,
        t.people.c.platform,
        t.people.c.platform_user_id,
        t.people.c.display_name,
        t.volunteers.c.branch_code,
        t.branches.c.name,
        t.volunteers.c.signed_up_at,
        t.volunteers.c.opted_out,
        t.volunteers.c.snoozed_until,
        # Only whether these are set: read as flags, not converted to values at every sweep.
        t.volunteers.c.undeliverable_at.is_not(None),
        t.meetings.c.meeting_date,
        t.nominations.c.outcome.is_not(None),
        t.ballot_actions.c.voted_at.is_not(None),
        t.meetings.c.meeting_time,
        func.coalesce(t.ballot_actions.c.pledged, 0) > 0,
    )
    .select_from(VOLUNTEER_FROM)
    .outerjoin(LATEST_MEETING, LATEST_MEETING.c.branch_code == t.volunteers.c.branch_code)
    .outerjoin(t.meetings, t.meetings.c.id == LATEST_MEETING.c.id)
    .outerjoin(t.nominations, t.nominations.c.branch_code == t.volunteers.c.branch_code)
    .outerjoin(t.ballot_actions, t.ballot_actions.c.person_id == t.volunteers.c.person_id)
    .order_by(t.volunteers.c.person_id)
)
