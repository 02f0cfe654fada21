"""``auditor verify OUT_DIR``: rebuild an export from its manifest and compare every hash.

The export is rebuilt from the project named in the manifest, with the recorded config and
format, into a temporary folder; then the two manifests are compared section by section and
every difference is put in words (which input changed, whether the flags changed, which
library version changed, which output differs). The git commit of the auditor source and the
OS string are reported as notes only: they explain a difference, they are not one."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from auditor.errors import UserError
from auditor.export.api import export_training_set
from auditor.export.config import FORMATS
from auditor.export.hashing import sha256_file
from auditor.export.outdir import MANIFEST, read_manifest
from auditor.export.writers import output_name
from auditor.failures import shown
from auditor.progress import Progress
from auditor.store.connection import check_is_project

EXPORT_FILE_NAMES = frozenset(output_name(f) for f in FORMATS)
# content hash name -> how a difference reads
TABLE_WORDS = {
    "pings": "an input changed: the pings differ",
    "labels": "an input changed: the given labels differ",
    "vehicles": "an input changed: the vehicle metadata differs",
    "flag_events": "the flags changed: the flag event log differs",
    "model_rows": "inference changed: the model run's predictions or place features differ",
}
# sections compared by dedicated code below; every other section is compared generically.
# "project" (where the project file is) is a note only: the content hashes prove the inputs.
_DEDICATED = {"versions", "inputs", "model_run", "outputs", "auditor", "platform", "project"}


@dataclass
class Verification:
    ok: bool
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rebuilt: dict | None = None


def _short(h) -> str:
    return str(h)[:12] if h else str(h)


def _flatten(value, prefix: str = "") -> dict:
    if isinstance(value, dict):
        out = {}
        for k in sorted(value):
            out.update(_flatten(value[k], f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def _changed(old, new, prefix: str, limit: int = 6) -> list[str]:
    a, b = _flatten(old, prefix), _flatten(new, prefix)
    keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    lines = [f"{k}: {a.get(k)!r} → {b.get(k)!r}" for k in keys[:limit]]
    if len(keys) > limit:
        lines.append(f"… and {len(keys) - limit} more in '{prefix}'")
    return lines


def compare_manifests(old: dict, new: dict) -> tuple[list[str], list[str]]:
    """(differences, notes) between a recorded manifest and a rebuilt one."""
    diffs: list[str] = []
    notes: list[str] = []
    old_hashes = old.get("inputs", {}).get("content_hashes", {})
    new_hashes = new.get("inputs", {}).get("content_hashes", {})
    for name in sorted(set(old_hashes) | set(new_hashes)):
        a, b = old_hashes.get(name) or {}, new_hashes.get(name) or {}
        if a != b:
            words = TABLE_WORDS.get(name, f"the project's {name} differ")
            diffs.append(f"{words} (hash {_short(a.get('sha256'))} → {_short(b.get('sha256'))}, "
                         f"rows {a.get('rows')} → {b.get('rows')})")
    if old.get("inputs", {}).get("files") != new.get("inputs", {}).get("files"):
        diffs.append("an input changed: the imported files differ (imports table)")
    for lib in sorted(set(old.get("versions", {})) | set(new.get("versions", {}))):
        a, b = old.get("versions", {}).get(lib), new.get("versions", {}).get(lib)
        if a != b:
            diffs.append(f"a library version changed: {lib} {a} → {b}")
    if old.get("model_run") != new.get("model_run"):
        a, b = old.get("model_run", {}), new.get("model_run", {})
        if a.get("run_id") != b.get("run_id"):
            diffs.append(f"the model run changed: run {a.get('run_id')} → run {b.get('run_id')} "
                         "(inference was re-run)")
        else:
            diffs.append("the model run's record differs: "
                         + "; ".join(_changed(a, b, "model_run")))
    old_out, new_out = old.get("outputs", {}), new.get("outputs", {})
    for name in sorted(set(old_out.get("files", {})) | set(new_out.get("files", {}))):
        a = old_out.get("files", {}).get(name, {}).get("sha256")
        b = new_out.get("files", {}).get(name, {}).get("sha256")
        if a != b:
            diffs.append(f"an output file differs: {name} (sha256 {_short(a)} → {_short(b)})")
    if old_out.get("rows_sha256") != new_out.get("rows_sha256"):
        diffs.append(f"the exported rows differ (rows {old_out.get('rows')} → "
                     f"{new_out.get('rows')}, rows hash {_short(old_out.get('rows_sha256'))} → "
                     f"{_short(new_out.get('rows_sha256'))})")
    elif old_out != new_out:
        diffs.append("the output description differs: "
                     + "; ".join(_changed(old_out, new_out, "outputs")))
    for section in sorted((set(old) | set(new)) - _DEDICATED):
        if old.get(section) != new.get(section):
            diffs.append(f"{section} differs: "
                         + "; ".join(_changed(old.get(section), new.get(section), section)))
    old_auditor, new_auditor = old.get("auditor", {}), new.get("auditor", {})
    if old_auditor.get("version") != new_auditor.get("version"):
        diffs.append(f"a library version changed: auditor {old_auditor.get('version')} → "
                     f"{new_auditor.get('version')}")
    if old_auditor.get("git_commit") != new_auditor.get("git_commit"):
        notes.append(f"auditor source commit {old_auditor.get('git_commit')} → "
                     f"{new_auditor.get('git_commit')}")
    if old.get("platform") != new.get("platform"):
        notes.append(f"platform {old.get('platform')} → {new.get('platform')}")
    if old.get("project") != new.get("project"):
        notes.append(f"project file {old.get('project')} → {new.get('project')}")
    return diffs, notes


def check_files_on_disk(out_dir: Path, manifest: dict) -> list[str]:
    """The files in OUT_DIR are still the ones the manifest describes."""
    diffs = []
    for name, info in sorted(manifest.get("outputs", {}).get("files", {}).items()):
        path = out_dir / name
        if name not in EXPORT_FILE_NAMES:  # a received manifest names only files we write
            diffs.append(f"the manifest lists {name!r}, which is not a file auditor exports")
        elif not path.is_file():
            diffs.append(f"an output file is missing: {name} is not in {out_dir}")
        elif sha256_file(path) != info.get("sha256"):
            diffs.append(f"an output file differs: {name} in {out_dir} was changed after the "
                         "export (its sha256 no longer matches the manifest)")
    return diffs


def locate_project(out: Path, manifest: dict, project=None) -> Path:
    """The project to rebuild from: ``project`` if given, else the one the manifest names (a
    redacted manifest names it relative to the export folder)."""
    if project is not None:
        path = Path(project)
        if not path.is_file():
            raise UserError(f"{shown(path)}: no such project file — check --project")
        return path
    record = manifest.get("project") if isinstance(manifest.get("project"), dict) else {}
    named = record.get("path")
    if not isinstance(named, str) or not named:
        raise UserError(f"{shown(out)}/{MANIFEST}: names the project only as "
                        f"{record.get('name')!r} — give it with 'auditor verify {shown(out)} "
                        "--project PROJECT'")
    path = Path(named) if Path(named).is_absolute() else out / named
    if not path.exists():
        raise UserError(f"{shown(out)}/{MANIFEST}: project {shown(named)} named in the manifest "
                        "does not exist — put the project back at that path, or give it with "
                        f"'auditor verify {shown(out)} --project PROJECT'")
    return path


def verify_export(out_dir, progress: Progress | None = None, project=None) -> Verification:
    """Rebuild the export in ``out_dir`` from its project (the one the manifest names, or
    ``project``) and compare. The project is opened read-only and only if it is an auditor
    project: a received manifest cannot make verify open or change any other file."""
    out = Path(out_dir)
    manifest = read_manifest(out)
    if manifest is None:
        raise UserError(f"{out}: no auditor {MANIFEST} here — give the folder an "
                        "'auditor export' wrote")
    project = locate_project(out, manifest, project)
    check_is_project(project)  # before anything else: never anything but an auditor project
    diffs = check_files_on_disk(out, manifest)
    with tempfile.TemporaryDirectory(prefix="auditor-verify-") as tmp:
        try:
            # orphaned flags are never applied: whether the export skipped them shows in the
            # rebuilt manifest's flags_in_force, so the rebuild itself never refuses for them
            export_training_set(project, Path(tmp) / "export", fmt=manifest.get("format", "csv"),
                                config=manifest.get("config"), progress=progress,
                                skip_orphaned=True, redact=bool(manifest.get("redacted")))
        except UserError as exc:
            return Verification(False, diffs + [f"the export cannot be rebuilt: {exc}"])
        rebuilt = read_manifest(Path(tmp) / "export")
    more, notes = compare_manifests(manifest, rebuilt)
    diffs += more
    return Verification(not diffs, diffs, notes, rebuilt)
