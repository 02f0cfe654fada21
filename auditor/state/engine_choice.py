"""Which engine the GUI's Run ▸ Infer uses: the user's choice, checked, kept in the settings.

The same three choices as the CLI: this process (``--engine local``), a Dask cluster started
on this machine (``--engine dask --workers N``) or an existing Dask scheduler
(``--scheduler tcp://host:8786``)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Optional

from auditor.errors import UserError

LOCAL, LOCAL_CLUSTER, SCHEDULER = "local", "local_cluster", "scheduler"
KINDS = (LOCAL, LOCAL_CLUSTER, SCHEDULER)
TEXT = {LOCAL: "In this process (local)", LOCAL_CLUSTER: "Dask cluster on this machine",
        SCHEDULER: "Dask scheduler (existing cluster)"}


@dataclass(frozen=True)
class EngineChoice:
    kind: str = LOCAL
    workers: Optional[int] = None   # LOCAL_CLUSTER: worker processes (None: one per core)
    scheduler: str = ""             # SCHEDULER: e.g. tcp://host:8786

    def checked(self) -> "EngineChoice":
        """This choice, or UserError saying what to fix."""
        if self.kind not in KINDS:
            raise UserError(f"unknown engine {self.kind!r}: use one of {', '.join(KINDS)}")
        if self.kind == LOCAL_CLUSTER and self.workers is not None and self.workers < 1:
            raise UserError(f"{self.workers} workers: give at least one worker process")
        if self.kind == SCHEDULER:
            address = self.scheduler.strip()
            if "://" not in address or not address.split("://", 1)[1]:
                raise UserError(f"scheduler {self.scheduler!r}: give an address such as "
                                "tcp://host:8786")
            return EngineChoice(SCHEDULER, None, address)
        return self

    def engine(self):
        """A not yet started engine for ``infer_project``."""
        from auditor.pipeline.engine import DaskEngine, LocalEngine
        choice = self.checked()
        if choice.kind == LOCAL:
            return LocalEngine()
        if choice.kind == LOCAL_CLUSTER:
            # never an ambient DASK_SCHEDULER_ADDRESS here: the user picked "this machine"
            return DaskEngine(workers=choice.workers, from_env=False)
        return DaskEngine(scheduler=choice.scheduler)

    def describe(self) -> str:
        if self.kind == LOCAL_CLUSTER:
            return f"{TEXT[self.kind]}, {self.workers or 'one per core'} workers"
        if self.kind == SCHEDULER:
            return f"Dask scheduler {self.scheduler}"
        return TEXT[LOCAL]

    def to_text(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_text(cls, text: Optional[str]) -> "EngineChoice":
        """A stored choice; the local engine for anything unreadable (never a crash at start)."""
        try:
            data = json.loads(text or "{}")
            workers = data.get("workers")
            return cls(str(data.get("kind", LOCAL)),
                       None if workers is None else int(workers),
                       str(data.get("scheduler") or "")).checked()
        except (ValueError, TypeError, AttributeError, UserError):
            return cls()
