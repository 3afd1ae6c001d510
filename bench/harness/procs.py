"""CPU and memory of a process tree, read from /proc (Linux)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # the command name may hold spaces and parentheses: split after the last ')'
    return text[text.rindex(")") + 2:].split()


def tree(root: int) -> list[int]:
    """``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds (0 once it is gone)."""
    fields = _stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / TICK


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / TICK, sum(values) / TICK


@dataclass
class TreeSample:
    """CPU seconds per process of a tree at one moment."""

    at: float
    cpu: dict[int, float]

    @classmethod
    def take(cls, root: int) -> TreeSample:
        return cls(time.monotonic(), {pid: cpu_seconds(pid) for pid in tree(root)})

    def minus(self, before: TreeSample) -> dict[int, float]:
        return {pid: self.cpu[pid] - before.cpu.get(pid, 0.0) for pid in self.cpu}


def reset_peak_rss(root: int) -> None:
    """Start a new VmHWM window for every process of the tree (clear_refs 5; needs the same user or root)."""
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass


def peak_rss_mb(root: int) -> float:
    """The sum over the tree of each process's peak resident set (VmHWM), in MB: an upper bound of the
    tree's peak, since the processes' peaks need not coincide."""
    return sum(_status_kb(pid, "VmHWM") for pid in tree(root)) / 1024


def rss_mb(root: int) -> float:
    return sum(_status_kb(pid, "VmRSS") for pid in tree(root)) / 1024


def wait_until_idle(max_busy_cores: float = 0.15, quiet_for: float = 2.0, timeout: float = 20.0) -> float:
    """Wait until the machine has been under ``max_busy_cores`` for ``quiet_for`` seconds (at most
    ``timeout``); return the busy cores of the last window."""
    deadline = time.monotonic() + timeout
    busy = 0.0
    while True:
        b0, t0 = machine_busy_seconds()
        time.sleep(quiet_for)
        b1, t1 = machine_busy_seconds()
        busy = (b1 - b0) / quiet_for
        if busy < max_busy_cores or time.monotonic() > deadline:
            return busy
