"""The first screen when no project is open: open the demo, import data, open a project, or
pick a recent one."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditor import __version__
from auditor.gui.text import tip


class WelcomePage(QWidget):
    openDemo = Signal()
    importData = Signal()
    openProject = Signal()
    openRecent = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("welcome")
        title = QLabel(f"<h1>auditor</h1><p>Audit vehicle drive data and the home/work labels a "
                       f"model predicts from it. Version {__version__}.</p>")
        title.setTextFormat(Qt.TextFormat.RichText)
        self.demo_button = QPushButton("Open the demo fleet")
        self.demo_button.setObjectName("welcomeDemo")
        self.demo_button.setToolTip("Generates a synthetic fleet (first time only), imports it "
                                    "and runs inference, then opens it")
        self.import_button = QPushButton("Import data…")
        self.import_button.setObjectName("welcomeImport")
        self.import_button.setToolTip("Create a project and import pings, labels or vehicles")
        self.open_button = QPushButton("Open project…")
        self.open_button.setObjectName("welcomeOpen")
        for b in (self.demo_button, self.import_button, self.open_button):
            b.setMinimumHeight(36)
        self.recent = QListWidget()
        self.recent.setObjectName("welcomeRecent")
        self.recent_label = QLabel("Recent projects")

        buttons = QVBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        recent = QVBoxLayout()
        recent.addWidget(self.recent_label)
        recent.addWidget(self.recent, 1)
        body = QHBoxLayout()
        body.addLayout(buttons, 1)
        body.addLayout(recent, 2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 32, 48, 32)
        outer.addWidget(title)
        outer.addLayout(body, 1)

        self.demo_button.clicked.connect(self.openDemo)
        self.import_button.clicked.connect(self.importData)
        self.open_button.clicked.connect(self.openProject)
        self.recent.itemActivated.connect(
            lambda item: self.openRecent.emit(item.data(Qt.ItemDataRole.UserRole)))

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for p in paths:
            item = QListWidgetItem(f"{Path(p).name}    —    {Path(p).parent}")
            item.setData(Qt.ItemDataRole.UserRole, p)
            item.setToolTip(tip(p))
            self.recent.addItem(item)
        if not paths:
            self.recent.addItem(QListWidgetItem("(none yet)"))
            self.recent.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
