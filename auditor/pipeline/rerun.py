"""`infer --rerun RUN`: run a past run's recorded settings, seed and label source again, then
say whether the new predictions are byte-identical to RUN's — or name what differs: the data
(pings, labels, vehicles), the labelling code, a setting the code now has that RUN never
recorded (today's default was used), or the export it was retrained on."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from auditor.errors import UserError
from auditor.pipeline.config import InferConfig
from auditor.pipeline.run_record import code_version, stored_predictions_digest
from auditor.progress import Progress
from auditor.store import open_project, transaction
from auditor.store.queries import read_run

# settings added after runs were made, with the value that repeats what those runs did
BEFORE_IT_EXISTED = {"night_twins": False, "night_twins_ties_by_log_loss": False,
                     "refit_rule_vouches": False, "night_twins_clear_p": 0.0}


def recorded_settings(run: dict) -> tuple[dict, list[str]]:
    """(settings to run with, differences from RUN's record): settings RUN recorded that this
    code no longer has are dropped, settings it lacks take today's default — both named —
    except those in BEFORE_IT_EXISTED, which take what the code of RUN's day did."""
    fields = {f.name: f for f in dataclasses.fields(InferConfig)}
    recorded = dict(run["config"] or {})
    notes = []
    for k in sorted(set(recorded) - set(fields)):
        notes.append(f"setting '{k}' (recorded {json.dumps(recorded.pop(k))}) no longer exists")
    defaults = InferConfig()
    for k in sorted(set(fields) - set(recorded)):
        if k in BEFORE_IT_EXISTED:  # what the code that made the run did: repeat it
            recorded[k] = BEFORE_IT_EXISTED[k]
            continue
        notes.append(f"setting '{k}' was not recorded by run {run['run_id']}: today's default "
                     f"{json.dumps(InferConfig.to_dict(defaults)[k])} was used")
    if "without" in recorded:
        recorded["without"] = tuple(recorded["without"] or ())
    return recorded, notes


def _source(run: dict) -> tuple[str | None, str | None, list[str]]:
    """(model_from, weights_from, problems) as RUN recorded them."""
    metrics = run["metrics"] or {}
    wf = metrics.get("weights_from")
    src = (metrics.get("labels_source") or {}).get("model_from") or {}
    problems = []
    weights_from = None
    if wf:
        weights_from = wf.get("path")
        manifest = Path(weights_from) / "manifest.json"
        if not manifest.is_file():
            raise UserError(f"--rerun {run['run_id']}: it was retrained on the export "
                            f"{weights_from}, which is gone — restore that folder")
        from auditor.pipeline.weights_from import manifest_digest
        if manifest_digest(Path(weights_from)) != wf.get("manifest_sha256"):
            problems.append(f"the export {weights_from} changed since (manifest sha256 "
                            f"{wf.get('manifest_sha256', '')[:12]} -> "
                            f"{manifest_digest(Path(weights_from))[:12]})")
    model_from = src.get("path") if src else None
    return model_from, weights_from, problems


def rerun(project, run_id: int, progress: Progress | None = None) -> dict:
    """Infer again with RUN's record; the infer summary plus a "rerun" verdict."""
    from auditor.pipeline.api import infer_project
    path = Path(project)
    if not path.exists():
        raise UserError(f"{path}: no such project")
    conn = open_project(path, create=False, readonly=True)
    try:
        try:
            run = read_run(conn, int(run_id))
        except KeyError:
            raise UserError(f"--rerun {run_id}: no such run — 'auditor runs {path}' lists "
                            "them") from None
    finally:
        conn.close()
    if run["kind"] != "model":
        raise UserError(f"--rerun {run_id}: that is a baseline run; rerun its model run "
                        "('auditor runs' lists them)")
    settings, notes = recorded_settings(run)
    model_from, weights_from, problems = _source(run)
    config = InferConfig.from_any(settings)
    summary = infer_project(path, seed=int(run["seed"] or 0), config=config, progress=progress,
                            model_from=model_from, weights_from=weights_from)
    new_id = summary["run_id"]
    conn = open_project(path, create=False)
    try:
        new = read_run(conn, new_id)
        identical = stored_predictions_digest(conn, run_id) == stored_predictions_digest(
            conn, new_id)
        differs = list(problems)
        if new["data_hash"] != run["data_hash"]:
            differs.append(f"the data changed: data hash {str(run['data_hash'])[:12]} -> "
                           f"{str(new['data_hash'])[:12]} (pings, labels or vehicles)")
        old_code = (run["versions"] or {}).get("code") or {}
        now_code = code_version()
        if old_code != now_code:
            differs.append(
                "the code changed: " + (
                    f"auditor {old_code.get('auditor')} -> {now_code['auditor']}, labelling "
                    f"code {str(old_code.get('pipeline_sha256'))[:12]} -> "
                    f"{str(now_code['pipeline_sha256'])[:12]}" if old_code else
                    f"run {run_id} recorded no code version (made before runs did)"))
        libs = {k: v for k, v in (run["versions"] or {}).items() if k != "code"}
        now_libs = {k: v for k, v in (new["versions"] or {}).items() if k != "code"}
        for k in sorted(set(libs) | set(now_libs)):
            if libs.get(k) != now_libs.get(k):
                differs.append(f"{k} {libs.get(k)} -> {now_libs.get(k)}")
        differs.extend(notes)
        verdict = {"run_id": int(run_id), "new_run_id": new_id, "identical": identical,
                   "differences": differs}
        new["metrics"]["rerun_of"] = verdict
        with transaction(conn):
            conn.execute("UPDATE runs SET metrics = ? WHERE run_id = ?",
                         (json.dumps(new["metrics"], sort_keys=True), new_id))
    finally:
        conn.close()
    summary["rerun"] = verdict
    return summary


def render_verdict(v: dict) -> list[str]:
    if v["identical"] and not v["differences"]:
        return [f"rerun of run {v['run_id']} (as run {v['new_run_id']}): predictions are "
                "byte-identical — same data, same code, same settings"]
    head = (f"rerun of run {v['run_id']} (as run {v['new_run_id']}): predictions are "
            + ("byte-identical" if v["identical"] else "NOT identical"))
    lines = [head + (", although:" if v["identical"] else "; what differs:")]
    lines += [f"  - {d}" for d in v["differences"]] or ["  - nothing recorded differs "
                                                         "(please report this as a bug)"]
    return lines
