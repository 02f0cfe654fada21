"""Outputs never overwrite inputs (and the project is never read as an input): every file a
command writes (predictions CSV, flag CSV, map HTML, export files, screenshots) goes through
``check_output_file`` first; a file read with open() goes through ``check_input_file``.

Refused: the project being read (or any project this process opened) and its -wal / -shm /
-journal files, any other SQLite database (someone's project or data), a folder, anything that
is not a regular file. An existing non-SQLite file of the output kind (an earlier CSV or HTML)
may be replaced — that is what re-running a command does.

Whether an existing file is SQLite is asked of SQLite (immutable=1, read-only): opening it
with open() could drop this process's locks on a project it has open (auditor.store)."""
from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Iterable

from auditor.errors import UserError
from auditor.failures import shown
from auditor.store.connection import opened_project_files, sqlite_uri

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist: compare where they would be
        return os.path.realpath(a) == os.path.realpath(b)


def is_sqlite_file(path: Path) -> bool:
    """True when ``path`` is a non-empty SQLite database (asked of SQLite, changing nothing:
    immutable=1 makes no -wal/-shm; SQLite's unix VFS keeps this process's locks)."""
    try:
        conn = sqlite3.connect(sqlite_uri(path, immutable="1"), uri=True)
    except sqlite3.Error:
        return False
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        # a file shorter than one page reads as an empty database: not one
        return conn.execute("PRAGMA page_count").fetchone()[0] > 0
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def check_output_file(path, *, project=None, what: str = "the output") -> Path:
    """``path`` as a Path if ``what`` may be written there; UserError (nothing written) if not."""
    path = Path(path)
    protected: list[Path] = list(opened_project_files())
    if project is not None:
        protected.append(Path(project))
    for base in protected:
        for suffix in ("",) + SQLITE_SIDE_FILES:
            if _same_file(path, Path(f"{base}{suffix}")):
                part = "the project" if not suffix else f"the project's {suffix[1:]} file"
                raise UserError(f"{shown(path)}: is {part} ({shown(base)}) — refusing to write "
                                f"{what} over it; choose another file name")
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):  # the folder's own check says more
        st = None
    except OSError as exc:
        raise UserError(f"{shown(path)}: cannot check this output path ({exc.strerror}) — "
                        "choose another file name") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise UserError(f"{shown(path)}: is a folder — give a file name for {what}")
        if not stat.S_ISREG(st.st_mode):
            raise UserError(f"{shown(path)}: is not a regular file — give a file name for "
                            f"{what}")
        if st.st_size > 0 and is_sqlite_file(path):
            raise UserError(f"{shown(path)}: is a SQLite database (an auditor project?) — "
                            f"refusing to write {what} over it; choose another file name")
    for suffix in SQLITE_SIDE_FILES:
        base = Path(str(path)[:-len(suffix)]) if str(path).endswith(suffix) else None
        if base is not None and base.is_file() and is_sqlite_file(base):
            raise UserError(f"{shown(path)}: belongs to the SQLite database {shown(base)} — "
                            f"refusing to write {what} over it; choose another file name")
    return path


def check_output_files(paths: Iterable, *, project=None, what: str = "the output") -> None:
    for p in paths:
        check_output_file(p, project=project, what=what)


def check_input_file(path, *, project=None, what: str = "an input",
                     utf8_name: bool = False) -> Path:
    """``path`` may be read with open() as ``what``: it is not the project (nor its -wal/-shm,
    nor any project this process has open). Reading a project file with open() would drop
    this process's SQLite locks on it (auditor.store.connection); it is no CSV anyway.
    ``utf8_name``: the name is recorded as text (an import), so it must be valid UTF-8."""
    path = Path(path)
    if utf8_name:
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:
            raise UserError(f"{shown(path)}: the file name is not valid UTF-8 — rename the file "
                            "(e.g. with only letters, digits, - and _) and import it again") \
                from None
    protected: list[Path] = list(opened_project_files())
    if project is not None:
        protected.append(Path(project))
    for base in protected:
        for suffix in ("",) + SQLITE_SIDE_FILES:
            if _same_file(path, Path(f"{base}{suffix}")):
                raise UserError(f"{shown(path)}: is the project ({shown(base)}), not {what} — "
                                "give the file to import")
    return path
