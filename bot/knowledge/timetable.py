"""Questions about dates and deadlines, answered from the pack's timetable data.

The words of the answer are built here from the timetable's dates, so changing a date in
the pack changes every answer that depends on it, with no prose to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.campaign.dates import clock_time, day_name, plural
from bot.campaign.pack import Campaign
from bot.knowledge.language import Reading
from bot.text import words

TIME_WORDS = words(
    """
    when wen whens date dates deadline deadlines day days time till until timetable schedule
    calendar cutoff latest earliest
    """
)
OPEN_WORDS = words(
    """
    open opens opening opened start starts starting started begin begins beginning began
    begun commence commences commenced from since first earliest
    """
)
CLOSE_WORDS = words(
    """
    close closes closing closed end ends ending deadline deadlines last final latest finish
    until till by due cutoff still
    """
)
# "Are nominations open by now?", "is the ballot closed?": where things stand.
STATUS_WORDS = words(
    """
    open opens opened closes closed shut shuts started begun began ended finished
    """
)
OVERVIEW_WORDS = words("timetable schedule calendar dates")
ENGLISH_WORDS = TIME_WORDS | OPEN_WORDS | CLOSE_WORDS | STATUS_WORDS | OVERVIEW_WORDS


def _words(campaign: Campaign, name: str) -> frozenset[str]:
    return frozenset(campaign.language.word_lists.get(name, ()))


def timetable_words(campaign: Campaign) -> frozenset[str]:
    """Every word a date question may use: known words, never "corrected" into others."""
    lists = ("nomination", "ballot", "meeting", "acceptance")
    return ENGLISH_WORDS.union(*(_words(campaign, name) for name in lists))


def _said(campaign: Campaign, event: str, now: datetime) -> str:
    """The pack's sentence for an event ("The ballot opens|The ballot opened"), dated."""
    future, _, past = campaign.language.sentences.get(event, event).partition("|")
    return _sentence(campaign, event, now, future.strip(), (past or future).strip())


@dataclass(frozen=True, slots=True)
class DateAnswer:
    event: str
    title: str
    text: str


def _when(campaign: Campaign, event: str) -> str:
    moment = campaign.moment(event)
    if campaign.info.timetable[event].has_time:
        return f"{clock_time(moment)} on {day_name(moment.date())}"
    return day_name(moment.date())


def _until(now: datetime, target: date, past: str, future: str) -> str:
    days = (target - now.date()).days
    if days < 0:
        return past
    if days == 0:
        return future.format(when="today")
    if days == 1:
        return future.format(when="tomorrow")
    return future.format(when=f"in {plural(days, 'day')}")


def _sentence(campaign: Campaign, event: str, now: datetime, future: str, past: str) -> str:
    moment = campaign.moment(event)
    when = f"{'at' if campaign.info.timetable[event].has_time else 'on'} {_when(campaign, event)}"
    if now >= moment:
        return f"{past} {when}."
    return f"{future} {when}" + _until(now, moment.date(), ".", " ({when}).")


def answer_date(reading: Reading, campaign: Campaign, now: datetime) -> DateAnswer | None:
    """A timetable answer if the question asks when something in the election happens."""
    said = set(reading.words)
    NOMINATION_WORDS = _words(campaign, "nomination")
    BALLOT_WORDS = _words(campaign, "ballot")
    MEETING_WORDS = _words(campaign, "meeting")
    if not (
        said & TIME_WORDS
        or {"how", "long"} <= said
        or {"how", "late"} <= said
        or _names_a_day_or_hour(reading)
        or _asks_if_still_in_time(said, NOMINATION_WORDS | MEETING_WORDS)
        or (said & STATUS_WORDS and said & (NOMINATION_WORDS | BALLOT_WORDS))
    ):
        return None
    about_ballot = bool(said & BALLOT_WORDS)
    # "What's the deadline?", "is 5pm the cut-off?": the next deadline to come.
    deadline = bool(said & {"deadline", "deadlines", "cutoff"})
    about_noms = bool(said & NOMINATION_WORDS) or (
        deadline and not about_ballot and now < campaign.nominations_close
    )
    about_ballot = about_ballot or (deadline and not about_noms)
    about_meeting = bool(said & MEETING_WORDS)
    closing = bool(said & CLOSE_WORDS)  # "still open?" asks when it closes
    opening = bool(said & OPEN_WORDS) and "still" not in said
    timetable = campaign.info.timetable

    if said & OVERVIEW_WORDS and not (opening or closing):
        return full_timetable(campaign)
    if "acceptances_due" in timetable and (
        said & _words(campaign, "acceptance")
        or ({"address", "addresses"} & said and "election" in said)
    ):
        text = _said(campaign, "acceptances_due", now)
        return DateAnswer("acceptances_due", timetable["acceptances_due"].label, text)
    if about_meeting and not about_ballot:
        return _notice(campaign, now)
    if about_ballot and not about_noms:
        if opening and not closing:
            text = _said(campaign, "ballot_open", now)
            return DateAnswer("ballot_open", timetable["ballot_open"].label, text)
        if closing:
            text = _said(campaign, "ballot_close", now)
            return DateAnswer("ballot_close", timetable["ballot_close"].label, text)
        text = campaign.language.sentences.get("voting_period", "{open} - {close}").format(
            open=day_name(campaign.ballot_open.date()), close=_when(campaign, "ballot_close")
        )
        return DateAnswer("ballot_open", "Ballot dates", text)
    left = bool(said & {"left", "remaining"})
    if about_noms or (left and now < campaign.nominations_close):
        if opening and not closing:
            text = _said(campaign, "nominations_open", now)
            return DateAnswer("nominations_open", timetable["nominations_open"].label, text)
        text = _said(campaign, "nominations_close", now)
        return DateAnswer("nominations_close", timetable["nominations_close"].label, text)
    if left:
        text = _said(campaign, "ballot_close", now)
        return DateAnswer("ballot_close", timetable["ballot_close"].label, text)
    return None


NEGATIONS = words("not no hasnt havent hadnt isnt arent didnt doesnt dont wont cant")


def _asks_if_still_in_time(said: set[str], event_words: frozenset[str]) -> bool:
    """ "Can we still nominate?", "too late for a meeting now?": the deadline. Not "we
    nominated someone else, do I still report it?": that is done, and asks what next."""
    done = {"nominated", "report", "reported", "reporting", "log", "logged"}
    return bool(
        said & {"still", "late"} and said & event_words and not said & NEGATIONS and not said & done
    )


_MONTHS = words(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """
)
_HOURS = words("midnight noon midday pm am oclock")


def _names_a_day_or_hour(reading: Reading) -> bool:
    """ "the 14th", "5pm", "midnight", "October": a question about a moment."""
    for word in reading.raw:
        if word in _MONTHS or word in _HOURS:
            return True
        if word[:-2].isdigit() and word[-2:] in ("st", "nd", "rd", "th", "pm", "am"):
            return True
    return False


def _notice(campaign: Campaign, now: datetime) -> DateAnswer:
    cutoff = campaign.notice_cutoff
    days = campaign.rules.notice_days
    close = _when(campaign, "nominations_close")
    sentences = campaign.language.sentences
    text = sentences.get("notice", "{cutoff}").format(
        days=days, close=close, cutoff=day_name(cutoff)
    )
    text += _until(
        now, cutoff, " " + sentences.get("notice_passed", ""), sentences.get("notice_coming", "")
    )
    return DateAnswer("notice_cutoff", "Notice for nomination meetings", text)


def full_timetable(campaign: Campaign) -> DateAnswer:
    parts = [
        f"{event.label}: {_when(campaign, key)}"
        for key, event in campaign.info.timetable.items()
        if key != "purge_after"
    ]
    return DateAnswer("timetable", "Election timetable", "; ".join(parts) + ".")
