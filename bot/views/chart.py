"""The progress chart: nominations over time against the threshold, as a PNG.

Made with matplotlib, imported only when a chart is asked for (it is slow to load).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo

from bot.campaign.ballot import BranchTurnout, by_region
from bot.campaign.domain import BranchFacts, HistoryEvent, Outcome
from bot.campaign.pack import Campaign
from bot.views.pipeline import compliance

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 6.0, 100  # 1000 x 600 pixels


def daily_series(
    events: Sequence[HistoryEvent],
    start: date,
    end: date,
    zone: tzinfo,
    counts: Callable[[str, datetime], bool] = lambda _code, _at: False,
) -> dict[str, list[tuple[date, int]]]:
    """Per day: branches reported nominating us, those that count (`counts(code, end of
    the day)`), those that count and are verified, and other candidates."""
    outcome: dict[str, str] = {}
    verified: dict[str, bool] = {}
    ordered = sorted(events, key=lambda e: e.at)
    series: dict[str, list[tuple[date, int]]] = {
        "reported": [],
        "counted": [],
        "verified": [],
        "other": [],
    }
    index = 0
    day = start
    while day <= end:
        limit = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        while index < len(ordered) and ordered[index].at < limit:
            event = ordered[index]
            code = event.branch_code
            if event.action in ("report", "correction"):
                if outcome.get(code) != event.outcome:
                    verified[code] = False
                outcome[code] = event.outcome or ""
            elif event.action == "verify":
                verified[code] = True
            index += 1
        ours = [c for c, o in outcome.items() if o == Outcome.NOMINATED]
        counted = [c for c in ours if counts(c, limit - timedelta(seconds=1))]
        series["reported"].append((day, len(ours)))
        series["counted"].append((day, len(counted)))
        series["verified"].append((day, sum(1 for c in counted if verified.get(c))))
        series["other"].append((day, sum(1 for o in outcome.values() if o == Outcome.OTHER)))
        day += timedelta(days=1)
    return series


def counts_on(facts: Sequence[BranchFacts], campaign: Campaign) -> Callable[[str, datetime], bool]:
    """Whether a branch's nomination counted at a moment: its meeting held by then and its
    form sent by then, by the rules (bot.views.pipeline.compliance)."""
    by_code = {f.code: f for f in facts if f.outcome == Outcome.NOMINATED}

    def counted(code: str, at: datetime) -> bool:
        row = by_code.get(code)
        if row is None:
            return False
        if row.form_sent_at is not None and row.form_sent_at > at:
            row = replace(row, form_sent_at=None)
        return not compliance(row, campaign, at)

    return counted


def progress_png(
    events: Sequence[HistoryEvent],
    campaign: Campaign,
    now: datetime,
    facts: Sequence[BranchFacts],
) -> bytes:
    """Reported, counted and verified nominations by day, from the opening to the ballot's
    close (drawn up to `now`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    zone = campaign.zone
    start = campaign.nominations_open.date()
    close = campaign.nominations_close
    last = campaign.ballot_close.date()
    end = min(max(now.astimezone(zone).date(), start), last)
    series = daily_series(events, start, end, zone, counts_on(facts, campaign))
    threshold = campaign.rules.nomination_threshold
    figure, axes = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    try:
        for key, label, style in (
            ("reported", f"{campaign.candidate.name}: reported", "-"),
            ("counted", f"{campaign.candidate.name}: counting", "-"),
            ("verified", f"{campaign.candidate.name}: counting and verified", "--"),
            ("other", "Other candidates", ":"),
        ):
            points = series[key]
            if points:  # carry the last day's figure to the end of that day
                points = [*points, (points[-1][0] + timedelta(days=1), points[-1][1])]
            axes.step(
                [mdates.date2num(d) for d, _ in points],
                [n for _, n in points],
                style,
                where="post",
                label=label,
                linewidth=2,
            )
        axes.axhline(
            threshold, color="firebrick", linewidth=1.5, label=f"Threshold: {threshold} branches"
        )
        closing = mdates.date2num(close.date())
        axes.axvline(closing, color="grey", linewidth=1.2)
        axes.annotate(
            "nominations close",
            xy=(closing, threshold),
            xytext=(-6, 8),
            textcoords="offset points",
            ha="right",
            color="grey",
        )
        axes.set_xlim(mdates.date2num(start), mdates.date2num(last + timedelta(days=1)))
        top = max([threshold, *(n for points in series.values() for _, n in points)])
        # Below zero a little, so a line still at nought shows above the axis.
        axes.set_ylim(-0.04 * top * 1.6, top * 1.6)  # room for the legend above the threshold line
        axes.set_ylabel("Branches")
        axes.set_title(f"Branch nominations for {campaign.candidate.name}")
        axes.xaxis.set_major_formatter(
            FuncFormatter(
                lambda value, _: f"{mdates.num2date(value).day} {mdates.num2date(value):%b}"
            )
        )
        axes.grid(True, alpha=0.3)
        axes.legend(loc="upper left")
        # Fixed margins: tight_layout would draw the whole figure an extra time, and this
        # chart goes out with every daily digest.
        figure.subplots_adjust(left=0.07, right=0.98, top=0.93, bottom=0.08)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    finally:
        plt.close(figure)
    return buffer.getvalue()


# --- the ballot: a second panel, below the nominations ----------------------------------


def ballot_png(turnout: Sequence[BranchTurnout], campaign: Campaign, now: datetime) -> bytes:
    """Volunteers who have voted and colleagues asked to vote, by region, as bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    regions = by_region(list(turnout))
    names = [r.region or "No region" for r in regions] or ["No volunteers yet"]
    voted = [r.voted for r in regions] or [0]
    pledged = [r.pledged for r in regions] or [0]
    height = max(HEIGHT_IN / 2, 0.45 * len(names) + 1.5)
    figure, axes = plt.subplots(figsize=(WIDTH_IN, height), dpi=DPI)
    try:
        rows = range(len(names))
        axes.barh([y - 0.2 for y in rows], voted, height=0.4, label="Volunteers who voted")
        axes.barh([y + 0.2 for y in rows], pledged, height=0.4, label="Colleagues asked to vote")
        axes.set_yticks(list(rows), names)
        axes.invert_yaxis()
        axes.set_xlim(0, max([*voted, *pledged, 1]) * 1.15)
        close = campaign.ballot_close
        left = max(0, (close.date() - now.astimezone(campaign.zone).date()).days)
        axes.set_title(
            f"Ballot by region, {now.astimezone(campaign.zone):%d %b}: "
            f"{left} days to the close ({close:%d %b})"
        )
        axes.grid(True, axis="x", alpha=0.3)
        axes.legend(loc="lower right")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    return buffer.getvalue()


def stacked_png(top: bytes, bottom: bytes) -> bytes:
    """Two charts as one image, one above the other (the ballot panel under the tally)."""
    from PIL import Image

    upper = Image.open(io.BytesIO(top)).convert("RGB")
    lower = Image.open(io.BytesIO(bottom)).convert("RGB")
    both = Image.new("RGB", (max(upper.width, lower.width), upper.height + lower.height), "white")
    both.paste(upper, (0, 0))
    both.paste(lower, (0, upper.height))
    buffer = io.BytesIO()
    both.save(buffer, format="PNG")
    return buffer.getvalue()
