"""The export folder: created when missing; reused only when it is empty or holds an earlier
auditor export (never spill training files into a folder of someone else's files)."""
from __future__ import annotations

import json
from pathlib import Path

from auditor.errors import UserError
from auditor.export.config import FORMATS
from auditor.export.writers import output_name

MANIFEST = "manifest.json"
MANIFEST_KIND = "auditor-training-export"


def read_manifest(out_dir: Path) -> dict | None:
    """The folder's manifest if it is an auditor export manifest, else None."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("kind") == MANIFEST_KIND else None


def prepare_out_dir(out_dir: str | Path) -> dict | None:
    """Make sure ``out_dir`` may receive an export; returns the previous manifest if any."""
    path = Path(out_dir)
    if path.exists() and not path.is_dir():
        raise UserError(f"{path}: is a file — give a folder for the export (it is created if "
                        "missing)")
    if not path.exists():
        try:
            path.mkdir(parents=True)
        except OSError as exc:
            raise UserError(f"{path}: cannot create the export folder ({exc.strerror}) — "
                            "choose a writable place") from None
        return None
    entries = sorted(p.name for p in path.iterdir())
    if not entries:
        return None
    previous = read_manifest(path)
    if previous is None:
        raise UserError(f"{path}: folder is not empty ({entries[0]}"
                        f"{' …' if len(entries) > 1 else ''}) and holds no auditor export — "
                        "choose an empty or new folder")
    return previous


def remove_stale_outputs(out_dir: Path, previous: dict | None, current: set[str]) -> None:
    """Delete files the previous export listed that this export did not write again (e.g. the
    CSV after re-exporting as Parquet), so the folder never mixes two exports."""
    if not previous:
        return
    for name in sorted(previous.get("outputs", {}).get("files", {})):
        # only names an export writes: a tampered manifest cannot delete anything else
        if name in current or name not in {output_name(f) for f in FORMATS}:
            continue
        stale = Path(out_dir) / name
        if stale.is_file():
            stale.unlink()
