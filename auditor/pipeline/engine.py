"""Inference's engines: ``auditor.engine``'s, with the derivation preloaded on Dask workers.

The engines live below ingest and pipeline (an import runs on them too:
auditor.ingest.parallel); this module keeps inference's names (``DaskEngine``,
``make_engine``) and says what a worker imports before its first shard."""
from __future__ import annotations

from typing import Optional

from auditor import engine as _engine
from auditor.engine import (
    ENGINES,
    HEARTBEAT_S,
    SCHEDULER_ENV,
    LocalEngine,
    local_processes,
    parallel_map,
    same_path_fix,
)

__all__ = ["ENGINES", "HEARTBEAT_S", "SCHEDULER_ENV", "LocalEngine", "DaskEngine",
           "make_engine", "same_path_fix", "local_processes", "parallel_map"]


class DaskEngine(_engine.DaskEngine):
    """A Dask engine whose workers import the derivation at start-up (counted as start-up,
    not as the first shard)."""
    PRELOAD = ("auditor.pipeline.shards", "auditor.pipeline.derive")


def make_engine(name: Optional[str] = None, workers: Optional[int] = None,
                scheduler: Optional[str] = None):
    """The engine a CLI/GUI choice names, for inference (see ``auditor.engine.make_engine``)."""
    return _engine.make_engine(name, workers, scheduler, dask_engine=DaskEngine)
