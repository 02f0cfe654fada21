"""Number words shared by the sections' text output."""
from __future__ import annotations

from typing import Optional


def pct(v: Optional[float]) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"
