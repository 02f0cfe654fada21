"""Text that reaches Qt's rich-text engine. Qt guesses rich text from a string's start (a
tooltip or label beginning with '<' is rendered as HTML), so every string from data — a
vehicle id, a metadata value, a path — goes through ``tip`` (or a PlainText label)."""
from __future__ import annotations

import html
from typing import Optional


def tip(text: Optional[str]) -> str:
    """A tooltip that shows ``text`` exactly: escaped, newlines kept, wrapped in <p> so Qt
    treats it as rich text whose only markup is ours."""
    if not text:
        return ""
    return "<p>" + html.escape(str(text)).replace("\n", "<br>") + "</p>"
