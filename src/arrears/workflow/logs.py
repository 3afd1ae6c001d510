"""``arrears logs tail``: the running server's request log as it happens, as ``stripe logs tail`` shows
Stripe's. Fed by the server itself (``GET /_arrears/v1/request_log/wait``, a long poll: api/arrears_ops.py),
never by reading a file; a reader sees its own account's requests. Filters as the Stripe CLI names them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from arrears.workflow.client import Api, WorkflowError, follow


def _listed(texts: list[str] | None) -> list[str]:
    return [t.strip() for text in texts or () for t in text.split(",") if t.strip()]


@dataclass
class Filters:
    status_codes: list[str] = field(default_factory=list)  # 200, 404, or a class: 4XX
    methods: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # a path, or a prefix ending in *
    accounts: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, status: list[str] | None, methods: list[str] | None, paths: list[str] | None,
           accounts: list[str] | None) -> Filters:
        codes = [code.upper() for code in _listed(status)]
        wrong = [c for c in codes if not (len(c) == 3 and c[0].isdigit() and (c[1:].isdigit() or c[1:] == "XX"))]
        if wrong:
            raise WorkflowError(f"--filter-status-code {', '.join(wrong)}: use codes like 200 or 404, or 4XX")
        return cls(codes, [m.upper() for m in _listed(methods)], _listed(paths), _listed(accounts))

    def admits(self, entry: dict[str, Any]) -> bool:
        status = str(entry["status"])
        if self.status_codes and not any(code == status or (code.endswith("XX") and code[0] == status[0])
                                         for code in self.status_codes):
            return False
        if self.methods and entry["method"] not in self.methods:
            return False
        if self.paths and not any(entry["path"] == p or (p.endswith("*") and entry["path"].startswith(p[:-1]))
                                  for p in self.paths):
            return False
        return not self.accounts or entry["account"] in self.accounts


def line(entry: dict[str, Any]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry["created"]))
    mode = "live" if entry["livemode"] else "test"
    text = (f"{when} [{entry['status']}] {entry['method']} {entry['path']} [{entry['request_id'] or '-'}] "
            f"{mode} {entry['account']} {entry['latency_ms']:g} ms")
    if entry.get("error_message"):
        text += f": {entry['error_type'] or 'error'}: {entry['error_message']}"
    return text


@dataclass
class Tail:
    api: Api
    filters: Filters
    as_json: bool = False
    out: Callable[[str], None] = print
    cursor: str | None = None
    shown: int = 0

    def start(self) -> None:
        self.cursor = self.api.call("GET", "/_arrears/v1/request_log/wait", {"timeout": 0})["cursor"]

    def poll(self, timeout: float) -> None:
        params = {"after": self.cursor, "timeout": f"{timeout:g}"}
        answer = self.api.call("GET", "/_arrears/v1/request_log/wait", params, timeout=timeout + 15)
        for entry in answer["data"]:
            if self.filters.admits(entry):
                self.out(orjson.dumps(entry).decode() if self.as_json else line(entry))
                self.shown += 1
        self.cursor = answer["cursor"]

    def run(self, *, seconds: float = 0, max_lines: int = 0, sleep: Callable[[float], None] = time.sleep) -> None:
        follow(self.api, self.poll, done=lambda: bool(max_lines) and self.shown >= max_lines, out=self.out,
               seconds=seconds, sleep=sleep)
