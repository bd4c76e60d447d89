"""The layers of the code, read from its syntax tree: no module imports one in a layer above
its own, and no import goes round in a circle.

Every import counts, wherever it stands: at the top of a module, inside a function, or under
`if TYPE_CHECKING:` (a reader follows those arrows all the same). A lower layer that needs to
name something above it declares a small Protocol of its own instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "commands", "schedules")

# The layers, lowest first. A module may import from its own layer and the ones before it.
# An entry is a module or a package (with everything under it); `bot` is only bot/__init__.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot", "bot.errors", "bot.stats", "bot.text"),  # what everything may use
    ("bot.campaign",),  # the pack, domain records, dates, phases, reminder rules
    ("bot.store",),
    ("bot.knowledge",),  # the answer engine
    ("bot.runtime",),  # settings, clock, messages, outbox, lease, Services
    ("bot.views",),  # Home, board, charts, exports, pipeline
    ("schedules",),  # planning and sending reminders
    ("commands",),
    ("bot.dispatch",),  # running a command: options, steps, prompts, the dispatcher
    ("bot.adapters",),  # Slack, Discord, the console
    ("bot.dashboard",),  # the organisers' web dashboard
    ("bot.app",),  # the composition root
    ("bot.rehearse",),
    ("bot.cli",),
)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = modules()


def _known(name: str) -> str | None:
    """The module `name` is, or lies in (an imported class or function: its module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imported(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """The project's modules `module` imports, with the line of each import."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name)
                if target is not None:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                whole = f"{source}.{alias.name}"
                target = whole if whole in MODULES else _known(source)
                if target is not None:
                    yield target, node.lineno


def graph() -> dict[str, dict[str, int]]:
    """Each module's imports of the project's modules, with a line where each is made."""
    edges: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        edges[module] = {}
        for target, line in imported(module, path):
            if target != module:
                edges[module].setdefault(target, line)
    return edges


def layer_of(module: str) -> int:
    best: tuple[int, int] | None = None  # (length of the entry matched, layer)
    for index, entries in enumerate(LAYERS):
        for entry in entries:
            inside = module == entry or (entry != "bot" and module.startswith(entry + "."))
            if inside and (best is None or len(entry) > best[0]):
                best = (len(entry), index)
    if best is None:
        raise LookupError(f"{module} is in no layer: add it to LAYERS in {Path(__file__).name}")
    return best[1]


def test_every_module_is_in_a_layer() -> None:
    assert len(MODULES) > 100  # the walk found the code
    for module in MODULES:
        layer_of(module)


def test_no_import_reaches_up_a_layer() -> None:
    upward = [
        f"{MODULES[source].relative_to(ROOT)}:{line} imports {target} "
        f"({LAYERS[layer_of(target)][0]} is above {LAYERS[layer_of(source)][0]})"
        for source, targets in graph().items()
        for target, line in targets.items()
        if layer_of(target) > layer_of(source)
    ]
    assert upward == []


def test_no_import_goes_round_in_a_circle() -> None:
    edges = graph()
    try:
        tuple(TopologicalSorter({m: set(t) for m, t in edges.items()}).static_order())
    except CycleError as error:
        circle = error.args[1]
        pytest.fail("imports go round in a circle: " + " -> ".join(reversed(circle)))


def test_the_checks_see_a_circle_and_an_upward_import(tmp_path: Path) -> None:
    """The checks above would catch what they look for: a type-only import counts."""
    module = tmp_path / "pack.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from bot.app import Runtime\n"
        "def later() -> None:\n"
        "    from schedules import deliver\n"
    )
    found = dict(imported("bot.campaign.pack", module))
    assert found == {"bot.app": 3, "schedules.deliver": 5}
    assert all(layer_of(target) > layer_of("bot.campaign.pack") for target in found)
    with pytest.raises(CycleError):
        tuple(TopologicalSorter({"a": {"b"}, "b": {"a"}}).static_order())


def test_the_pack_loader_imports_nothing_from_schedules() -> None:
    edges = graph()
    for module in MODULES:
        if module.startswith("bot.campaign"):
            assert not [t for t in edges[module] if t.split(".")[0] == "schedules"], module


def test_reminders_are_wired_once_in_the_composition_root() -> None:
    """Only the composition root builds a `Deliverer`; the CLI, /reminders, the Home view
    and the rehearsal are given theirs."""
    builders = set()
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                called = node.func
                name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", "")
                if name == "Deliverer":
                    builders.add(module)
    assert builders == {"bot.app"}


def test_the_readme_layout_map_shows_every_layer_highest_first() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.index("\n## How it is built\n")
    start = readme.index("```\n", section) + 4
    block = readme[start : readme.index("\n```", start)]
    shown = []
    for line in block.splitlines():
        first_column = line.split("   ")[0].replace(",", " ")
        for word in first_column.split():
            if word.split("/")[0] in PACKAGES:
                shown.append(word.removesuffix("/").removesuffix(".py").replace("/", "."))
    entries = [entry for layer in LAYERS for entry in layer if entry != "bot"]
    assert sorted(shown) == sorted(entries)
    layers = [layer_of(module) for module in shown]
    assert layers == sorted(layers, reverse=True)


def test_bot_holds_a_handful_of_modules_and_none_is_long() -> None:
    top = [path.name for path in (ROOT / "bot").glob("*.py")]
    assert len(top) <= 8, sorted(top)
    long = {
        str(path.relative_to(ROOT)): lines
        for path in MODULES.values()
        if (lines := len(path.read_text().splitlines())) > 400
    }
    assert long == {}
