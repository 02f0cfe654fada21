"""Progress reporting shared by the CLI (a terminal bar) and the GUI (a dialog with Cancel).

Long-running core functions take ``progress: Progress | None``. They call
``progress(done, total, message)``; the callback may raise :class:`auditor.errors.Cancelled`
to stop the work (the GUI does so when the user presses Cancel).
"""
from __future__ import annotations

import sys
import time
from typing import Callable, Optional

from auditor.terminal import one_line, unguarded

Progress = Callable[[float, float, str], None]


def report(progress: Optional[Progress], done: float, total: float, message: str = "") -> None:
    if progress is not None:
        progress(done, total, message)


def scaled(progress: Optional[Progress], start: float, end: float) -> Optional[Progress]:
    """A callback for a sub-step that fills the fraction [start, end] of the parent's bar."""
    if progress is None:
        return None

    def sub(done: float, total: float, message: str = "") -> None:
        frac = (done / total) if total else 1.0
        progress(start + (end - start) * frac, 1.0, message)

    return sub


class TerminalProgress:
    """A single-line progress bar on stderr; silent when stderr is not a terminal."""

    def __init__(self, stream=None, min_interval: float = 0.1):
        # the bar's own carriage returns must pass the CLI's output guard (auditor.terminal)
        self.stream = stream or unguarded(sys.stderr)
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.min_interval = min_interval
        self._last = 0.0

    def __call__(self, done: float, total: float, message: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.min_interval and done < total:
            return
        self._last = now
        frac = min(1.0, done / total) if total else 1.0
        width = 30
        bar = "#" * int(frac * width)
        text = one_line(message)[:40]
        self.stream.write(f"\r[{bar:<{width}}] {frac:6.1%} {text:<40}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()
