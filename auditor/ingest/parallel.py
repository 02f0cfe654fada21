"""Validating an import's files in parallel on an engine (``auditor ingest … --engine dask``).

The split is the narrow boundary ``auditor.ingest.plan.typed_chunks(plan)``: one planned file
-> its chunks, each with its validated typed frame (the row-local rules; quarantine reasons in
``reason``, the lines that are no row in ``chunk.rejected``). Workers run exactly that, one
file per task (``validate_file``); the client then does what needs the project — the scope,
the rules across rows and imports (duplicates, jumps), the writes — through the same
``_import`` as a local import, file after file in the given order, in one transaction. So
the project (pings, quarantine, digests, summaries) and a ``--pings-store`` dataset are
byte-identical to a local import, and a failure anywhere leaves nothing written.

A file is the unit of work: a directory of many files spreads over the workers; one huge
file is read by one worker (while the client writes the files before it).
Workers open the files themselves: they must see them at the same path (``check_paths``).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Callable, Iterator, Optional

from auditor.errors import UserError
from auditor.progress import Progress, report

# what a worker imports at start-up (counted as start-up): the readers and the row rules
PRELOAD = ("auditor.ingest.readers", "auditor.ingest.rows", "auditor.ingest.gpx")


def is_parallel(engine) -> bool:
    """An engine other than this process (``None`` and ``LocalEngine``: today's path)."""
    return engine is not None and getattr(engine, "name", "local") != "local"


def validate_file(plan) -> list:
    """On a worker: one planned file -> [(chunk, typed frame)] in file order, through the
    same ``typed_chunks`` a local import streams. A file the worker does not see, or sees
    with other bytes, is a UserError naming it (nothing is written: the client raises it)."""
    from auditor.ingest.plan import typed_chunks
    path = str(plan.source.path)
    where = _worker_name()
    try:
        size = os.stat(path).st_size
    except OSError:
        raise UserError(f"{path}: Dask worker {where} cannot see this file at this path — put "
                        "the input files on storage every worker mounts at the same path, or "
                        "use --engine local") from None
    if size != plan.source.size_bytes:
        raise UserError(f"{path}: Dask worker {where} sees another file at this path ({size:,} "
                        f"bytes there, {plan.source.size_bytes:,} here) — give every worker "
                        "the same files at the same path")
    return list(typed_chunks(plan))


def _worker_name() -> str:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return "(this process)"


@contextmanager
def validated_on(engine, plans: list) -> Iterator[Callable]:
    """Starts ``engine`` (unless the caller holds it started), checks every worker sees the
    files, and submits one ``validate_file`` task per file, a few per worker ahead of the one
    the client is writing. Yields ``frames(i, step)``: file i's (chunk, frame) pairs once its
    task is done; ``step`` (the file's progress) hears about the wait every half second, so
    Cancel works while the client waits. Leaving cancels what still runs on the cluster."""
    from auditor.engine import same_path_fix
    with engine as running:
        running.check_paths([str(p.source.path) for p in plans], "this input file",
                            same_path_fix(running))
        waiting = {"step": None, "name": ""}

        def heard(done: int, total: int, message: str) -> None:  # only while the client waits
            report(waiting["step"], 0, 1, f"{waiting['name']}: waiting for its validation — "
                                          f"{message}")
        results = running.imap(validate_file, ((p,) for p in plans), len(plans), heard,
                               describe=lambda done, total, n: (f"{done} of {total} files "
                                                                f"validated on {n} Dask workers"))
        asked = iter(range(len(plans)))

        def frames(i: int, step: Optional[Progress] = None) -> Iterator:
            if next(asked, None) != i:  # pragma: no cover - _run asks in order, once each
                raise RuntimeError(f"file {i} asked for out of order")
            waiting.update(step=step, name=plans[i].source.name)
            return iter(next(results))
        try:
            yield frames
        finally:
            results.close()


__all__ = ["validate_file", "validated_on", "is_parallel", "PRELOAD"]
