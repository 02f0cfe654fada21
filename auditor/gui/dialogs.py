"""How errors reach the analyst: a user's mistake is a readable dialog; an expected failure of
the machine (full disk, read-only folder, damaged file: auditor.failures.explain) is one too; a
project busy in another window or process offers Retry; only a bug is a dialog that says where
the log is, with the traceback written to that log."""
from __future__ import annotations

import logging
from typing import Callable, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from auditor.errors import ProjectBusy, UserError
from auditor.logs import setup_logging

log = logging.getLogger("auditor.gui")


def _open_box(parent: QWidget | None, icon, title: str, text: str) -> QMessageBox:
    # open(), not exec(): the window stays responsive and tests can find and close the box
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("auditorMessage")
    box.setTextFormat(Qt.TextFormat.PlainText)  # data-derived text is never HTML
    box.open()
    return box


def show_user_error(parent: QWidget | None, message: str, title: str = "Cannot do that") -> QMessageBox:
    return _open_box(parent, QMessageBox.Icon.Warning, title, message)


def show_bug(parent: QWidget | None, exc: BaseException, where: str,
             tb: str | None = None) -> QMessageBox:
    path = setup_logging()
    if tb:
        log.error("unexpected error in %s:\n%s", where, tb)
    else:
        log.error("unexpected error in %s", where, exc_info=(type(exc), exc, exc.__traceback__))
    text = (f"Something went wrong while {where}: {type(exc).__name__}.\n\n"
            f"This is a bug in auditor, not your mistake. The details are in the log:\n{path}")
    return _open_box(parent, QMessageBox.Icon.Critical, "Unexpected error", text)


def show_busy(parent: QWidget | None, exc: BaseException,
              retry: Optional[Callable[[], None]] = None) -> QMessageBox:
    """The project is busy in another auditor window or process: nothing was written; Retry
    tries the same action again (when the caller can)."""
    from auditor.failures import BUSY_MESSAGE
    text = (f"{exc}" if str(exc) else BUSY_MESSAGE) + "\n\nNothing was written."
    buttons = QMessageBox.StandardButton.Cancel | (QMessageBox.StandardButton.Retry
                                                   if retry is not None else
                                                   QMessageBox.StandardButton.NoButton)
    box = QMessageBox(QMessageBox.Icon.Warning, "Project busy", text, buttons, parent)
    box.setObjectName("projectBusy")
    box.setTextFormat(Qt.TextFormat.PlainText)
    if retry is not None:
        box.button(QMessageBox.StandardButton.Retry).clicked.connect(lambda: retry())
    box.open()
    return box


def show_exception(parent: QWidget | None, exc: BaseException, where: str,
                   tb: str | None = None,
                   retry: Optional[Callable[[], None]] = None) -> QMessageBox:
    """The one error dialog: busy (Retry), a user's mistake or an expected failure (one
    readable message), else a bug."""
    if not isinstance(exc, UserError):
        from auditor.failures import explain
        explained = explain(exc)  # a full disk, a read-only file, a damaged project…
        if explained is not None:
            exc = explained
    if isinstance(exc, ProjectBusy):
        return show_busy(parent, exc, retry)
    if isinstance(exc, UserError):
        return show_user_error(parent, str(exc))
    return show_bug(parent, exc, where, tb)
