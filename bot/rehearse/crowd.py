"""A seeded crowd: supporters on console, Slack and Discord, and two organisers, with
everything they will type over the campaign, planned up front from the seed.

Supporters sign up in waves (some misspelling their branch), branches call meetings
with enough notice, too little or too late, hold them, and report results on the day,
days late, twice, wrongly then corrected, or before the meeting; forms go in on time,
late, or on time but reported late. People opt out, snooze, ask for help, erase
themselves, ask questions, vote; other branches nominate rival candidates. Mid-way
through nominations an organiser replaces the branch list: branches with counted (and
rival) nominations leave it, new ones join, and later sign-ups find the new ones.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from bot.rehearse.platforms import PLATFORMS
from bot.rehearse.rules import PackBranch, PackRules
from bot.rehearse.stories import ORGANISERS, Action, Stories, iso

QUESTIONS = (
    "what can I do to help?",
    "when do noms close?",
    "how many branches are needed?",
    "who runs the ballot?",
    "when does the ballot open?",
    "what does mark think about pay?",
    "What should I do next?",
)
CHANNELS = (("console", "campaign"), ("slack", "CCAMPAIGN"))
# When meetings start, if not at the pack's time: at lunch, after work (the result often
# reported before the hour after it ends), and late enough that the hour after falls in
# the night.
MEETING_TIMES = (None, None, None, time(12, 0), time(18, 0), time(18, 30), time(19, 45))

# Branches whose story is one of the counting rules' edges, whatever the seed.
EDGES = (
    "form_at_1659",
    "form_at_1701",
    "meeting_before_opening",
    "form_before_meeting",
    "result_to_come",
    "changed_after_verify",
    "retired_counted",
    "retired_unverified",
    "retired_rival",
)
# The branches the replacement list adds (it drops the `retired_*` edges' branches).
NEW_BRANCHES = (
    PackBranch("DWP-HULL", "DWP Hull", "DWP", "Yorkshire & Humberside"),
    PackBranch("HMRC-BRAD", "HMRC Bradford", "HMRC", "Yorkshire & Humberside"),
    PackBranch("HO-DOVER", "Home Office Dover", "Home Office", "London & South East"),
)
REPLACED_AFTER = timedelta(days=21, hours=11)  # after nominations open: the list replaced


def typo(name: str, rng: random.Random) -> str:
    """A branch name as a hurried person types it."""
    text = name.lower()
    if len(text) > 6 and rng.random() < 0.6:
        i = rng.randrange(2, len(text) - 1)
        return text[:i] + text[i + 1 :]
    if len(text) > 6:
        i = rng.randrange(2, len(text) - 2)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text


class Crowd(Stories):
    def __init__(self, pack: PackRules, supporters: int, seed: int, start: datetime):
        self.pack = pack
        self.rng = random.Random(seed)
        self.seed = seed
        self.start = start
        self.actions: list[Action] = []
        self._seq = 0
        self.people: list[tuple[str, str, str]] = []  # platform, id, branch code
        # The branch list is replaced at this moment, by one without the retired branches
        # and with the new ones.
        opened = pack.open.astimezone(pack.zone)
        self.replaced_at = datetime.combine(opened.date(), time.min, tzinfo=pack.zone)
        self.replaced_at += REPLACED_AFTER
        listed = {b.name for b in pack.branches}
        self.new_branches = tuple(b for b in NEW_BRANCHES if b.name not in listed)
        self.retired: list[str] = []
        self._plan(supporters)
        self.actions.sort()

    # --- the plan ----------------------------------------------------------------------

    def _plan(self, supporters: int) -> None:
        pack, rng = self.pack, self.rng
        for platform, user in ORGANISERS:
            channel = dict(CHANNELS)[platform]
            self.add(
                self.start,
                (platform, user),
                "/broadcast-here",
                "subscribe",
                channel=channel,
                organiser=True,
            )
        waves = [
            (pack.open - timedelta(days=3), 0.15),
            (pack.open + timedelta(days=8), 0.35),
            (pack.close - timedelta(days=20), 0.3),
            (pack.close + timedelta(days=10), 0.05),
            (pack.ballot_open + timedelta(days=6), 0.1),
            (pack.ballot_close + timedelta(days=3), 0.05),
        ]
        branches = list(pack.branches)
        joined: dict[str, list[tuple[tuple[str, str], datetime]]] = {}
        for n in range(supporters):
            platform = PLATFORMS[n % len(PLATFORMS)]
            who = (platform, f"{platform[0]}{n:05d}")
            branch = rng.choice(branches)
            centre = rng.choices([w for w, _ in waves], [p for _, p in waves])[0]
            at = centre + timedelta(hours=rng.gauss(0, 72))
            if rng.random() > 0.1:  # most in the day, a few at night
                at = self.moment(self.day(at), 7, 23)
            share = len(self.new_branches) / (len(branches) + len(self.new_branches))
            if at >= self.replaced_at and self.new_branches and rng.random() < share:
                branch = rng.choice(self.new_branches)  # on the new list only
            self.people.append((platform, who[1], branch.code))
            self.sign_up(who, branch, at)
            joined.setdefault(branch.code, []).append((who, at))
            self.extras(who, branch, at)
        edges = [b for b in branches if b.code in joined]
        rng.shuffle(edges)
        edges = edges[: len(EDGES)]
        for branch, edge in zip(edges, EDGES, strict=False):
            champion = min(joined[branch.code], key=lambda j: j[1])[0]
            getattr(self, f"edge_{edge}")(champion, branch.code)
        for branch in [*branches, *self.new_branches]:
            if branch.code in joined and branch not in edges:
                self.story(branch, sorted(joined[branch.code], key=lambda j: j[1]))
        self.replace_list()

    def replace_list(self) -> None:
        """An organiser replaces the branch list: the retired edges' branches leave it."""
        listed = [b for b in self.pack.branches if b.code not in self.retired]
        self.add(
            self.replaced_at,
            ORGANISERS[0],
            "import-branches --replace",
            "branches",
            data={"branches": [*listed, *self.new_branches], "retired": list(self.retired)},
            organiser=True,
        )

    def sign_up(self, who: tuple[str, str], branch: PackBranch, at: datetime) -> None:
        name = typo(branch.name, self.rng) if self.rng.random() < 0.25 else branch.name
        self.add(at, who, f"/volunteer branch:{name} consent:yes", "volunteer", branch=branch.code)

    def extras(self, who: tuple[str, str], branch: PackBranch, at: datetime) -> None:
        rng, pack = self.rng, self.pack
        later = at + timedelta(days=rng.uniform(1, 25))
        draw = rng.random()
        if draw < 0.05:
            self.add(later, who, "/optout", "optout")
            if rng.random() < 0.4:
                self.add(later + timedelta(days=rng.uniform(1, 6)), who, "/optin", "optin")
        elif draw < 0.10:
            self.add(later, who, "/snooze", "snooze")
        elif draw < 0.14:
            self.add(later, who, f"/needhelp branch:{branch.code}", "needhelp")
        elif draw < 0.17:
            self.add(later + timedelta(days=rng.uniform(0, 30)), who, "/forgetme", "forgetme")
            return
        for _ in range(rng.choice((0, 0, 1, 2))):
            when = at + timedelta(days=rng.uniform(0, 60))
            question = rng.choice(QUESTIONS)
            self.add(
                self.moment(self.day(when)),
                who,
                question,
                "help" if "help" in question or "next" in question else "ask",
            )
        if rng.random() < 0.1:
            self.add(at + timedelta(days=rng.uniform(0, 40)), who, "/progress", "progress")
        if rng.random() < 0.05:
            self.add(at + timedelta(days=rng.uniform(0, 60)), who, "/mydata", "mydata")
        if rng.random() < 0.3:
            vote = pack.ballot_open + timedelta(days=rng.uniform(3, 30))
            if vote > at:
                self.add(self.moment(self.day(vote)), who, "/voted", "voted")

    def story(self, branch: PackBranch, joined: list[tuple[tuple[str, str], datetime]]) -> None:
        """One branch's campaign, acted out by its first volunteer (and an organiser)."""
        rng, pack = self.rng, self.pack
        champion, since = joined[0]
        if rng.random() < 0.15 or since > pack.close:
            return  # never calls a meeting
        code = branch.code
        earliest = max(self.day(since), self.day(pack.open) - timedelta(days=5))
        latest = self.day(pack.close) - timedelta(days=2)
        if earliest > latest:
            return
        called = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        gap = rng.choices([rng.randint(14, 21), rng.randint(7, 13)], [0.8, 0.2])[0]
        meeting = called + timedelta(days=gap)
        told = called if rng.random() > 0.1 else None
        notice = f" notice:{iso(told)}" if told else ""
        # Half the meetings at a time of their own (the rest at the pack's): drawn apart
        # from the crowd's other choices, so each seed's campaign is otherwise unchanged.
        starts = random.Random(f"{self.seed}:{code}:starts").choice(MEETING_TIMES)
        if starts is not None:
            notice += f" time:{starts.strftime('%H:%M')}"
        report = self.moment(called + timedelta(days=rng.randint(0, 3)))
        report = max(report, since + timedelta(minutes=5))
        self.add(
            report,
            champion,
            f"/meeting branch:{code} date:{iso(meeting)}{notice}",
            "meeting",
            branch=code,
            data={"date": meeting, "notice": told, "at": starts},
        )
        outcome = rng.choices(["nominated", "other", "none", "inquorate"], [0.6, 0.25, 0.1, 0.05])[
            0
        ]
        style = rng.choices(
            ["day", "late", "before", "twice", "corrected"], [0.5, 0.3, 0.05, 0.1, 0.05]
        )[0]
        if style == "before":
            first = report + timedelta(hours=rng.randint(1, 48))
        elif style == "late":
            first = self.moment(meeting + timedelta(days=rng.randint(1, 6)))
        else:
            first = datetime.combine(meeting, time(19, rng.randrange(60)), tzinfo=pack.zone)
        first = max(first, report + timedelta(minutes=5))
        said = "other" if style == "corrected" and outcome == "nominated" else outcome
        if style == "corrected" and outcome != "nominated":
            said = "nominated"
        self.result(champion, code, said, meeting, first)
        last = first
        if style in ("twice", "corrected"):
            last = first + timedelta(days=1, hours=rng.randint(0, 3))
            self.result(champion, code, outcome, meeting, last)
        if outcome != "nominated":
            return
        form = rng.choices(["on time", "late", "reported late", "never"], [0.65, 0.1, 0.1, 0.15])[0]
        official = rng.choice(("Jo Bloggs", "Sam Patel", "Ann Lee"))
        close_day = self.day(pack.close)

        def form_sent(at: datetime, on: date | None = None) -> datetime:
            dated = f" date:{iso(on)}" if on is not None else ""
            data: dict[str, object] = {"official": official}
            if on is not None:
                data["date"] = on
            command = f"/formsent branch:{code} official:{official}{dated}"
            self.add(at, champion, command, "formsent", branch=code, data=data)
            return at

        if form == "on time" and self.day(last) < close_day:
            sent = self.moment(self.day(last) + timedelta(days=rng.randint(0, 2)))
            last = form_sent(
                min(max(sent, last + timedelta(minutes=5)), pack.close - timedelta(hours=1))
            )
        elif form == "late" or (form == "on time" and self.day(last) >= close_day):
            sent = self.moment(close_day + timedelta(days=rng.randint(1, 4)))
            last = form_sent(max(sent, last + timedelta(minutes=5)))
        elif form == "reported late" and self.day(last) < close_day:
            on = min(self.day(last) + timedelta(days=1), close_day)
            last = form_sent(self.moment(close_day + timedelta(days=rng.randint(1, 5))), on)
        if rng.random() < 0.6:
            organiser = ORGANISERS[rng.randrange(len(ORGANISERS))]
            check = self.moment(self.day(last) + timedelta(days=rng.randint(1, 3)), 9, 18)
            self.add(
                check, organiser, f"/verify branch:{code}", "verify", branch=code, organiser=True
            )
