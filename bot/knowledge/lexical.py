"""The lexical ranker: IDF-weighted stem matches over the pack's units, with hand-set rules.

Every unit is scored with IDF-weighted stem matches, and within each group the best unit
is joined by a second one that covers what the first misses. It answers only when a
group covers most of what the question is about; a question whose topic words the
campaign material never uses is declined rather than guessed at. It is the engine's
ranker when the sentence model is not installed, and `explain` shows its reading.
"""

from __future__ import annotations

import math
from collections import defaultdict

from bot.campaign.pack import Campaign
from bot.knowledge.cues import word_class
from bot.knowledge.language import Language, Reading
from bot.knowledge.units import Unit, topicless, topics

MIN_COVERAGE = 0.65
MIN_SCORE = 1.2
CUE_BONUS = 1.0
# What the candidate says, has done or will do: not the answer to "what should I do?".
CANDIDATE_KINDS = frozenset({"overview", "pledge", "record", "fact", "background"})
OWN_PART_FACTOR = 0.7
DEFINING = frozenset({"define"})  # the cues of a passage that only says what a term means
DEFINITION_FACTOR = 0.7
CANDIDATE_CUE_BONUS = 3.0  # "why ... Mark?" asked of a section asked "why ... Mark?"
MAX_UNKNOWN = 1  # topic words the material never uses that a question may still have
DISTINCTIVE = 3.0  # the IDF of a word found in about six passages or fewer
MIN_KNOWN = 2  # known topic words needed beside an unknown one
HEAD_IDF = 2.0  # a word this common in the material ("campaigns") is no question's head
QUESTION_WEIGHT = 1.4  # how a section is asked about: a hint, weaker than its own words
HINTS_ONLY = 0.7  # a passage none of whose own words the question uses
MINOR_WEIGHT = 0.3  # a campaign commonplace ("members"), per unit of passage weight
SAME_QUESTION_BONUS = 2.0  # a question with the same topics as one a passage is asked as
ACTION_WEIGHT = 0.5  # a concept said as a verb, against one the question names

Ranked = tuple[float, Unit, Unit | None, float, bool]


class LexicalRanker:
    def __init__(self, campaign: Campaign, units: list[Unit], language: Language):
        self.campaign = campaign
        self.units = units
        self.language = lang = language
        lists = campaign.language.word_lists
        self._record_words = frozenset(lists.get("record", ()))
        self._said_words = frozenset(lists.get("said", ()))
        self._small_talk = frozenset(lists.get("small_talk", ()))
        self._record_stems = {lang.stem(w) for w in self._record_words}
        # A group's title, once per group (a section's units all share it).
        titles = {made.group: made.source_title.partition(": ")[2] for made in units}
        self._titles = {group: set(lang.index_terms(title)) for group, title in titles.items()}
        self._index: dict[str, list[tuple[int, float, bool]]] = defaultdict(list)
        for number, made in enumerate(units):
            for term, weight in made.terms.items():
                self._index[term].append((number, weight, term in made.own))
        total = len(units)
        self._idf = {
            term: math.log(1 + total / len(postings)) for term, postings in self._index.items()
        }
        self._max_idf = math.log(1 + total)

    def choose(self, reading: Reading) -> tuple[Unit, Unit | None, float] | str | None:
        """The best unit (with a second one and the coverage), "candidate" for a question
        about the man with no topic, "smalltalk", or None to decline."""
        if not reading.concepts and (not reading.unknown or _only_why_him(reading)):
            return self._without_topic(reading)
        return self._best(reading)

    def _without_topic(self, reading: Reading) -> tuple[Unit, None, float] | str | None:
        if reading.modifiers:
            # "What height is Mark?", "is he for assisted dying?": words the material never
            # uses, and nothing it does.
            return None
        # "Why back Serwotka again?", "Mark's main priorities?", "what could I do?": the
        # one passage asked that way.
        if reading.mentions_candidate:
            asks = topicless(self.language, reading)
            cued = [
                u for u in self.units if u.candidate_cues & reading.cues or u.candidate_asks & asks
            ]
            if len(cued) > 1:
                # "What does Mark want?", "why should we re-elect him?": the passage asked
                # most nearly that way; between equals, the one the pack puts first (its
                # headline), if the question names what it asks for.
                fit = {
                    id(u): len(u.candidate_cues & reading.cues) + len(u.candidate_asks & asks)
                    for u in cued
                }
                best = max(fit.values())
                top = [u for u in cued if fit[id(u)] == best]
                cued = top[:1] if len(top) == 1 or asks else top
        else:
            cued = [u for u in self.units if u.bare_cues & reading.cues]
        if len(cued) == 1:
            return cued[0], None, 1.0
        if reading.mentions_candidate:
            return "candidate"
        if set(reading.words) & self._small_talk:
            return "smalltalk"
        return None

    def _best(self, reading: Reading) -> tuple[Unit, Unit | None, float] | None:
        accepted = [row for row in self._ranked(reading) if row[4]]
        if not accepted:
            return None
        _, first, second, coverage, _ = accepted[0]
        return first, second, coverage

    def _ranked(self, reading: Reading) -> list[tuple[float, Unit, Unit | None, float, bool]]:
        """The best unit of the best group, a second unit of that group, and coverage.

        A unit covers a word when the word is in it or in the keywords of its section;
        it covers the word strongly when the word is in its own text. The second unit is
        the one of the same group that strongly covers most of what the first misses.
        """
        # One weight per concept: a short form and the words it stands for count once, and
        # a passage covers the part of the concept (by IDF) that it matches.
        idf = {
            number: max(self._idf.get(stem, self._max_idf) for choice in concept for stem in choice)
            for number, concept in enumerate(reading.concepts)
        }
        wanted = sum(idf.values())
        if wanted == 0 or len(reading.unknown) > MAX_UNKNOWN:
            return []
        # Coverage weighs what a question names above what it says is done to it.
        # A rare verb ("how is the vote to be held?") weighs no more than what it is done to.
        things = [w for c, w in idf.items() if c not in reading.actions]
        cap = sum(things) / len(things) if things else math.inf
        named_weight = {
            c: ACTION_WEIGHT * min(w, cap) if c in reading.actions else w for c, w in idf.items()
        }
        said = set(reading.words)
        wants_record = bool(said & self._record_words)
        if wants_record:
            # "Mark's record on equality": "record" asks for his record, which the kind of
            # passage answers; it is no topic beside one.
            record = {
                c
                for c, concept in enumerate(reading.concepts)
                if all(stem in self._record_stems for choice in concept for stem in choice)
            }
            if record and len(record) < len(idf):
                for c in record:
                    named_weight[c] = 0.0
        scores: dict[int, float] = defaultdict(float)
        share: dict[int, dict[int, float]] = defaultdict(dict)
        strong: dict[int, set[int]] = defaultdict(set)
        for concept_number, concept in enumerate(reading.concepts):
            best_score: dict[int, float] = {}
            best_part: dict[int, float] = {}
            best_own: dict[int, float] = {}
            for choice in concept:
                stem_idf = {stem: self._idf.get(stem, self._max_idf) for stem in choice}
                mass = sum(stem_idf.values())
                score_part: dict[int, float] = defaultdict(float)
                matched: dict[int, float] = defaultdict(float)
                own_part: dict[int, float] = defaultdict(float)
                for stem in choice:
                    for number, weight, own in self._index.get(stem, ()):
                        score_part[number] += weight * stem_idf[stem] / mass
                        matched[number] += stem_idf[stem] / mass
                        if own:
                            own_part[number] += stem_idf[stem] / mass
                for number, part in matched.items():
                    best_score[number] = max(best_score.get(number, 0.0), score_part[number])
                    best_part[number] = max(best_part.get(number, 0.0), part)
                    best_own[number] = max(best_own.get(number, 0.0), own_part[number])
            for number, part in best_part.items():
                scores[number] += idf[concept_number] * best_score[number]
                share[number][concept_number] = part
                if best_own[number] >= 0.5:
                    strong[number].add(concept_number)
        # "Civil servants": a commonplace helps choose between passages on the topic, but
        # never makes one answer.
        minor: dict[int, float] = defaultdict(float)
        for stem in reading.minor:
            for number, weight, _ in self._index.get(stem, ()):
                if number in scores:
                    minor[number] += MINOR_WEIGHT * weight
        covers = {
            number: {c for c, part in parts.items() if part >= 0.5}
            for number, parts in share.items()
        }
        # The one group asked a question with these topics, if only one is.
        asked = (topics(reading), reading.mentions_candidate)
        same = {self.units[n].group for n in scores if asked in self.units[n].asked}
        # "What did Mark say about ...?": what he has said, as an interview reports it.
        reported = reading.mentions_candidate and bool(said & self._said_words)
        by_group: dict[str, list[int]] = defaultdict(list)
        for number in scores:
            unit = self.units[number]
            if wants_record and unit.kind == "record":
                scores[number] *= 1.5
            if strong[number] == set(idf):
                scores[number] *= 1.25  # one passage answers the whole question
            elif not strong[number] and not unit.cues & reading.cues:
                scores[number] *= HINTS_ONLY  # matched only by how it is asked about
            if unit.kind == "background" and not reported:
                scores[number] *= 0.85  # the manifesto speaks first; interviews second
            if unit.cues == DEFINING and "define" not in reading.cues and len(idf) >= 2:
                scores[number] *= DEFINITION_FACTOR  # "what's the BEC?" for "can the BEC ...?"
            if "mine" in reading.cues and (unit.kind in CANDIDATE_KINDS or unit.about_candidate):
                scores[number] *= OWN_PART_FACTOR  # "what should I do?" is not about Mark
            scores[number] += CUE_BONUS * len(unit.cues & reading.cues)
            if len(same) == 1 and unit.group in same:
                scores[number] += SAME_QUESTION_BONUS  # its own question, reworded
            if reading.mentions_candidate:
                scores[number] += CANDIDATE_CUE_BONUS * len(unit.candidate_cues & reading.cues)
            by_group[unit.group].append(number)
        ranked: list[tuple[float, Unit, Unit | None, float, bool]] = []
        # Between equal passages, the one whose section or question is titled with what
        # is asked ("the Tories": the section on politics, not a line elsewhere).
        stems = {stem for concept in reading.concepts for choice in concept for stem in choice}
        titled = {group: len(stems & self._titles.get(group, set())) for group in by_group}
        for members in by_group.values():
            members.sort(key=lambda n: (-scores[n] - minor[n], n))
            first = members[0]
            if wants_record:
                first = next((n for n in members if self.units[n].kind == "record"), first)
            missing = set(idf) - strong[first]
            second = None
            gain = 0.0
            for number in members:
                if number == first or self.units[number].kind == "overview":
                    continue
                extra = sum(idf[c] for c in strong[number] & missing)
                if extra > gain:
                    second, gain = number, extra
            covered = covers[first] | (strong[second] if second is not None else set())
            coverage = sum(named_weight[c] for c in covered) / sum(named_weight.values())
            score = scores[first] + 0.5 * gain
            accepted = coverage >= MIN_COVERAGE and score >= MIN_SCORE
            score += minor[first]
            named = [c for c in idf if c not in reading.actions]
            if len(idf) >= 2 and named and named[-1] not in covered and idf[named[-1]] >= HEAD_IDF:
                # The last thing named is usually what a question is about ("social media
                # companies"): a passage that misses it answers something else. Not a word
                # the material uses everywhere ("tax justice campaigns"), nor a verb.
                accepted = False
            if accepted and reading.unknown:
                # A word the material never uses may be the real topic ("Brexit"). Answer
                # anyway only if the rest is fully covered and something distinctive in
                # it is matched by the passage's own text, or the question's form fits.
                own_words = strong[first] | (strong[second] if second is not None else set())
                distinctive = any(idf[c] >= DISTINCTIVE for c in own_words)
                fits = bool(self.units[first].cues & reading.cues)
                accepted = coverage >= 1.0 and len(idf) >= MIN_KNOWN and (distinctive or fits)
            ranked.append(
                (
                    score,
                    self.units[first],
                    self.units[second] if second is not None else None,
                    coverage,
                    accepted,
                )
            )
        ranked.sort(key=lambda row: (-row[0], -titled[row[1].group]))
        return ranked


def _only_why_him(reading: Reading) -> bool:
    """ "Why does Mark seek re-election?": why he stands, whatever the verb."""
    return (
        reading.mentions_candidate
        and "why" in reading.cues
        and all(word_class(word) == "verb" for word in reading.unknown)
    )
