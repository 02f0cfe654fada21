"""A Qt-free signal: the state's change events. Views connect a callback; ``emit`` calls every
callback in connect order, on the emitting thread (the GUI thread: the state is only changed
there), before it returns. Exceptions reach the emitter: a view's bug is not hidden."""
from __future__ import annotations

from typing import Any, Callable


class Event:
    def __init__(self, name: str):
        self.name = name
        self._slots: list[Callable[..., Any]] = []

    def connect(self, slot: Callable[..., Any]) -> Callable[..., Any]:
        self._slots.append(slot)
        return slot

    def disconnect(self, slot: Callable[..., Any]) -> None:
        self._slots.remove(slot)

    def emit(self, *args: Any) -> None:
        for slot in list(self._slots):
            slot(*args)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._slots)} slots)"
