"""The API reference's examples are what the server really answers: each face's script of calls
(tests/docs/examples.py) runs against a fresh server on each backend, and its normalised answers must
equal the stored examples (src/arrears/api/reference/examples/<face>.json) that /docs shows.

After a change that alters an answer, regenerate them and review the diff:
    ARREARS_REGENERATE_EXAMPLES=1 .venv/bin/python -m pytest tests/docs/test_examples.py -p no:cacheprovider
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from arrears import agent
from arrears.api import reference
from tests.conftest import BACKENDS, fresh_database, serve_in
from tests.docs.examples import DOCUMENTS, STEPS, canonical, record
from tests.support.faces import FLEX_KEY
from tests.support.server import KEY, Server

STORED = Path(reference.__file__).parent / "examples"
REGENERATE = os.environ.get("ARREARS_REGENERATE_EXAMPLES", "") not in ("", "0")
KEYS = {"stripe": KEY, "flex": FLEX_KEY, "yorlet": KEY}
QUIET = {"ARREARS_WEBHOOKS": "0", "ARREARS_SCHEDULER": "0"}  # nothing changes an answer behind the script's back


@pytest.fixture(params=[(b, f) for b in BACKENDS for f in sorted(STEPS)], ids=lambda p: f"{p[0]}-{p[1]}")
def face_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, Server]]:
    backend, face = request.param
    for server in serve_in(tmp_path, fresh_database(backend, request, tmp_path), env=QUIET):
        yield backend, face, server


def difference(a: object, b: object, path: str = "") -> str:
    """Where two answers first differ, as ``path: a != b`` (empty when they are equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            found = difference(a.get(key, "<missing>"), b.get(key, "<missing>"), f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return next((d for i, (x, y) in enumerate(zip(a, b, strict=True)) if (d := difference(x, y, f"{path}[{i}]"))),
                    "")
    return "" if a == b else f"{path}: stored {a!r} != now {b!r}"


def _stored(face: str) -> dict[str, object]:
    path = STORED / f"{face}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@pytest.mark.slow
def test_every_stored_example_is_what_a_fresh_server_answers(face_server: tuple[str, str, Server]) -> None:
    backend, face, server = face_server
    tools = agent.load(server.url + DOCUMENTS[face], api_key=KEYS[face])
    # When the face's script runs against a fresh server
    fresh = record(tools, face, server.url)
    if REGENERATE and backend == BACKENDS[0]:
        STORED.mkdir(exist_ok=True)
        (STORED / f"{face}.json").write_text(json.dumps(fresh, indent=1, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    # Then every operation of the face's document has an example, and each is what the server answered
    document = orjson.loads(httpx.get(server.url + DOCUMENTS[face]).content)
    operations = {op["operationId"] for item in document["paths"].values() for op in item.values()}
    assert operations - set(fresh) == set(), "operations without a step in tests/docs/examples.py"
    stored = _stored(face)
    changed = sorted(k for k in fresh if canonical(stored.get(k)) != canonical(fresh[k]))
    first = difference(canonical(stored.get(changed[0])), canonical(fresh[changed[0]]), changed[0]) if changed else ""
    assert changed == [], (f"{face} examples differ from the server's answers for {changed} (first: {first}): "
                           "regenerate with ARREARS_REGENERATE_EXAMPLES=1 and review the diff")
    assert set(stored) == set(fresh)
