"""The dependency rule of the house, read from the import statements of ``src/arrears`` (every one:
at the top of a module, inside a function, under ``TYPE_CHECKING``).

The package is a building of floors, lowest first. A module may import its own room and any room on a
lower floor; never another room of its own floor, never a floor above. So nothing imports the faces
(``arrears.api``) but the app and the command line above them, ``domain`` stands on nothing, and two
rooms cannot import each other (no import circle).

    6  the command line: arrears.cli, arrears.__main__
    5  what it starts: arrears.app (the ASGI app), arrears.serving, arrears.keys_cli, arrears.reports_cli with
       arrears.workflow (the CLI's clients of a running server: trigger, fixtures, listen, logs, events)
    4  the faces: arrears.api (stripe, flex, yorlet, dashboard, the MCP mount)
    3  background work and agent tools: arrears.housekeeping, arrears.webhooks, arrears.agent
    2  the commands, arrears.services; the backends, arrears.store (sql, sqlite, postgres, ...)
    1  the seams and settings: arrears.clock, arrears.ids, arrears.config, and the storage seam
       (arrears.store.base, .query, .tables: the Tx/Store Protocols and the query language)
    0  the rules, arrears.domain; the package root (its version constants)

Services and the backends share a floor, so neither imports the other: services see only the seam.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

# Each floor lists its rooms; a room is one module or package, or several joined by "|".
FLOORS: tuple[tuple[str, ...], ...] = (
    ("arrears", "arrears.domain"),
    ("arrears.clock", "arrears.ids", "arrears.config", "arrears.store.base|arrears.store.query|arrears.store.tables"),
    ("arrears.services", "arrears.store"),
    ("arrears.housekeeping", "arrears.webhooks", "arrears.agent"),
    ("arrears.api",),
    ("arrears.app", "arrears.serving", "arrears.keys_cli", "arrears.reports_cli|arrears.workflow"),
    ("arrears.cli|arrears.__main__",),
)
ROOMS: dict[str, tuple[int, str]] = {
    name: (floor, room) for floor, rooms in enumerate(FLOORS) for room in rooms for name in room.split("|")
}
FACES_MAY_BE_IMPORTED_BY = ("arrears.app", "arrears.cli", "arrears.api")


def modules(src: Path) -> dict[str, Path]:
    """Every module of the package under ``src``, by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted((src / "arrears").rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(module imported, line) for each import in the file: ``from arrears.x import y`` is the module
    ``arrears.x.y`` when there is one, else ``arrears.x``. Outside modules are named by their top level."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield (f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base), node.lineno


def room_of(module: str) -> tuple[int, str] | None:
    """The floor and room of an ``arrears`` module: its longest prefix named in FLOORS."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if (found := ROOMS.get(".".join(parts[:end]))) is not None:
            return found
    return None


def edges(src: Path) -> list[tuple[str, str, int]]:
    """(importer, imported, line) for every import of one ``arrears`` module by another."""
    known = modules(src)
    return [(name, target, line) for name, path in known.items() for target, line in imports(name, path, known)
            if target == "arrears" or target.startswith("arrears.")]


def upward(src: Path) -> list[str]:
    """Every import of a room on the importer's own floor or above, as "importer:line -> imported"."""
    wrong = []
    for importer, target, line in edges(src):
        here, there = room_of(importer), room_of(target)
        assert here is not None and there is not None, f"{importer} or {target} stands on no floor of FLOORS"
        if here[1] != there[1] and there[0] >= here[0]:
            wrong.append(f"{importer}:{line} -> {target} (floor {here[0]} imports floor {there[0]})")
    return wrong


def circles(src: Path) -> list[list[str]]:
    """Import circles between top-level rooms (``arrears.api``, ``arrears.store``, ``arrears.app``, ...)."""
    graph: dict[str, set[str]] = {}
    for importer, target, _ in edges(src):
        a, b = ".".join(importer.split(".")[:2]), ".".join(target.split(".")[:2])
        if a != b:
            graph.setdefault(a, set()).add(b)
    found, done = [], set()

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            found.append([*trail[trail.index(node):], node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*trail, node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
    return found


def test_every_module_stands_on_a_floor() -> None:
    assert [name for name in modules(SRC) if room_of(name) is None] == []


def test_no_module_imports_its_own_floor_or_a_floor_above() -> None:
    assert upward(SRC) == []


def test_nothing_but_the_app_the_cli_and_the_faces_imports_the_faces() -> None:
    importers = {importer for importer, target, _ in edges(SRC)
                 if target == "arrears.api" or target.startswith("arrears.api.")}
    assert sorted(i for i in importers if not i.startswith(FACES_MAY_BE_IMPORTED_BY)) == []


def test_the_domain_imports_only_the_domain_and_the_standard_library() -> None:
    known = modules(SRC)
    outside = [f"{name}:{line} -> {target}" for name, path in known.items() if name.startswith("arrears.domain")
               for target, line in imports(name, path, known)
               if not (target == "arrears.domain" or target.startswith("arrears.domain.")
                       or target.split(".")[0] in sys.stdlib_module_names or target == "__future__")]
    assert outside == []


def test_there_is_no_import_circle_between_rooms() -> None:
    assert circles(SRC) == []


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A small package with the real floors: a service, a face, a rule."""
    for name, text in {"arrears/__init__.py": "", "arrears/domain/__init__.py": "", "arrears/domain/rule.py": "",
                       "arrears/services/__init__.py": "from arrears.domain import rule\n",
                       "arrears/api/__init__.py": "", "arrears/api/env.py": "from arrears import services\n"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_rule_holds_for_imports_that_only_go_down(tree: Path) -> None:
    assert upward(tree) == [] and circles(tree) == []


def test_a_background_task_that_imports_a_face_is_reported_even_inside_a_function(tree: Path) -> None:
    (tree / "arrears/housekeeping.py").write_text("def collect():\n    from arrears.api.env import Env\n")
    assert upward(tree) == ["arrears.housekeeping:2 -> arrears.api.env (floor 3 imports floor 4)"]


def test_two_rooms_of_one_floor_that_import_each_other_are_reported_and_make_a_circle(tree: Path) -> None:
    (tree / "arrears/store").mkdir()
    (tree / "arrears/store/__init__.py").write_text("")
    (tree / "arrears/store/sqlite.py").write_text("from arrears.services import Ctx\n")
    (tree / "arrears/services/__init__.py").write_text("from ..store import sqlite\n")
    assert upward(tree) == ["arrears.services:1 -> arrears.store.sqlite (floor 2 imports floor 2)",
                            "arrears.store.sqlite:1 -> arrears.services (floor 2 imports floor 2)"]
    assert circles(tree) == [["arrears.services", "arrears.store", "arrears.services"]]
