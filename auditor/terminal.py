"""Text from data on a terminal: no control characters reach it.

Vehicle ids, metadata, analyst names, notes and file names are untrusted. An ESC sequence in
one could recolour the terminal, move the cursor, hide earlier lines or set the window title;
a carriage return or a bidirectional override could make a line read differently from what it
holds. ``printable`` replaces each such character with a visible escape (``\\u001b``; a byte
of a file name that is not UTF-8 as ``\\xff``). The escapes are also valid inside JSON
strings, so JSON output keeps its meaning. ``guarded_output`` applies it to everything the CLI
writes to stdout and stderr (tab and newline pass: they are the output's own layout)."""
from __future__ import annotations

import contextlib
import re
import sys

# C0 but tab/newline, DEL, C1, and the invisible format characters that reorder or hide text
# (bidi marks/overrides/isolates, zero-width), line/paragraph separators, lone surrogates
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                     "\u2060-\u2069\ufeff\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    ch = match.group(0)
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text) -> str:
    """``text`` with every control/format character replaced by a visible escape."""
    text = "" if text is None else str(text)
    return _UNSAFE.sub(_escape, text)


def one_line(text) -> str:
    """printable, and newlines/tabs escaped too: for a table cell or a one-line message."""
    return printable(text).replace("\n", "\\n").replace("\t", "\\t")


class _GuardedStream:
    """A text stream that writes ``printable`` text to the stream it wraps."""

    def __init__(self, stream):
        self.unguarded = stream

    def write(self, text: str) -> int:
        self.unguarded.write(printable(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name):  # flush, isatty, fileno, encoding, … of the real stream
        return getattr(self.unguarded, name)


def unguarded(stream):
    """The stream under a guard (the progress bar writes its own carriage returns)."""
    return getattr(stream, "unguarded", stream)


@contextlib.contextmanager
def guarded_output():
    """sys.stdout and sys.stderr filtered through ``printable`` for the duration."""
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout = old_out if isinstance(old_out, _GuardedStream) else _GuardedStream(old_out)
    sys.stderr = old_err if isinstance(old_err, _GuardedStream) else _GuardedStream(old_err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = old_out, old_err
