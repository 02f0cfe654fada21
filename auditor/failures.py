"""Expected failures of the machine, not bugs: a busy, read-only, full or damaged project, a
full disk, a folder we may not write to, a file name that is not UTF-8. ``explain(exc)`` turns
such an exception into a UserError with one line naming the file and the fix (the CLI prints
it as ``error: …`` and exits 1; the GUI shows it in a dialog). Anything it does not recognise
stays a bug (None) and goes to the log with its traceback.

SQLite errors do not carry a file name; the project they concern is the one the caller names,
else the project this process opened last (auditor.store.connection reports each open to
``note_project``)."""
from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import Optional

from auditor.errors import ProjectBusy, UserError

BUSY_MESSAGE = "the project is busy in another auditor window or process — try again"

# SQLite primary result codes (the low byte of sqlite_errorcode)
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB, _PERM = (
    5, 6, 8, 10, 11, 13, 14, 26, 3)


def shown(path) -> str:
    """A path as text for a message: lone surrogates (a non-UTF-8 file name) as \\xNN."""
    text = os.fspath(path) if not isinstance(path, str) else path
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_last_project: Optional[Path] = None


def note_project(path) -> None:
    """The project this process opened last (auditor.store.connection calls this on every
    open, so this module needs nothing from the store): a SQLite error names no file."""
    global _last_project
    _last_project = Path(path)


def last_project() -> Optional[Path]:
    return _last_project


def sqlite_failure(exc: sqlite3.Error, path=None) -> Optional[UserError]:
    """The UserError for an sqlite3 error about ``path`` (default: the last project opened),
    or None when the error is not one of the machine's expected failures."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        text = str(exc).lower()
        code = (_BUSY if "database is locked" in text else
                _READONLY if "readonly database" in text else
                _FULL if "disk is full" in text else
                _CORRUPT if "malformed" in text else
                _NOTADB if "not a database" in text else None)
        if code is None:
            return None
    primary = code & 0xFF
    target = path if path is not None else last_project()
    where = shown(target if target is not None else "the project")
    if primary == _IOERR and target is not None and _disk_full(target):
        primary = _FULL  # e.g. SQLITE_IOERR_SHMSIZE/WRITE: the -shm or -wal could not grow
    if primary in (_BUSY, _LOCKED):
        return ProjectBusy(f"{where}: {BUSY_MESSAGE}")
    if primary == _READONLY:
        return UserError(f"{where}: the project is read-only here ({exc}) — nothing was changed; "
                         "changing it needs write access to the file and its folder (copy it "
                         "somewhere writable); report, flags, map and verify work read-only")
    if primary == _FULL:
        return UserError(f"{where}: the disk is full — nothing was changed; free some space "
                         "and run the command again")
    if primary in (_CORRUPT, _NOTADB):
        return UserError(f"{where}: the project file is damaged (SQLite: {exc}) — restore it "
                         f"from a backup; 'sqlite3 {where} .recover' may save its data")
    if primary in (_CANTOPEN, _PERM):
        return UserError(f"{where}: cannot open the project file (SQLite: {exc}) — check that "
                         "the file and its folder exist and that you may read them")
    if primary == _IOERR:
        return UserError(f"{where}: the disk reported an input/output error (SQLite: "
                         f"{getattr(exc, 'sqlite_errorname', exc)}) — check the disk or the "
                         "network share, then run the command again")
    return None


def _disk_full(path) -> bool:
    """The file system holding ``path`` has (almost) no room left."""
    try:
        st = os.statvfs(os.path.dirname(os.path.abspath(path)) or ".")
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1024 * 1024


_OS_FIXES = {
    errno.ENOSPC: "the disk is full — free some space and run the command again",
    errno.EDQUOT: "the disk quota is exhausted — free some space and run the command again",
    errno.EROFS: "the file system is read-only — choose a writable folder",
    errno.EACCES: "permission denied — choose a file or folder you may write to",
    errno.EPERM: "not permitted (an immutable or protected file?) — choose another file or "
                 "folder",
    errno.ENAMETOOLONG: "the name is too long — choose a shorter path",
    errno.EIO: "the disk reported an input/output error — check the disk or the network share",
    errno.EISDIR: "is a folder — give a file name",
    errno.ENOTDIR: "a part of the path is not a folder — check the path",
    errno.ENOENT: "no such file or folder — check the path",
}


def os_failure(exc: OSError) -> Optional[UserError]:
    fix = _OS_FIXES.get(exc.errno)
    if fix is None:
        return None
    name = exc.filename if exc.filename is not None else exc.filename2
    where = shown(name) if name is not None else "a file"
    return UserError(f"{where}: {fix} (nothing was changed)")


def explain(exc: BaseException, path=None) -> Optional[UserError]:
    """A UserError for an expected failure, else None (a bug)."""
    if isinstance(exc, UserError):
        return exc
    if isinstance(exc, sqlite3.Error):
        return sqlite_failure(exc, path)
    if isinstance(exc, OSError):
        return os_failure(exc)
    if isinstance(exc, UnicodeEncodeError) and "surrogates not allowed" in str(exc):
        bad = exc.object[exc.start:exc.end] if isinstance(exc.object, str) else ""
        return UserError(f"a file name is not valid UTF-8 (near {shown(bad)!s}) — rename the "
                         "file or folder to UTF-8 and try again")
    return None
