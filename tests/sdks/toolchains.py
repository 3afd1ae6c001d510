"""What the Go and Java SDK suites share: where their downloads are cached, how a missing toolchain is
reported, and how one of their programs is run.

Downloads (Go modules, Maven artifacts) and build caches live under ``tests/sdks/.cache/`` (ignored by git),
so only the first run on a machine reaches the Go module proxy or Maven Central; each build is tried offline
first. Outside CI a missing toolchain skips the suite with the line that says how to get it; with
``CI=true`` it fails the run, so CI cannot pass without them."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

SDKS = Path(__file__).resolve().parent
CACHE = SDKS / ".cache"


def need(tools: Sequence[str], how: str) -> None:
    """Skip (or, in CI, fail) unless every one of ``tools`` is on the PATH; ``how`` says how to get them."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    message = f"{' and '.join(missing)} not found: {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def run(command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float,
        without: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with ``env`` added to this process's environment (less the names in ``without``);
    what it printed, stdout and stderr together, is in ``.stdout``."""
    full = {name: value for name, value in {**os.environ, **env}.items() if name not in without}
    return subprocess.run(list(command), cwd=cwd, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, check=False)


Step = tuple[Sequence[str], Mapping[str, str]]  # a command and the environment it adds


def build(offline: Step, online: Step, *, cwd: Path, timeout: float) -> None:
    """Build offline from the cache; only if that fails, once more with the registry reachable (the first
    run on a machine). Fails the test with the tool's output if the online build fails too."""
    if run(offline[0], cwd=cwd, env=offline[1], timeout=timeout).returncode == 0:
        return
    second = run(online[0], cwd=cwd, env=online[1], timeout=timeout)
    assert second.returncode == 0, f"{' '.join(online[0])} failed:\n{second.stdout}"
