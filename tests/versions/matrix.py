"""The SDK matrix: which official SDK releases the version tests hold arrears against, how each is installed
side by side, how the mission scenario is run through it, and how its report is judged and written down.

Every release below pins its own Stripe API version (``pins``: what the release sends as ``Stripe-Version``,
checked by the test). Each older one is installed on first use under ``tests/versions/.sdks/`` (ignored by
git): a stripe-python release in a venv of its own (``python -m venv`` and ``pip install stripe==X``), a
stripe-node release in a folder of its own (``npm install stripe@X``). Later runs find them there and reach no
registry. The current releases are the project's own: stripe-python in ``.venv``, stripe-node in
``tests/node``.

The scenario scripts (``scenario_python.py``, ``scenario_node.cjs``) print what the SDK declares for Invoice,
InvoiceLineItem, InvoiceItem and Customer and which JSON keys arrears answered; ``judge`` turns that into
what is missing (declared, required, not answered) and extra (answered, not declared, not a known additive
field) per kind."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import stripe

HERE = Path(__file__).resolve().parent
SDKS_DIR = HERE / ".sdks"
NODE_CURRENT = HERE.parent / "node"
KINDS = ("invoice", "line_item", "invoice_item", "customer")


@dataclass(frozen=True)
class Sdk:
    """One official SDK release. ``version`` "current" is the project's own install; ``twin`` names the
    stripe-node release of the same API version whose ``?`` marks tell a stripe-python release which
    declared fields Stripe may leave out (stripe-python's annotations do not say)."""

    language: str  # "python" or "node"
    version: str
    pins: str
    twin: str | None = None

    @property
    def id(self) -> str:
        return f"{self.language}-{self.version}"

    @property
    def home(self) -> Path:
        if self.version == "current":
            return Path(sys.prefix) if self.language == "python" else NODE_CURRENT
        return SDKS_DIR / self.id


CURRENT_PIN = str(stripe.api_version)

# The majors chosen: each pins a different API version (an era of the objects' shape). Where a major's pin
# moves between its minors, its first release is taken (it pins the version named in Stripe's changelog);
# where it does not, its last (it declares every field added in that era). 11.6.1 pins a version between
# two changes (2025-02-24.acacia), which renders like its older neighbour.
PYTHON = [
    Sdk("python", "7.14.1", "2023-10-16", twin="node-14.25.0"),
    Sdk("python", "10.12.1", "2024-06-20", twin="node-16.12.0"),
    Sdk("python", "11.0.0", "2024-09-30.acacia", twin="node-17.0.0"),
    Sdk("python", "11.6.1", "2025-02-24.acacia", twin="node-17.0.0"),
    Sdk("python", "12.0.0", "2025-03-31.basil", twin="node-18.0.0"),
    Sdk("python", "13.0.0", "2025-09-30.clover", twin="node-19.0.0"),
    Sdk("python", "15.0.0", "2026-03-25.dahlia", twin="node-21.0.1"),
    Sdk("python", "current", CURRENT_PIN, twin="node-current"),
]
NODE = [
    Sdk("node", "13.11.0", "2023-08-16"),
    Sdk("node", "14.25.0", "2023-10-16"),
    Sdk("node", "16.12.0", "2024-06-20"),
    Sdk("node", "17.0.0", "2024-09-30.acacia"),
    Sdk("node", "18.0.0", "2025-03-31.basil"),
    Sdk("node", "19.0.0", "2025-09-30.clover"),
    Sdk("node", "21.0.1", "2026-03-25.dahlia"),
    Sdk("node", "current", CURRENT_PIN),
]
ALL = PYTHON + NODE
# A major from before stripe-python pinned versions (6.0) or declared fields (7.1): it sends no
# Stripe-Version, so the account's default applies; its fields are its twin's, of that default version.
UNPINNED = Sdk("python", "5.5.1", "", twin="node-14.25.0")
BY_ID = {sdk.id: sdk for sdk in [*ALL, UNPINNED]}

# Declared on the live classes, present only on a deleted object's answer.
ALWAYS_OPTIONAL = frozenset({"deleted"})

# Fields Stripe added without a version change after some of these releases: Stripe sends additive fields
# at every API version, so an older SDK that does not declare them may still receive them. Each is in the
# stripe-node CHANGELOG as "Add support for `FIELD` on `Kind`" outside any list of breaking changes, or
# (marked "no entry") first declared by a later release and in none of the breaking-change lists of that
# CHANGELOG (23.1.0, which carries every earlier release's) nor in shared/reference/api-versions.md.
ADDITIVE: Mapping[str, frozenset[str]] = {
    "invoice": frozenset({
        "total_pretax_credit_amounts",  # no entry: declared from stripe-node 17.0.0 (billing credits)
        "amount_paid_off_stripe",  # "Add support for `amount_paid_off_stripe` on `Invoice`" (22.x)
        "automatically_finalizes_at",  # "Add support for `automatically_finalizes_at` on `Invoice`" (16.x)
        "customer_account",  # "Add support for `customer_account` on ... `Invoice`" (20.1, Accounts v2)
        "issuer",  # "Add support for `issuer` on ... `Invoice`" (14.x)
    }),
    "line_item": frozenset({
        "invoice",  # no entry: declared by stripe-node 16.12.0, not by 14.25.0 (both pin no change of lines)
        "pretax_credit_amounts",  # no entry: declared from stripe-node 17.0.0, with the invoice's total
        "subtotal",  # "Add support for `subtotal` on `InvoiceLineItem`" (20.1)
        "quantity_decimal",  # "Add support for `quantity_decimal` on ... `InvoiceLineItem`" (21.x)
    }),
    "invoice_item": frozenset({
        "customer_account",  # with Invoice's (20.1)
        "frozen_fields",  # "Add support for `frozen_fields` on `InvoiceItem`" (22.x)
        "invoicing_rules",  # "Add support for `invoicing_rules` on ... `InvoiceItem`" (23.x)
        "net_amount", "proration_details",  # "Add support for `net_amount` and `proration_details` on `InvoiceItem`"
        "quantity_decimal",  # "Add support for `quantity_decimal` on ... `InvoiceItem`" (21.x)
    }),
    "customer": frozenset({
        "customer_account",  # with Invoice's (20.1)
        "business_name", "individual_name",  # "Add support for `business_name` and `individual_name` on ... `Customer`"
    }),
}


# ---------------------------------------------------------------------------------------------- installs

@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """One installer at a time across processes (two test sessions may start together)."""
    SDKS_DIR.mkdir(parents=True, exist_ok=True)
    with open(SDKS_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _ready(sdk: Sdk) -> bool:
    marker = sdk.home / ".ready"
    return marker.is_file() and marker.read_text() == sdk.version


def _run(command: list[str], cwd: Path | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _install(sdk: Sdk) -> None:
    home = sdk.home
    shutil.rmtree(home, ignore_errors=True)
    if sdk.language == "python":
        _run([sys.executable, "-m", "venv", "--without-pip", str(home)])
        _run([sys.executable, "-m", "pip", "--python", str(home / "bin" / "python"), "install", "--quiet",
              "--disable-pip-version-check", "--no-input", f"stripe=={sdk.version}"])
    else:
        home.mkdir(parents=True)
        manifest = {"name": f"arrears-{sdk.id}", "private": True, "dependencies": {"stripe": sdk.version}}
        (home / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        _run(_npm_install(), cwd=home)
    (home / ".ready").write_text(sdk.version)


def _npm_install() -> list[str]:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for the stripe-node majors: apt-get install nodejs npm")
    return [npm, "install", "--no-audit", "--no-fund", "--silent"]


def _ensure_current_node() -> None:
    if not (NODE_CURRENT / "node_modules" / "stripe").is_dir():
        _run(_npm_install(), cwd=NODE_CURRENT)


@dataclass
class Installs:
    """What ``install_all`` did: the seconds it took and which releases it had to fetch."""

    seconds: float
    fetched: list[str]


def install_all(sdks: list[Sdk] | None = None) -> Installs:
    """Install every release (of ``sdks``, by default the whole matrix) not yet under ``.sdks/``, four at a
    time (the work is mostly waiting on the registries), and the project's own stripe-node if
    ``tests/node`` lacks it."""
    sdks = [*ALL, UNPINNED] if sdks is None else sdks
    started = time.monotonic()
    with _locked():
        missing = [sdk for sdk in sdks if sdk.version != "current" and not _ready(sdk)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            for _ in pool.map(_install, missing):
                pass
        if any(sdk.language == "node" and sdk.version == "current" for sdk in sdks):
            _ensure_current_node()
    return Installs(round(time.monotonic() - started, 1), [sdk.id for sdk in missing])


# ---------------------------------------------------------------------------------------------- running

def run_scenario(sdk: Sdk, url: str, key: str, more: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The scenario's report from ``sdk`` against the server at ``url`` (``more``: environment for the
    script, e.g. ARREARS_DECLARED)."""
    env = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "NODE_PATH")}
    env.update({"ARREARS_URL": url, "ARREARS_KEY": key, "SDK_DIR": str(sdk.home), **(more or {})})
    if sdk.language == "python":
        command = [str(sdk.home / "bin" / "python"), str(HERE / "scenario_python.py")]
    else:
        command = ["node", str(HERE / "scenario_node.cjs")]
    done = subprocess.run(command, env=env, cwd=HERE, capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0:
        raise AssertionError(f"the scenario failed under {sdk.id}:\n{done.stderr[-4000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


# ---------------------------------------------------------------------------------------------- judging

def optional_fields(report: Mapping[str, Any], twin: Mapping[str, Any] | None) -> dict[str, set[str]]:
    """Per kind, the declared fields Stripe may leave out: the report's own ``?`` marks (stripe-node), or
    its twin's (stripe-python), and ``deleted``."""
    source = twin if twin is not None else report
    return {kind: set(source["kinds"][kind]["optional"]) | ALWAYS_OPTIONAL for kind in KINDS}


def judge(report: Mapping[str, Any], optional: Mapping[str, set[str]]) -> dict[str, dict[str, Any]]:
    """Per kind: ``missing`` (declared, required, not answered), ``extra`` (answered, not declared, not a
    known additive field), ``wrong_type`` of the key fields, ``attribute_errors`` (required fields the
    SDK's typed access could not read), and for information ``absent_optional`` and ``additive``."""
    verdict: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        seen = report["kinds"][kind]
        may_lack = optional[kind]
        extra = set(seen["extra"])
        verdict[kind] = {
            "missing": sorted(set(seen["missing"]) - may_lack),
            "extra": sorted(extra - ADDITIVE[kind]),
            "wrong_type": dict(seen["wrong_type"]),
            "attribute_errors": sorted(set(seen["attribute_errors"]) - may_lack),
            "absent_optional": sorted(set(seen["missing"]) & may_lack),
            "additive": sorted(extra & ADDITIVE[kind]),
        }
    return verdict


def problems(verdict: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Only what is wrong: per kind, the non-empty ``missing``, ``extra``, ``wrong_type``, ``attribute_errors``."""
    found: dict[str, dict[str, Any]] = {}
    for kind, seen in verdict.items():
        wrong = {name: seen[name] for name in ("missing", "extra", "wrong_type", "attribute_errors") if seen[name]}
        if wrong:
            found[kind] = wrong
    return found


# ---------------------------------------------------------------------------------------------- reports

REPORT_JSON = Path(os.environ.get("ARREARS_VERSIONS_REPORT", "/tmp/versions-report.json"))


def record(entry_id: str, entry: dict[str, Any], path: Path = REPORT_JSON) -> None:
    """Merge one SDK run's entry into the JSON report (the union of every run, newest entry per id) and
    rewrite the Markdown beside it."""
    with _locked():
        try:
            everything: dict[str, Any] = json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            everything = {}
        everything.setdefault("runs", {})[entry_id] = entry
        everything["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        path.write_text(json.dumps(everything, indent=2, sort_keys=True) + "\n")
        path.with_suffix(".md").write_text(markdown(everything))


def _names(values: Any) -> str:
    if isinstance(values, dict):
        return ", ".join(f"`{name}` ({kind})" for name, kind in values.items()) or "–"
    return ", ".join(f"`{name}`" for name in values) or "–"


def markdown(everything: Mapping[str, Any]) -> str:
    runs: Mapping[str, Any] = everything.get("runs", {})
    lines = [
        "# arrears against the official SDKs of each API version",
        "",
        f"Updated {everything.get('updated', '?')} by tests/versions/test_sdk_matrix.py. Per SDK release and",
        "backend: what the SDK declares that arrears did not answer (**missing**: required fields only),",
        "what arrears answered that the SDK does not declare (**extra**, known additive fields apart),",
        "key fields of the wrong JSON type, and required fields the SDK's typed access could not read.",
        "",
        "| SDK | pins | answered in | backend | outcome |",
        "|---|---|---|---|---|",
    ]
    for entry_id in sorted(runs):
        run = runs[entry_id]
        outcome = "conforms" if not run.get("problems") else "differs"
        if run.get("error"):
            outcome = "scenario failed"
        lines.append(f"| {run['sdk']} {run.get('sdk_version', '?')} | {run.get('pinned_api_version')} | "
                     f"{run.get('answered_api_version')} | {run['backend']} | {outcome} |")
    lines += ["", "## Differences by API version (the to-do list)", ""]
    by_version: dict[str, dict[str, dict[str, set[str]]]] = {}
    for run in runs.values():
        for kind, wrong in (run.get("problems") or {}).items():
            slot = by_version.setdefault(str(run.get("pinned_api_version")), {}).setdefault(kind, {})
            for what, names in wrong.items():
                if what == "attribute_errors" and set(names) <= set(wrong.get("missing", ())):
                    continue  # the missing fields again, as typed access met them
                shown = [f"{n}:{t}" for n, t in names.items()] if isinstance(names, dict) else names
                slot.setdefault(what, set()).update(shown)
    for version in sorted(by_version):
        sdks = sorted({f"{r['sdk']} {r.get('sdk_version')}" for r in runs.values()
                       if str(r.get("pinned_api_version")) == version})
        lines += [f"### {version} ({', '.join(sdks)})", ""]
        for kind, wrong in sorted(by_version[version].items()):
            parts = "; ".join(f"{what}: {_names(sorted(names))}" for what, names in sorted(wrong.items()))
            lines.append(f"- **{kind}**: {parts}")
        lines.append("")
    if not by_version:
        lines += ["None: every SDK release conforms.", ""]
    lines += ["## Every run in detail", ""]
    for entry_id in sorted(runs):
        run = runs[entry_id]
        lines += [f"### {entry_id}", ""]
        if run.get("error"):
            lines += ["```", str(run["error"])[-2000:], "```", ""]
            continue
        lines += [f"scenario: {run.get('scenario')}; installs: {run.get('installs')}", "",
                  "| kind | missing | extra | wrong type | typed access failed | absent (optional) | additive |",
                  "|---|---|---|---|---|---|---|"]
        for kind in KINDS:
            seen = run["verdict"][kind]
            lines.append(f"| {kind} | {_names(seen['missing'])} | {_names(seen['extra'])} | "
                         f"{_names(seen['wrong_type'])} | {_names(seen['attribute_errors'])} | "
                         f"{_names(seen['absent_optional'])} | {_names(seen['additive'])} |")
        lines.append("")
    return "\n".join(lines)
