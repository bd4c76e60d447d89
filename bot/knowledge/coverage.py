"""Checking that the campaign pack carries every figure and name of its source documents.

`extract` lists the figures (numbers, percentages, dates) and capitalised names a source
text states. The pack keeps the list in `coverage.yaml`: each term, the form in which the
pack holds it (`as`, when the pack words it differently: "42 percent" is "42%"), or the
reason it was deliberately left out. `missing` says which listed terms the pack lacks;
`unlisted` which extracted terms the list lacks (the sources are not in the repository,
so the list is what a clean clone checks against).

`statements.yaml` goes further: every statement of the sources (`statements` cuts them)
is named there, by a short fragment, with the unit that carries it or why it is left out.
`unmapped` lists the statements without an entry, `unused` the entries that name none,
and `lacking` the figures and names a statement's unit does not hold.

    python -m bot.knowledge.coverage SEEDS_DIR PACK_DIR   # report, as JSON
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_FIGURE = re.compile(
    r"(?<![\w@.])(\d[\d,]*(?:\.\d+)?)(?:\s*(%|percent|per cent)|(?:st|nd|rd|th)?\s+("
    + MONTHS
    + r")|s\b)?",
)
# Runs of capitalised words on one line, "of" and "in" allowed between them ("Syriza in
# Greece"); "and" separates names ("Jeremy Corbyn and John McDonnell" is two).
_NAME = re.compile(r"\b[A-Z][\w'+-]*(?:(?: of| in)? [A-Z][\w'+-]*)*")


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    kind: str  # "figure" or "name"


def _normal_figure(number: str, unit: str | None, month: str | None) -> str:
    if unit:
        return f"{number}%"
    if month:
        return f"{number} {month}"
    return number


def extract(text: str, not_names: Iterable[str] = ()) -> list[Term]:
    """Every figure and capitalised name in a text, once each, in order of appearance.

    `not_names` are capitalised words that name nothing (sentence openings, "We've"); the
    pack's list gives them, so that nothing else found can go unlisted.
    """
    skip = frozenset(not_names)
    found: dict[str, Term] = {}
    for match in _FIGURE.finditer(text):
        number, unit, month = match.group(1).rstrip(",."), match.group(2), match.group(3)
        if match.group(0).endswith("s") and not unit and not month:
            number = f"{number}s"  # "the high 40s"
        term = _normal_figure(number, unit, month)
        found.setdefault(term, Term(term, "figure"))
    plain = text.replace("’", "'")
    for match in _NAME.finditer(plain):
        name = match.group(0).strip(" .'-")
        name = name[:-2] if name.endswith("'s") else name
        words = name.split()
        while words and words[0] in skip:
            words = words[1:]
        while words and words[-1] in {"of", "in"}:
            words = words[:-1]
        if not words or (len(words) == 1 and len(words[0]) < 2):
            continue
        name = " ".join(words)
        if name.lower() not in {t.lower() for t in found}:
            found.setdefault(name, Term(name, "name"))
    return list(found.values())


# A sentence ends at . ! or ? (and a closing quote) before a capital, a digit or a quote;
# not after an initial or "No." ("N. Ireland", "Issue No. 2492").
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘'A-Z0-9])")
_ABBREVIATED = re.compile(r"(?:\b[A-Z]|\bNo)\.$")
_BULLETS = "•>-\uf0b7\uf0a7 \t"
_LETTER = re.compile(r"[A-Za-z]")
STATEMENTS = "statements.yaml"


def statements(text: str) -> list[str]:
    """A source's statements: each line (a heading, a list item, a caption, a broken
    line of a PDF), cut into sentences."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip().lstrip(_BULLETS).strip()
        merged: list[str] = []
        for part in _SENTENCE_END.split(line):
            if merged and _ABBREVIATED.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        out += [part.strip() for part in merged if _LETTER.search(part)]
    return out


def load_statements(pack: Path) -> dict[str, Any]:
    path = pack / STATEMENTS
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def _matches(entry: Mapping[str, Any], statement: str) -> bool:
    if "is" in entry:
        return _fold(str(entry["is"])) == _fold(statement)
    if "ends" in entry:
        return _fold(statement).endswith(_fold(str(entry["ends"])))
    return _fold(str(entry["says"])) in _fold(statement)


def source_files(seeds: Path, pack: Path) -> dict[str, Path]:
    """The map's source names ("leaflet") and the file in `seeds` each names."""
    out = {}
    for name, prefix in load_statements(pack).get("sources", {}).items():
        found = sorted(seeds.glob(f"{prefix}*.txt"))
        if found:
            out[str(name)] = found[0]
    return out


def mapped(seeds: Path, pack: Path) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Each statement of each source (source name, statement) with the entries naming it."""
    data = load_statements(pack)
    out = []
    for name, path in source_files(seeds, pack).items():
        entries = [dict(e) for e in data.get(name, [])]
        for statement in statements(path.read_text(encoding="utf-8")):
            out.append((name, statement, [e for e in entries if _matches(e, statement)]))
    return out


def unmapped(seeds: Path, pack: Path) -> list[str]:
    """Statements of the sources that no entry of the map names."""
    return [f"{name}: {said}" for name, said, entries in mapped(seeds, pack) if not entries]


def unused(seeds: Path, pack: Path) -> list[str]:
    """Entries of the map that name no statement of the sources (stale fragments)."""
    data = load_statements(pack)
    out = []
    for name, path in source_files(seeds, pack).items():
        said = statements(path.read_text(encoding="utf-8"))
        for entry in data.get(name, []):
            if not any(_matches(entry, s) for s in said):
                out.append(f"{name}: {_fragment(entry)}")
    return out


def _fragment(entry: Mapping[str, Any]) -> str:
    return str(entry.get("says") or entry.get("is") or entry.get("ends") or "")


def entry_units(entry: Mapping[str, Any]) -> list[str]:
    units = entry.get("unit") or []
    return [units] if isinstance(units, str) else [str(u) for u in units]


def lacking(seeds: Path, pack: Path, texts: Mapping[str, str]) -> list[str]:
    """Where a statement's units (`texts`: unit key to what it says, with its title) miss
    a figure or name the statement holds, or a unit does not exist."""
    data = _load(pack)
    terms = load_list(pack)
    implied = {str(n).casefold() for n in load_statements(pack).get("implied", {})}
    out = []
    for name, statement, entries in mapped(seeds, pack):
        for entry in entries:
            if "left_out" in entry:
                continue
            keys = entry_units(entry)
            unknown = [k for k in keys if k not in texts]
            if unknown or not keys:
                out.append(f"{name}: {statement!r}: no such unit {unknown or keys}")
                continue
            held = _fold(" ".join(texts[k] for k in keys))
            for term in extract(statement, data.get("not_names", [])):
                item = terms.get(term.term, {})
                if item.get("excluded") or term.term.casefold() in implied:
                    continue
                forms = item.get("as") or term.term
                alternatives = forms if isinstance(forms, list) else [forms]
                if not any(_fold(str(form)) in held for form in alternatives):
                    out.append(f"{name}: {statement!r}: {keys} lack {term.term!r}")
    return out


def pack_text(pack: Path) -> str:
    """The text of every content file of the pack, folded for matching."""
    parts = [
        path.read_text(encoding="utf-8")
        for path in sorted(pack.glob("*.yaml"))
        if path.name not in {"coverage.yaml", "reminders.yaml", STATEMENTS}
    ]
    text = "\n".join(parts)
    # Timetable dates are data ("2019-10-14 17:00"): they hold "14 October" and "Monday".
    spoken = [
        date.fromisoformat(found).strftime("%-d %B %Y %A")
        for found in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text)
    ]
    return _fold("\n".join([text, *spoken]))


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").casefold().split())


def _load(pack: Path) -> dict[str, Any]:
    data = yaml.safe_load((pack / "coverage.yaml").read_text(encoding="utf-8")) or {}
    return dict(data)


def load_list(pack: Path) -> dict[str, dict[str, Any]]:
    return {str(item["term"]): dict(item) for item in _load(pack).get("terms", [])}


def missing(pack: Path) -> list[str]:
    """Listed terms that are neither in the pack (as listed) nor left out with a reason."""
    text = pack_text(pack)
    out = []
    for term, item in load_list(pack).items():
        if item.get("excluded"):
            continue
        forms = item.get("as") or term
        alternatives = forms if isinstance(forms, list) else [forms]
        if not any(_fold(str(form)) in text for form in alternatives):
            out.append(term)
    return out


def unlisted(sources: Iterable[Path], pack: Path) -> list[str]:
    """Terms the sources state that the pack's list does not name."""
    listed = {term.casefold() for term in load_list(pack)}
    not_names = _load(pack).get("not_names", [])
    return [
        term.term
        for source in sources
        for term in extract(source.read_text(encoding="utf-8"), not_names)
        if term.term.casefold() not in listed
    ]


def main(argv: list[str]) -> int:
    seeds, pack = Path(argv[0]), Path(argv[1])
    sources = sorted(p for p in seeds.glob("*.txt"))
    report = {
        "extracted": [
            {"term": t.term, "kind": t.kind, "source": s.name}
            for s in sources
            for t in extract(s.read_text(encoding="utf-8"), _load(pack).get("not_names", []))
        ],
        "unlisted": unlisted(sources, pack),
        "missing": missing(pack),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 1 if report["unlisted"] or report["missing"] else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
