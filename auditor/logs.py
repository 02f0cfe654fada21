"""Where tracebacks go: a log file in the user's log directory (platformdirs)."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import platformdirs

APP = "auditor"


def log_dir() -> Path:
    override = os.environ.get("AUDITOR_LOG_DIR")
    path = Path(override) if override else Path(platformdirs.user_log_dir(APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    return log_dir() / "auditor.log"


def setup_logging() -> Path:
    """Log to the user's log file; return its path (idempotent)."""
    path = log_file()
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path
               for h in root.handlers):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path
