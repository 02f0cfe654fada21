"""Files a reader never sees half-written: write a temporary name in the same folder, fsync,
then rename over the target. open() (not mkstemp) so the file gets the user's usual
permissions."""
from __future__ import annotations

import os
from pathlib import Path

from auditor.errors import UserError


def temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    path = Path(path)
    if not path.parent.is_dir():
        raise UserError(f"{path}: folder {path.parent} does not exist; create it first")
    tmp = temp_name(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text_atomic(path: str | Path, text: str) -> None:
    """UTF-8, "\\n" line endings exactly as given."""
    write_bytes_atomic(path, text.encode("utf-8"))
