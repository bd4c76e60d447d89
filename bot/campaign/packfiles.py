"""Reading a campaign pack's files: YAML with errors that name the file and line, the
branch list in CSV, and checks of the `{field}` templates in pack text."""

from __future__ import annotations

import csv
import io
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.campaign.domain import Branch
from bot.errors import PackError

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str


def numbered_rows(text: str) -> list[tuple[int, list[str]]]:
    """A CSV file's records, each with the file line it starts on (a quoted cell may
    span lines, so records and lines are not counted alike). A leading byte-order mark
    (Excel's "CSV UTF-8") is dropped."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    for row in reader:
        rows.append((start, row))
        start = reader.line_num + 1
    return rows


def parse_branch_csv(text: str) -> tuple[list[Branch], list[RowProblem]]:
    """Read a `code,name,group,region` list; lines starting with `#` are comments.

    Returns the good rows and, for each rejected row, its line number and why.
    """
    problems: list[RowProblem] = []
    lines = text.removeprefix("\ufeff").splitlines()
    body = [(number, line) for number, line in enumerate(lines, 1) if not line.startswith("#")]
    body = [(number, line) for number, line in body if line.strip()]
    if not body:
        return [], [RowProblem(1, "the file has no header row (code,name,group,region)")]
    header_line, header = body[0]
    columns = [c.strip().lower() for c in next(csv.reader([header]))]
    needed = ["code", "name", "group", "region"]
    missing = [c for c in needed if c not in columns]
    if missing:
        return [], [RowProblem(header_line, f"the header lacks {', '.join(missing)}")]
    index = {name: columns.index(name) for name in needed}
    branches: list[Branch] = []
    seen: dict[str, int] = {}
    for number, line in body[1:]:
        row = next(csv.reader(io.StringIO(line)))
        values = {name: (row[i].strip() if i < len(row) else "") for name, i in index.items()}
        if not values["code"]:
            problems.append(RowProblem(number, "the branch code is missing"))
            continue
        if not values["name"]:
            problems.append(RowProblem(number, f"branch {values['code']} has no name"))
            continue
        if len(values["code"]) > 40 or len(values["name"]) > 120:
            problems.append(RowProblem(number, "the code or name is too long"))
            continue
        key = values["code"].upper()
        if key in seen:
            problems.append(RowProblem(number, f"code {values['code']} repeats line {seen[key]}"))
            continue
        seen[key] = number
        branches.append(Branch(values["code"], values["name"], values["group"], values["region"]))
    return branches, problems


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # a byte-order mark is dropped
    except FileNotFoundError:
        raise PackError(f"{path}: the file is missing") from None
    except UnicodeDecodeError as exc:
        raise PackError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_yaml(path: Path, optional: bool = False) -> tuple[Any, str] | None:
    if optional and not path.exists():
        return None
    text = read_text(path)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise PackError(f"{path}, {where}: {exc.problem or 'not valid YAML'}") from None
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise PackError(f"{path}, line 1: expected a mapping of keys at the top level")
    return data, text


def line_of(text: str, loc: Sequence[int | str]) -> int | None:
    """The line of the YAML node at a pydantic error location, if it can be found."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            if match is None:
                break
            key = next(k for k, v in node.value if v is match)
            line = key.start_mark.line + 1
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def validate(model: type[M], path: Path, data: Any, text: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        messages = []
        for error in exc.errors()[:5]:
            loc = [part for part in error["loc"] if isinstance(part, int | str)]
            key = ".".join(str(part) for part in loc) or "(top level)"
            line = line_of(text, loc)
            where = f"line {line} ({key})" if line else key
            messages.append(f"{path}, {where}: {error['msg']}")
        raise PackError("\n".join(messages)) from None


def check_templates(path: Path, texts: Mapping[str, str], known: Iterable[str]) -> None:
    names = set(known)
    for key, text in texts.items():
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            raise PackError(
                f"{path}, {key}: {exc} (write {{{{ and }}}} for literal braces)"
            ) from None
        for field in fields:
            if field not in names:
                raise PackError(
                    f"{path}, {key}: unknown field {{{field}}}; known fields: "
                    + ", ".join(sorted(names))
                )


def read_model(model: type[M], path: Path) -> M:
    """A pack file, read and checked against its model."""
    loaded = read_yaml(path)
    assert loaded is not None
    return validate(model, path, *loaded)


def read_optional(model: type[M], path: Path) -> M | None:
    """A pack file that may be left out: None if it is."""
    loaded = read_yaml(path, optional=True)
    return validate(model, path, *loaded) if loaded is not None else None


def check_unique(ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"id {ident!r} is used twice")
        seen.add(ident)
