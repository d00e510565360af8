"""In-process domain events: how a lower layer triggers a higher one without importing it.

A service of a lower layer ``emit``\\s an event (a frozen dataclass naming what happened); the higher
layer ``subscribe``\\s a handler in its ``AppConfig.ready``. Handlers run synchronously, in the order
they were registered, inside the emitter's transaction: if one fails, the whole action is rolled back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E")
Handler = Callable[[Any], Any]

_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], Any]], Callable[[E], Any]]:
    """Register the decorated function for ``event_type`` (once, however often the module is imported)."""

    def register(handler: Callable[[E], Any]) -> Callable[[E], Any]:
        if handler not in _handlers[event_type]:
            _handlers[event_type].append(handler)
        return handler

    return register


def emit(event: object) -> list[Any]:
    """Run every handler of the event's type now, in this transaction; return their results in order."""
    return [handler(event) for handler in list(_handlers[type(event)])]
