"""A lifecycle as data: the one shape every object with a status follows (invoices today; payment
intents, subscriptions and credit notes after them).

``moves[action][status]`` is the status ``action`` leads to; ``guards[action]`` are the statuses in which
an action that is not a move (deleting, editing) may run. Every other cell is refused with the message
in ``refusals[action]`` (``"*"`` is the action's default) and the action's code in ``codes``. The
object module writes one pure function per move that calls ``next_status`` and assigns its answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from arrears.domain import Doc
from arrears.domain.errors import StateError


@dataclass(frozen=True)
class Machine:
    moves: Mapping[str, Mapping[str, str]]
    refusals: Mapping[str, Mapping[str, str]]
    guards: Mapping[str, frozenset[str]] = field(default_factory=dict)
    codes: Mapping[str, str] = field(default_factory=dict)

    def next_status(self, action: str, obj: Doc) -> str:
        """The status ``action`` leads to from ``obj``'s status, or the StateError that refuses it."""
        target = self.moves[action].get(obj["status"])
        if target is None:
            raise self.refusal(action, obj)
        return target

    def require(self, action: str, obj: Doc) -> None:
        """Refuse the guarded ``action`` unless ``obj``'s status allows it."""
        if obj["status"] not in self.guards[action]:
            raise self.refusal(action, obj)

    def allows(self, action: str, status: str) -> bool:
        cells = self.moves.get(action)
        return status in cells if cells is not None else status in self.guards[action]

    def allowed(self, status: str) -> list[str]:
        """The moves, then the guarded actions, allowed from ``status``."""
        return [a for a in (*self.moves, *self.guards) if self.allows(a, status)]

    def refusal(self, action: str, obj: Doc) -> StateError:
        status: str = obj["status"]
        messages = self.refusals[action]
        return StateError(messages.get(status, messages["*"]), obj_id=obj["id"], status=status, action=action,
                          code=self.codes.get(action))
