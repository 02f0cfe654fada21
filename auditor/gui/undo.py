"""Edit ▸ Undo / Redo for flags: a QUndoStack that mirrors the state's Qt-free FlagStack.
Every flag the state makes is pushed (already done, so the push does not repeat it); undo and
redo call the state, which appends a revocation or the flag again (nothing is deleted). The
stack is rebuilt from the log when a project opens, the analyst changes, or the log changed
under it (another analyst, an import of flags), so undo works after a restart and never acts
on a flag that is no longer the analyst's last."""
from __future__ import annotations

import logging
from typing import Callable, Optional

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand, QUndoStack

from auditor.audit.flags import FlagSpec
from auditor.audit.undo_stack import describe
from auditor.state.app_state import AppState

log = logging.getLogger("auditor.gui.undo")


class FlagCommand(QUndoCommand):
    def __init__(self, mirror: "FlagUndo", spec: FlagSpec):
        super().__init__(describe(spec))
        self.mirror = mirror
        self.spec = spec
        self.applied = True  # already in the log: the push's redo() must not repeat it

    def redo(self) -> None:
        if self.applied:
            self.applied = False
            return
        self.mirror.step("redo", self.spec)

    def undo(self) -> None:
        self.mirror.step("undo", self.spec)


class FlagUndo:
    """Keeps ``undo_stack`` in step with ``state.flag_stack``. ``on_error(exc)`` is told when
    an undo or redo could not be applied (the stack is then rebuilt from the log)."""

    def __init__(self, state: AppState, undo_stack: QUndoStack,
                 on_error: Optional[Callable[[BaseException, str], None]] = None):
        self.state = state
        self.undo_stack = undo_stack
        self.on_error = on_error
        self._busy = False  # inside our own push / undo / redo / rebuild
        state.project_changed.connect(lambda project: self.rebuild())
        state.flags_changed.connect(self._flags_changed)

    def _flags_changed(self, spec: Optional[FlagSpec], op: str) -> None:
        if op == "flag" and not self._busy:
            self._busy = True
            try:
                self.undo_stack.push(FlagCommand(self, spec))
            finally:
                self._busy = False
        elif op == "resync":  # maybe from inside QUndoStack.undo(): rebuild just after it
            QTimer.singleShot(0, self.rebuild)

    def step(self, op: str, spec: FlagSpec) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            (self.state.undo if op == "undo" else self.state.redo)(spec)
        except Exception as exc:  # the log changed under us: say so, then mirror the log again
            log.warning("flag %s failed: %s", op, exc)
            if self.on_error is not None:
                self.on_error(exc, op)
            QTimer.singleShot(0, self.rebuild)  # not inside QUndoStack.undo()
        finally:
            self._busy = False

    def rebuild(self) -> None:
        """Mirror the analyst's stack as the log implies it (undo side, then redo side)."""
        self._busy = True
        try:
            self.undo_stack.clear()
            fs = self.state.flag_stack
            if fs is None:
                return
            fs.refresh()
            for event_id in fs.undo_ids():
                self.undo_stack.push(FlagCommand(self, fs.spec_of(event_id)))
            redo_ids = fs.redo_ids()  # the last one is the next redo
            for event_id in reversed(redo_ids):
                self.undo_stack.push(FlagCommand(self, fs.spec_of(event_id)))
            for _ in redo_ids:
                self.undo_stack.undo()  # _busy: moves the index, touches no log
            for i in range(self.undo_stack.count()):
                self.undo_stack.command(i).applied = False
            self.undo_stack.setClean()
        finally:
            self._busy = False
