"""The reliability figures (docs/reliability.md): tests add what they checked to ``figures`` and the run
ends with one line per figure, so every CI log carries the latest numbers."""

from __future__ import annotations

from collections import Counter

import pytest

FIGURES: Counter[str] = Counter()


@pytest.fixture(scope="session")
def figures() -> Counter[str]:
    return FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.write_sep("-", "reliability figures")
        for name, value in sorted(FIGURES.items()):
            terminalreporter.write_line(f"{name}: {value}")
