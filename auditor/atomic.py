"""Files a reader never sees half-written: write a temporary file in the same folder, fsync it,
rename it over the target, fsync the folder (so the rename itself survives a power cut).

The temporary file is created exclusively (O_EXCL, via tempfile.mkstemp) under an
unpredictable name, so nobody can plant a symlink or a file there for us to write through;
it then gets the permissions a plain open() would give it (0666 minus the umask), not
mkstemp's 0600. On any failure the temporary file is removed and the target is untouched."""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import Iterator

from auditor.errors import UserError
from auditor.failures import shown


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask would race other threads)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_folder(path: Path) -> None:
    if not path.parent.is_dir():
        raise UserError(f"{shown(path)}: folder {shown(path.parent)} does not exist; create it "
                        "first")


def _temp_file(path: Path) -> tuple[int, Path]:
    stem = path.name[:100]  # room for the random part within the 255-byte name limit
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
    except OSError:
        pass
    return fd, Path(tmp)


def _named(exc: OSError, path: Path) -> OSError:
    """``exc`` naming ``path`` (a write through a descriptor names no file), and a full disk
    said as such even when a library's error carries no errno (pyarrow)."""
    if exc.errno is None:
        try:
            st = os.statvfs(path.parent)
            if st.f_bavail * st.f_frsize < 1024 * 1024:
                return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        except OSError:
            pass
    if exc.filename is None or (str(exc.filename).startswith(str(path.parent / ".")) and
                                str(exc.filename).endswith(".tmp")):
        exc.filename = str(path)
    return exc


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """For writers that need a file name (pyarrow, csv writers): yields a fresh temporary file
    beside ``path``; when the block ends without error it is fsynced and renamed over ``path``
    and the folder fsynced; otherwise it is removed."""
    path = Path(path)
    _check_folder(path)
    try:
        fd, tmp = _temp_file(path)
    except OSError as exc:
        raise _named(exc, path) from None
    os.close(fd)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _named(exc, path) from None
        raise


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    path = Path(path)
    _check_folder(path)
    try:
        fd, tmp = _temp_file(path)
    except OSError as exc:
        raise _named(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _named(exc, path) from None
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """UTF-8, "\\n" line endings exactly as given."""
    write_bytes_atomic(path, text.encode("utf-8"))
