"""Opening a project file: recognise it, create or migrate it, WAL, busy timeout, read-only.

Two rules keep other people's files and this process's locks safe:

- The project file is never opened with open() — POSIX advisory locks belong to the process,
  so closing *any* descriptor of the file drops every SQLite lock the process holds on it
  (SQLite's "How To Corrupt An SQLite Database File", 2.2: another process then deletes the
  WAL under us and our later writes are lost). A file is recognised through SQLite itself,
  whose unix VFS keeps descriptors open while the process holds locks on the file.
- A project carries ``PRAGMA application_id = APPLICATION_ID``. An existing non-empty file is
  changed (journal mode included) only when it carries the mark, or is an auditor project of
  an earlier version (schema version >= 1 and auditor's tables, no mark), which is then
  stamped. Anything else is refused with the file left byte for byte as it was.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from auditor.errors import ProjectBusy, UserError
from auditor.failures import explain, last_project, note_project, shown
from auditor.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

APPLICATION_ID = 0x41554454        # "AUDT": this SQLite file is an auditor project
BUSY_TIMEOUT_MS = 5000             # how long one statement waits for another writer's lock
LONG_JOB_WAIT_S = 120.0            # how long a long job's final write keeps retrying
# tables every auditor project has had since schema 1: how an unmarked earlier project is known
EARLIER_PROJECT_TABLES = frozenset({"imports", "pings", "labels", "vehicles", "flag_events",
                                    "runs"})

MISSING, EMPTY, PROJECT, EARLIER_PROJECT = "missing", "empty", "project", "earlier project"

_lock = threading.Lock()
_opened: dict[str, Path] = {}   # project files this process has opened, by absolute path


def last_opened_project() -> Optional[Path]:
    """The project this process opened last (names the file in messages about SQLite errors)."""
    return last_project()


def _remember(path: Path) -> None:
    with _lock:
        _opened[os.path.abspath(path)] = Path(os.path.abspath(path))
        note_project(path)


def opened_project_files() -> list[Path]:
    """Every project file this process has opened (outputs must never be written over them,
    nor may they be read with open() as inputs: auditor.outputs)."""
    with _lock:
        return list(_opened.values())


def sqlite_uri(path, **params: str) -> str:
    """A file: URI for sqlite3.connect(uri=True). Path.as_uri() percent-encodes the path's
    bytes, so names with ?, #, % or bytes that are not UTF-8 open the right file."""
    uri = Path(os.path.abspath(path)).as_uri()
    if params:
        uri += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return uri


def _connect(path: Path, **params: str) -> sqlite3.Connection:
    conn = sqlite3.connect(sqlite_uri(path, **params), uri=True, isolation_level=None,
                           check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
    return conn


def _user_error(exc: BaseException, path: Path) -> UserError:
    err = explain(exc, path)
    if err is None:
        return UserError(f"{shown(path)}: cannot open the project ({exc}) — is it an auditor "
                         "project?")
    return err


def inspect_project_file(path) -> tuple[str, int]:
    """(state, schema version) of ``path`` without changing it: MISSING, EMPTY (zero bytes),
    PROJECT (carries the mark) or EARLIER_PROJECT (an unmarked project of an earlier auditor).
    Raises UserError for a folder, a file that is not SQLite, or a SQLite file that is not a
    project. Read through SQLite only (see the module docstring); a file with no -wal beside
    it is read with immutable=1, so no -wal/-shm files appear next to someone else's database."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return MISSING, 0
    except OSError as exc:
        raise _user_error(exc, path) from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"{shown(path)} is a folder; give a project file such as "
                        f"{shown(path / 'project.db')}")
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{shown(path)} is not a regular file (a device or pipe?); give an "
                        "auditor project file")
    if st.st_size == 0:
        return EMPTY, 0
    wal = Path(f"{path}-wal").exists()
    try:
        conn = _connect(path, **({"mode": "ro"} if wal else {"immutable": "1"}))
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB" or "not a database" in str(exc):
            raise UserError(f"{shown(path)} is not an auditor project (not a SQLite file); "
                            "it was left unchanged — choose another name") from None
        raise _user_error(exc, path) from None
    if app_id == APPLICATION_ID:
        return PROJECT, version
    if app_id == 0 and version >= 1 and EARLIER_PROJECT_TABLES <= tables:
        return EARLIER_PROJECT, version
    raise UserError(f"{shown(path)} is a SQLite database but not an auditor project; it was "
                    "left unchanged — give an auditor project, or a new file name to create one")


def check_is_project(path) -> None:
    """Refuse (UserError) anything that exists and is not an auditor project; never changes
    the file. A missing or empty file passes: opening it with create=True makes a project."""
    inspect_project_file(path)


SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def claim_new_project(path) -> Optional[list[Path]]:
    """Create ``path`` as an empty file only if nothing is there (O_CREAT | O_EXCL: a file
    another process makes at the same moment is never taken for ours). Returns the files a
    caller that fails before its first commit may remove — the project and those of its
    -wal/-shm/-journal that do not exist yet — or None when ``path`` already existed (or cannot
    be made here: open_project then says why), which is never removed.
    (An open() of a file that did not exist a moment ago cannot drop any lock of ours.)"""
    path = Path(path)
    side = [Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES]
    fresh_side = [p for p in side if not os.path.lexists(p)]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError:
        return None
    os.close(fd)
    return [path, *fresh_side]


def remove_claimed(files: Optional[list[Path]]) -> None:
    """Undo claim_new_project after a failure: remove exactly the files it named."""
    for p in files or ():
        with contextlib.suppress(OSError):
            p.unlink()


# New projects use 16 KiB pages (SQLite's default is 4 KiB): a 2M-ping import is ~7% faster
# (fewer pages to allocate and link; bench/ingest.py 0.97 -> 1.02 vehicle order, 0.89 -> 0.98
# time order), full reads are as fast or faster, and a small commit (a flag) writes 16 KiB
# pages to the WAL instead of 4 KiB ones. Existing projects keep the size they were made with.
PAGE_SIZE = 16384


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no committed txn
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -65536")   # 64 MiB page cache


def migrate(conn: sqlite3.Connection, stamp: bool = False) -> None:
    """Bring the schema to SCHEMA_VERSION, one transaction per migration (the version is read
    again inside it, so two processes opening an old project migrate it once). ``stamp`` also
    writes the application id (an earlier project, recognised by its tables)."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise UserError(
            f"project was written by a newer auditor (schema {current} > {SCHEMA_VERSION}); upgrade auditor"
        )
    if stamp:
        with transaction(conn):
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    while current < SCHEMA_VERSION:
        with transaction(conn):
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current >= SCHEMA_VERSION:
                break
            for statement in _split_sql(MIGRATIONS[current]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {current + 1}")
            current += 1


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit on its own)."""
    statements, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        if text.endswith(";") and sqlite3.complete_statement(text):
            statements.append(text)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        statements.append(rest)
    return statements


def _create(path: Path) -> sqlite3.Connection:
    if not path.parent.exists():
        raise UserError(f"{shown(path)}: folder {shown(path.parent)} does not exist; create it "
                        "first")
    try:
        conn = _connect(path, mode="rwc")
        try:
            # the mark first, while the file is still in rollback mode: it lands in the
            # file's header at once, so the file is recognisable from then on
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            _configure(conn)
            migrate(conn)
        except BaseException:
            conn.close()
            raise
    except sqlite3.Error as exc:
        raise _user_error(exc, path) from None
    _remember(path)
    return conn


def _open_readonly(path: Path, state: str) -> sqlite3.Connection:
    """mode=ro; on a read-only folder with no -wal/-shm (SQLite cannot create them there)
    immutable=1, which is exact then: with no WAL there is nothing it could miss."""
    try:
        try:
            conn = _connect(path, mode="ro")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "") != "SQLITE_CANTOPEN" or \
                    Path(f"{path}-wal").exists():
                raise
            conn = _connect(path, immutable="1")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -65536")
    except sqlite3.Error as exc:
        raise _user_error(exc, path) from None
    if version > SCHEMA_VERSION:
        conn.close()
        raise UserError(f"project was written by a newer auditor (schema {version} > "
                        f"{SCHEMA_VERSION}); upgrade auditor")
    if version < SCHEMA_VERSION:  # an older project: upgrade it once, then read
        conn.close()
        try:
            open_project(path, create=False).close()
        except UserError as exc:
            raise UserError(f"{shown(path)}: this project is from an earlier auditor and must "
                            f"be upgraded, which needs write access ({exc})") from None
        return _open_readonly(path, PROJECT)
    _remember(path)
    return conn


def no_such_project(path) -> UserError:
    """The one line for a project path with nothing there (also the CLI's check before its
    imports)."""
    return UserError(f"{shown(path)}: no such project; create one with 'auditor ingest "
                     f"{shown(path)} FILE'")


def open_project(path: str | Path, create: bool = True,
                 readonly: bool = False) -> sqlite3.Connection:
    """Open (and if allowed create) a project; always returns a migrated connection.

    ``readonly`` (report, flags listing, map, verify): a connection that can never change the
    project (PRAGMA query_only); on a read-only file or folder a mode=ro one (Path.as_uri()),
    so these commands work there too."""
    path = Path(path)
    state, _ = inspect_project_file(path)
    if state in (MISSING, EMPTY):
        if not create or readonly:
            if state == EMPTY:
                raise UserError(f"{shown(path)}: is an empty file, not an auditor project — give "
                                "a project, or import into it with 'auditor ingest'")
            raise no_such_project(path)
        return _create(path)
    if readonly and not _writable(path):
        return _open_readonly(path, state)
    try:
        conn = _connect(path, mode="rw")
        try:
            _configure(conn)
            migrate(conn, stamp=(state == EARLIER_PROJECT))
            if readonly:
                # a normal connection that refuses changes: unlike mode=ro it tidies the WAL
                # away when it closes, as the last connection does
                conn.execute("PRAGMA query_only = ON")
        except BaseException:
            conn.close()
            raise
    except sqlite3.Error as exc:
        if readonly:  # writable after all? no: read it the read-only way
            return _open_readonly(path, state)
        if not _writable(path):
            raise UserError(f"{shown(path)}: the project is read-only here (the file or its "
                            "folder cannot be written) — nothing was changed; this command "
                            "changes the project, so copy it somewhere writable (report, flags, "
                            "map, export and verify work read-only)") from None
        raise _user_error(exc, path) from None
    _remember(path)
    return conn


def _writable(path: Path) -> bool:
    """The project file and its folder may be written (access(2) also says no on a read-only
    mount and for an immutable file, to root too)."""
    return os.access(path, os.W_OK) and os.access(path.absolute().parent, os.W_OK)


def db(conn: sqlite3.Connection) -> "sqlite_utils.Database":
    """sqlite-utils view of a connection, for schema work (derived tables, introspection)."""
    import sqlite_utils  # here: it pulls in pandas/numpy, ~0.9 s of the GUI's start
    return sqlite_utils.Database(conn)


def _begin(conn: sqlite3.Connection, wait: Optional[float]) -> None:
    """BEGIN IMMEDIATE. Each attempt waits BUSY_TIMEOUT_MS for another writer; with ``wait``
    (seconds) it is retried with backoff until that much time has passed — a long job's
    finished work is not thrown away because an analyst was flagging at that moment."""
    deadline = None if wait is None else time.monotonic() + wait
    pause = 0.2
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            err = explain(exc)
            if err is None:
                raise
            if not isinstance(err, ProjectBusy):
                raise err from exc
            if deadline is None or time.monotonic() >= deadline:
                raise err from exc
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 5.0)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, wait: Optional[float] = None):
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (including KeyboardInterrupt).
    A still-busy project raises ProjectBusy (after ``wait`` seconds of retries if given); a
    full disk, a read-only or damaged project raise a UserError naming the fix."""
    _begin(conn, wait)
    try:
        yield conn
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            err = explain(exc)
            if err is not None:
                raise err from exc
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            err = explain(exc)
            if err is None:
                raise
            raise err from exc


def copy_project(source, target) -> None:
    """A consistent copy of a project (e.g. "save as", a test fixture) through SQLite's backup
    API — never a byte copy with open(), which would drop this process's locks on ``source``
    and could catch it mid-write. ``target`` must not exist yet."""
    source, target = Path(source), Path(target)
    if target.exists():
        raise UserError(f"{shown(target)}: exists — copy the project to a new file name")
    src = open_project(source, create=False, readonly=True)
    try:
        dst = sqlite3.connect(sqlite_uri(target, mode="rwc"), uri=True)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise _user_error(exc, target) from None
    finally:
        src.close()
