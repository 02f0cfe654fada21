"""How errors reach the analyst: a user's mistake is a readable dialog; a bug is a dialog that
says where the log is, with the traceback written to that log."""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from auditor.errors import UserError
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


def show_exception(parent: QWidget | None, exc: BaseException, where: str,
                   tb: str | None = None) -> QMessageBox:
    if isinstance(exc, UserError):
        return show_user_error(parent, str(exc))
    return show_bug(parent, exc, where, tb)
