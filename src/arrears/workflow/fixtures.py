"""``arrears fixtures FILE``: run a fixture file in the Stripe CLI's own JSON format against a server.

The format, as ``stripe fixtures`` reads it::

    {"_meta": {"template_version": 0},
     "fixtures": [
       {"name": "customer", "path": "/v1/customers", "method": "post", "params": {"name": "Jenny"}},
       {"name": "invoice", "path": "/v1/invoices", "method": "post",
        "params": {"customer": "${customer:id}", "description": "${.env:DESCRIPTION|a default}"}},
       {"name": "pay", "path": "/v1/invoices/${invoice:id}/pay", "method": "post",
        "expected_error_type": "card_error"}]}

Each fixture is one request, in order; ``${name:json.path}`` is a value from the answer of an earlier
fixture (``lines.data.0.id`` or ``lines.data[0].id``), ``${.env:VAR}`` (``|default`` optional) a variable
of the environment. A reference that is the whole string keeps the referenced value's type. A fixture with
``expected_error_type`` must be refused with that error type (``card_error``, ``invalid_request_error``...).
Params go form-encoded, as Stripe's API takes them. ``apply_changes`` is the CLI's ``--override``,
``--add``, ``--remove`` and ``--skip``, shared with ``arrears trigger``."""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arrears.workflow.client import Api, ApiError, WorkflowError

REFERENCE = re.compile(r"\$\{([^}:]*):([^}]*)\}")
METHODS = ("get", "post", "delete")


@dataclass
class Step:
    name: str
    path: str
    method: str = "post"
    params: dict[str, Any] = field(default_factory=dict)
    expected_error_type: str | None = None


@dataclass
class Fixture:
    steps: list[Step]
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = "fixture"


def parse(data: Any, source: str = "fixture") -> Fixture:
    """A Fixture from the decoded JSON of a fixture file; WorkflowError naming what is wrong in it."""
    if not isinstance(data, dict) or not isinstance(data.get("fixtures"), list):
        raise WorkflowError(f"{source} is not a fixture file: it needs a top-level \"fixtures\" list")
    steps = []
    for i, item in enumerate(data["fixtures"]):
        where = f"{source}: fixtures[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise WorkflowError(f"{where} needs a \"path\" (e.g. \"/v1/customers\")")
        method = str(item.get("method") or "post").lower()
        if method not in METHODS:
            raise WorkflowError(f"{where}: method {method!r} is not one of get, post, delete")
        params = item.get("params") or {}
        if not isinstance(params, dict):
            raise WorkflowError(f"{where}: \"params\" must be an object")
        steps.append(Step(name=str(item.get("name") or f"fixture_{i}"), path=item["path"], method=method,
                          params=params, expected_error_type=item.get("expected_error_type")))
    meta: dict[str, Any] = data["_meta"] if isinstance(data.get("_meta"), dict) else {}
    return Fixture(steps=steps, meta=meta, source=source)


def load(path: Path) -> Fixture:
    try:
        text = path.read_text()
    except OSError as exc:
        raise WorkflowError(f"cannot read the fixture file {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkflowError(f"{path} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    return parse(data, str(path))


# --- --override, --add, --remove, --skip ---------------------------------------------------------------

def _keys(path: str) -> list[str]:
    """``metadata.order`` or ``metadata[order]`` → ``["metadata", "order"]``."""
    return [part for part in re.split(r"[.\[\]]+", path) if part]


def _split(option: str, text: str, *, value: bool) -> tuple[str, list[str], Any]:
    name, colon, rest = text.partition(":")
    target, equals, raw = rest.partition("=")
    if not colon or not name or not target or (value and not equals):
        shape = "name:path=value" if value else "name:path"
        raise WorkflowError(f"--{option} {text!r}: write it as {shape}, e.g. customer:email=jenny@example.com"
                            if value else f"--{option} {text!r}: write it as {shape}, e.g. customer:description")
    return name, _keys(target), raw


def _step(fixture: Fixture, option: str, name: str) -> Step:
    for step in fixture.steps:
        if step.name == name:
            return step
    names = ", ".join(step.name for step in fixture.steps)
    raise WorkflowError(f"--{option}: there is no fixture named {name!r} (this one has: {names})")


def apply_changes(fixture: Fixture, *, overrides: Sequence[str] = (), adds: Sequence[str] = (),
                  removes: Sequence[str] = (), skips: Sequence[str] = ()) -> Fixture:
    """The fixture with the CLI's edits: ``--override``/``--add`` set ``name:path=value`` (``--override``
    only where the param is already set, as the Stripe CLI's does), ``--remove name:path`` drops a param,
    ``--skip name`` drops a whole step."""
    changed = copy.deepcopy(fixture)
    for option, texts in (("override", overrides), ("add", adds)):
        for text in texts:
            name, keys, raw = _split(option, text, value=True)
            node = _step(changed, option, name).params
            for key in keys[:-1]:
                node = node.setdefault(key, {})
                if not isinstance(node, dict):
                    raise WorkflowError(f"--{option} {text!r}: {key} is not an object in fixture {name!r}")
            if option == "override" and keys[-1] not in node:
                raise WorkflowError(f"--override {text!r}: fixture {name!r} sets no {'.'.join(keys)}; "
                                    "use --add to set a new param")
            node[keys[-1]] = raw
    for text in removes:
        name, keys, _ = _split("remove", text, value=False)
        node = _step(changed, "remove", name).params
        for key in keys[:-1]:
            node = node.get(key) if isinstance(node, dict) else None  # type: ignore[assignment]
        if not isinstance(node, dict) or keys[-1] not in node:
            raise WorkflowError(f"--remove {text!r}: fixture {name!r} sets no {'.'.join(keys)}")
        del node[keys[-1]]
    for name in skips:
        _step(changed, "skip", name)
        changed.steps = [step for step in changed.steps if step.name != name]
    return changed


# --- references -------------------------------------------------------------------------------------

def lookup(results: Mapping[str, Any], name: str, path: str, env: Mapping[str, str]) -> Any:
    """The value ``${name:path}`` stands for."""
    if name == ".env":
        var, bar, default = path.partition("|")
        if var in env:
            return env[var]
        if bar:
            return default
        raise WorkflowError(f"${{.env:{var}}}: the environment variable {var} is not set")
    if name not in results:
        raise WorkflowError(f"${{{name}:{path}}}: no earlier fixture is named {name!r}")
    value = results[name]
    for key in _keys(path):
        if isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            raise WorkflowError(f"${{{name}:{path}}}: the answer of {name!r} has no {path}")
    return value


def resolve(value: Any, results: Mapping[str, Any], env: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: resolve(item, results, env) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, results, env) for item in value]
    if not isinstance(value, str):
        return value
    whole = REFERENCE.fullmatch(value)
    if whole:
        return lookup(results, whole.group(1), whole.group(2), env)
    return REFERENCE.sub(lambda m: _text(lookup(results, m.group(1), m.group(2), env)), value)


def _text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, dict | list) else str(value).lower() \
        if isinstance(value, bool) else str(value)


# --- running ----------------------------------------------------------------------------------------

def run(fixture: Fixture, api: Api, *, out: Callable[[str], None] = print,
        env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every step in order; the answers by fixture name. WorkflowError on the first step that fails (or
    that succeeds where an error was expected)."""
    results: dict[str, Any] = {}
    environ = os.environ if env is None else env
    # arrears' own "_meta" key: the API version the steps are sent at (a fixture of a parameter that an
    # API version removed, such as a customer's coupon before 2025-03-31.basil)
    version = fixture.meta.get("api_version")
    headers = {"Stripe-Version": version} if isinstance(version, str) else None
    for step in fixture.steps:
        out(f"Setting up fixture for: {step.name}")
        path = resolve(step.path, results, environ)
        params = resolve(step.params, results, environ)
        out(f"Running fixture for: {step.name}")
        try:
            results[step.name] = api.call(step.method.upper(), path, params, headers=headers)
        except ApiError as exc:
            if step.expected_error_type and exc.type == step.expected_error_type:
                results[step.name] = {"error": exc.error}
                continue
            raise WorkflowError(f"fixture {step.name!r}: {exc}") from None
        if step.expected_error_type:
            raise WorkflowError(f"fixture {step.name!r}: expected a {step.expected_error_type}, but "
                                f"{step.method.upper()} {path} succeeded")
    return results
