"""Edit ▸ Undo / Redo for flags: each QUndoCommand calls the Qt-free FlagStack, which appends
events to the log (nothing is deleted). The QUndoStack mirrors FlagStack, and is rebuilt from
the log when a project opens, so undo works after a restart."""
from __future__ import annotations

import logging
import sqlite3
from typing import Optional

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from auditor.audit.flags import FlagSpec, FlagStack, describe

log = logging.getLogger("auditor.gui.undo")


class FlagCommand(QUndoCommand):
    def __init__(self, controller: "FlagUndoController", spec: FlagSpec, *, silent: bool):
        super().__init__(describe(spec))
        self.controller = controller
        self.spec = spec
        self.silent = silent  # already applied in the log: the first redo() must not repeat it

    def redo(self) -> None:
        if self.silent:
            self.silent = False
            return
        self.controller.apply(self, "redo")

    def undo(self) -> None:
        self.controller.apply(self, "undo")


class FlagUndoController(QObject):
    """Owns the FlagStack of the open project and keeps a QUndoStack in step with it."""
    changed = Signal(object)  # FlagSpec of the flag that was done, undone or redone
    failed = Signal(object)   # the exception when an undo/redo could not be applied

    def __init__(self, undo_stack: QUndoStack, parent=None):
        super().__init__(parent)
        self.undo_stack = undo_stack
        self.flag_stack: Optional[FlagStack] = None
        self._rebuilding = False

    @property
    def analyst(self) -> Optional[str]:
        return self.flag_stack.analyst if self.flag_stack else None

    def attach(self, conn: Optional[sqlite3.Connection], analyst: Optional[str]) -> None:
        """Load this analyst's undo history of the project from the event log."""
        self.flag_stack = FlagStack.from_log(conn, analyst) if conn is not None and analyst else None
        self.rebuild()

    def rebuild(self) -> None:
        self._rebuilding = True
        try:
            self.undo_stack.clear()
            fs = self.flag_stack
            if fs is None:
                return
            fs.refresh()
            for event_id in fs.undo_ids():
                self.undo_stack.push(FlagCommand(self, fs.spec_of(event_id), silent=True))
            redo_ids = fs.redo_ids()  # the last one is the next redo
            for event_id in reversed(redo_ids):
                self.undo_stack.push(FlagCommand(self, fs.spec_of(event_id), silent=True))
            for _ in redo_ids:
                self.undo_stack.undo()
            for i in range(self.undo_stack.count()):
                cmd = self.undo_stack.command(i)
                cmd.silent = False
            self.undo_stack.setClean()
        finally:
            self._rebuilding = False

    def flag(self, spec: FlagSpec) -> int:
        """Append a flag (raises UserError before anything is pushed if it is refused)."""
        assert self.flag_stack is not None, "attach() with an analyst first"
        event_id = self.flag_stack.do(spec)
        self.undo_stack.push(FlagCommand(self, spec, silent=True))
        self.changed.emit(spec)
        return event_id

    def apply(self, cmd: FlagCommand, op: str) -> None:
        if self._rebuilding or self.flag_stack is None:
            return
        try:
            (self.flag_stack.undo if op == "undo" else self.flag_stack.redo)()
        except Exception as exc:  # the log changed under us (e.g. an import): resync
            log.warning("flag %s failed: %s", op, exc)
            self.failed.emit(exc)
            from PySide6.QtCore import QTimer
            QTimer.singleShot(0, self.rebuild)
            return
        self.changed.emit(cmd.spec)
