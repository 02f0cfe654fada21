"""Engines: who runs the per-task work of a long job — inference's shards of vehicles
(auditor.pipeline), an import's files (auditor.ingest.parallel).

Both engines do one thing — map a pure function over tasks and hand the results back in
task order (``map``: all at the end; ``imap``: one by one, as soon as the next in order is
done) — and report progress per finished task, so Cancel (the progress callback raising
Cancelled) works the same with either:

- ``LocalEngine``: on this machine. One process, one shard after the other; or, when the
  fleet is large enough that it pays and the process may fork (``processes="auto"``, the
  default), a pool of worker processes forked before the project is opened: each reads its
  shards through its own read-only connection, and the model's fold fits are spread over the
  same pool (``parallel_map``). The results are the same bytes either way.
- ``DaskEngine``: on a Dask cluster. With no address it starts a ``distributed.LocalCluster``
  of N worker processes (one thread each: the work is pandas/numpy and holds the GIL) and
  stops it again; with ``scheduler="tcp://host:8786"`` (or DASK_SCHEDULER_ADDRESS) it uses
  a cluster someone else runs. Workers only compute: the client alone writes the project.

dask is imported only when a Dask engine is used, so the CLI and the GUI start without it.
This module sits below ingest and pipeline (pyproject's layers); what a worker should import
before the first task is named by the caller (``preload``), never imported here.
"""
from __future__ import annotations

import contextvars
import multiprocessing
import os
import threading
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from auditor.errors import UserError
from auditor.progress import Progress, report

ENGINES = ("local", "dask")
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
HEARTBEAT_S = 0.5  # longest wait for a shard before progress (and so Cancel) is checked


# the fleet size (project file bytes, pings dominate: ~80 bytes each with the index) from
# which forking worker processes pays: at a load average of ~8 on 2 cores, 19.5M pings (a
# 1.6 GB file) took 200 s wall in 2 processes against 313 s in 1 (same CPU), while 442k
# (35 MB) were no faster in 2 at any load measured, idle included (README, Known gaps)
PARALLEL_FROM_BYTES = 256 * 2**20
_POOL: contextvars.ContextVar = contextvars.ContextVar("auditor_local_pool", default=None)


def fork_is_safe() -> bool:
    """Forking copies only the calling thread: safe here only with no other Python thread
    running (the CLI; not the GUI, whose worker thread runs inference beside Qt's)."""
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1
            and threading.current_thread() is threading.main_thread())


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


class LocalEngine:
    """Inference on this machine. ``processes``: 1 (in this process), N (a pool of N worker
    processes), or "auto": when the process may fork, the cores (at most ``max_auto``) for a
    project file of PARALLEL_FROM_BYTES or more; else 1. A pool with no fork available
    (another thread is running, or not Linux) starts fresh interpreters ("forkserver" or
    "spawn"), which costs each worker its imports."""
    name = "local"
    shares_files = True  # the task runs where the project file is

    def __init__(self, processes: int | str = "auto", max_auto: int = 2):
        if processes != "auto" and int(processes) < 1:
            raise UserError(f"processes {processes}: give a positive number")
        self.processes = processes
        self.max_auto = max_auto
        self.pool = None
        self._token = None
        self._planned = 1 if processes == "auto" else int(processes)

    def plan_for(self, project) -> "LocalEngine":
        """Decide the pool's size for ``project`` (before ``with``: the pool is forked before
        the project is opened, so a worker inherits no SQLite state)."""
        if self.processes != "auto":
            self._planned = int(self.processes)
            return self
        try:
            size = os.path.getsize(project)
        except OSError:
            size = 0
        if size < PARALLEL_FROM_BYTES or not fork_is_safe():
            self._planned = 1
        else:
            self._planned = max(1, min(usable_cores(), self.max_auto))
        return self

    @property
    def workers_hint(self) -> int:
        """How many shards run at once (sizes the shards; never the results)."""
        return self._planned

    def __enter__(self) -> "LocalEngine":
        if self._planned > 1 and self.pool is None:
            from concurrent.futures import ProcessPoolExecutor
            method = ("fork" if fork_is_safe() else
                      "forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                      else "spawn")
            self.pool = ProcessPoolExecutor(self._planned,
                                            mp_context=multiprocessing.get_context(method))
            # with fork, every worker is forked at the first submit, before the manager thread
            # starts: now, while this process holds no SQLite connection to the project
            self.pool.submit(os.getpid).result()
            self._token = _POOL.set(self.pool)
        return self

    def __exit__(self, *exc) -> None:
        if self._token is not None:
            _POOL.reset(self._token)
            self._token = None
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def describe(self) -> dict:
        return {"engine": "local", "processes": self._planned}

    def map(self, fn: Callable, tasks: Iterable[tuple], total: int,
            progress: Optional[Progress] = None, common: tuple = ()) -> list:
        """``[fn(*task, *common) for task in tasks]``, reporting after each finished task."""
        out = []
        report(progress, 0, total, f"vehicles: shard 1 of {total}")
        if self.pool is None:
            for i, task in enumerate(tasks):
                out.append(fn(*task, *common))
                report(progress, i + 1, total, f"vehicles: shard {i + 1} of {total}")
            return out
        futures = [self.pool.submit(fn, *task, *common) for task in tasks]
        try:
            for i, fut in enumerate(futures):
                out.append(fut.result())  # a task's error is raised here, in task order
                report(progress, i + 1, total, f"vehicles: shard {i + 1} of {total} "
                                               f"({self._planned} processes)")
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
        return out

    def imap(self, fn: Callable, tasks: Iterable[tuple], total: int,
             progress: Optional[Progress] = None, common: tuple = (),
             describe: Optional[Callable[[int, int, int], str]] = None) -> Iterator:
        """``fn(*task, *common)`` for each task, lazily: one result in memory at a time."""
        for task in tasks:
            yield fn(*task, *common)

    def check_paths(self, paths: Sequence, what: str, fix: str) -> None:
        """This process is where the paths were found: nothing to check."""
        return None


def parallel_map(fn: Callable, tasks: list[tuple]) -> list:
    """``[fn(*task) for task in tasks]`` on the running local engine's pool when there is one
    (the model's fold fits), else here. ``fn`` must be a module-level function: pure, so
    where it runs never changes what it returns."""
    pool = _POOL.get()
    if pool is None or len(tasks) < 2:
        return [fn(*task) for task in tasks]
    futures = [pool.submit(fn, *task) for task in tasks]
    try:
        return [f.result() for f in futures]
    except BaseException:
        for f in futures:
            f.cancel()
        raise


class DaskEngine:
    """A Dask client for the duration of a ``with`` block. ``workers``: LocalCluster size
    (default: the machine's cores); ``scheduler``: an existing cluster's address."""
    name = "dask"

    def __init__(self, workers: Optional[int] = None, scheduler: Optional[str] = None,
                 threads_per_worker: int = 1, in_flight_per_worker: int = 2,
                 connect_timeout_s: float = 10.0, from_env: bool = True,
                 preload: Sequence[str] = ()):
        if workers is not None and int(workers) < 1:
            raise UserError(f"--workers {workers}: give a positive number of worker processes")
        self.workers = int(workers) if workers is not None else None
        self.scheduler = scheduler or (os.environ.get(SCHEDULER_ENV) if from_env else None) \
            or None
        self.threads_per_worker = threads_per_worker
        self.in_flight_per_worker = in_flight_per_worker
        self.connect_timeout_s = connect_timeout_s
        # modules a worker imports at start-up (counted as start-up, not as the first task)
        self.preload = tuple(preload) or tuple(getattr(type(self), "PRELOAD", ()))
        self.client = None
        self.cluster = None
        self.start_seconds = 0.0

    @property
    def shares_files(self) -> bool:
        """A LocalCluster we started runs on this machine and can open the project itself;
        a remote cluster gets the pings shipped (or reads a shared Parquet store)."""
        return self.cluster is not None

    def describe(self) -> dict:
        return {"engine": "dask", "scheduler": self.scheduler or "LocalCluster",
                "workers": self._n_workers()}

    @property
    def workers_hint(self) -> int:
        """Shards that run at once: every worker thread of the cluster."""
        if self.client is None:
            return self.workers or 1
        info = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.values()))

    def __enter__(self) -> "DaskEngine":
        """Connects (or starts the LocalCluster) on the outermost ``with`` only: a caller may
        hold one cluster across several runs (the bench, a session of tests)."""
        self._depth = getattr(self, "_depth", 0) + 1
        if self.client is not None:
            return self
        try:
            return self._start()
        except BaseException:
            self._depth -= 1
            self._close()  # a cluster started before the failure does not outlive it
            raise

    def _start(self) -> "DaskEngine":
        import time
        started = time.perf_counter()
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            raise UserError(f"--engine dask needs the 'dask[distributed]' package ({exc})") \
                from None
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout=f"{self.connect_timeout_s}s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise UserError(f"--scheduler {self.scheduler}: no Dask scheduler answered "
                                f"({exc}); start one with 'dask scheduler' or check the "
                                "address") from None
        else:
            n = self.workers or os.cpu_count() or 1
            # the scheduler's HTTP endpoints on a free loopback port: the default :8787 would
            # clash with anyone else's cluster on this host (and listen on every interface)
            try:
                self.cluster = LocalCluster(n_workers=n,
                                            threads_per_worker=self.threads_per_worker,
                                            processes=True, dashboard_address="127.0.0.1:0",
                                            silence_logs=40)
            except (OSError, RuntimeError, TimeoutError) as exc:
                raise UserError(f"--engine dask: could not start a local Dask cluster "
                                f"({str(exc).splitlines()[0][:160]}) — its workers talk over "
                                "127.0.0.1: check that loopback is up, or use --engine local") \
                    from None
            self.client = Client(self.cluster)
        # imports done before the first shard (counted as start-up), and the versions that
        # decide the results checked: a worker with other libraries could derive other tables
        here = _warm_up(self.preload)
        for worker, theirs in self.client.run(_warm_up, self.preload).items():
            if theirs != here:
                differ = ", ".join(f"{k} {theirs.get(k)} there, {v} here"
                                   for k, v in here.items() if theirs.get(k) != v)
                raise UserError(f"Dask worker {worker} runs other versions ({differ}) — "
                                "install the same auditor environment on every worker")
        self.start_seconds = time.perf_counter() - started
        return self

    def __exit__(self, *exc) -> None:
        self._depth = getattr(self, "_depth", 1) - 1
        if self._depth <= 0:
            self._close()

    def _close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

    def _n_workers(self) -> int:
        if self.client is None:
            return self.workers or 0
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    def scatter(self, value: Any) -> Any:
        """Send ``value`` (e.g. the vehicles table every task needs) to the workers once."""
        return self.client.scatter(value, broadcast=True)

    def map(self, fn: Callable, tasks: Iterable[tuple], total: int,
            progress: Optional[Progress] = None, common: tuple = ()) -> list:
        """Submits at most a few tasks per worker ahead of the finished ones (tasks may carry
        pings read on the client: never all of them in memory at once), collects the results
        in task order. Progress is reported per finished shard and, while shards run, every
        ``HEARTBEAT_S``, so Cancel is noticed within that time; it cancels the cluster's
        tasks too."""
        from distributed import wait
        limit = max(2, self.in_flight_per_worker * max(1, self._n_workers()))
        results: dict[int, Any] = {}
        pending = iter(enumerate(tasks))
        running: dict = {}

        def submit_next() -> None:
            for i, task in pending:
                running[self.client.submit(fn, *task, *common, pure=False)] = i
                return

        def message() -> str:
            return (f"vehicles: {len(results)} of {total} shards done on "
                    f"{self._n_workers()} Dask workers")
        try:
            for _ in range(limit):
                submit_next()
            report(progress, 0, total, message())
            while running:
                try:
                    finished, _ = wait(list(running), timeout=HEARTBEAT_S,
                                       return_when="FIRST_COMPLETED")
                except TimeoutError:
                    report(progress, len(results), total, message())  # may raise Cancelled
                    continue
                for fut in finished:
                    i = running.pop(fut)
                    results[i] = fut.result()  # re-raises a task's error here, on the client
                    fut.release()
                    submit_next()
                report(progress, len(results), total, message())
        except BaseException:
            self.client.cancel(list(running))
            raise
        return [results[i] for i in range(len(results))]

    def imap(self, fn: Callable, tasks: Iterable[tuple], total: int,
             progress: Optional[Progress] = None, common: tuple = (),
             describe: Optional[Callable[[int, int, int], str]] = None) -> Iterator:
        """Like ``map``, but yields each result as soon as it and every one before it are
        done, so the caller can store task 1 while the cluster computes tasks 2…; at most a
        few tasks per worker are submitted ahead of the one the caller waits for. A failed
        task raises its error here as soon as it is seen — even one after the task waited
        for — and the cluster's other tasks are cancelled (also on Cancel, and when the
        caller stops early)."""
        from distributed import wait
        limit = max(2, self.in_flight_per_worker * max(1, self._n_workers()))
        pending = iter(enumerate(tasks))
        running: dict = {}   # future -> task index, for every task not yet handed out
        by_index: dict = {}
        handed = 0

        def submit_next() -> None:
            for i, task in pending:
                fut = self.client.submit(fn, *task, *common, pure=False)
                running[fut] = i
                by_index[i] = fut
                return

        def message() -> str:
            done = handed + sum(1 for f in running if f.status == "finished")
            return (describe or _tasks_done)(done, total, self._n_workers())

        def raise_failed() -> None:
            for fut in running:
                if fut.status in ("error", "cancelled"):
                    fut.result()  # re-raises the task's error here, on the client
        try:
            for _ in range(limit):
                submit_next()
            report(progress, 0, total, message())
            while running:
                fut = by_index[handed]
                while fut.status not in ("finished", "error", "cancelled"):
                    raise_failed()
                    try:  # the one waited for: the others' failures are seen per heartbeat
                        wait([fut], timeout=HEARTBEAT_S)
                    except TimeoutError:
                        pass
                    report(progress, handed, total, message())  # may raise Cancelled
                raise_failed()
                result = fut.result()
                del running[fut], by_index[handed]
                fut.release()
                handed += 1
                submit_next()
                report(progress, handed, total, message())
                yield result
        except BaseException:  # an error, Cancel, or the caller closing us early
            self.client.cancel(list(running))
            raise

    def check_paths(self, paths: Sequence, what: str, fix: str) -> None:
        """Every worker must see ``paths`` (files or folders) where this machine sees them:
        a worker reads them itself. One UserError naming the first path and worker that
        does not — instead of a traceback, or worse, a worker quietly reading nothing."""
        paths = [str(p) for p in paths]
        if not paths:
            return
        for worker, missing in sorted(self.client.run(_missing_paths, paths).items()):
            if missing:
                more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
                raise UserError(f"{missing[0]}{more}: Dask worker {worker} cannot see {what} "
                                f"at this path — {fix}")


def _tasks_done(done: int, total: int, workers: int) -> str:
    return f"{done} of {total} tasks done on {workers} Dask workers"


def _missing_paths(paths: Sequence[str]) -> list[str]:
    """On a worker: which of ``paths`` do not exist there."""
    return [p for p in paths if not os.path.exists(p)]


def same_path_fix(engine) -> str:
    """How to give workers the path: what to say depends on where they run."""
    if getattr(engine, "cluster", None) is not None:
        return ("the local cluster's workers run as other processes: give a path every "
                "process sees (not one under /proc/self), or use --engine local")
    return ("put it on storage every worker mounts at the same path (NFS, a shared volume), "
            "or use --engine local")


def _warm_up(preload: Sequence[str] = ()) -> dict:
    """On each worker: import what a task needs (the caller's ``preload``: pandas, pyarrow,
    the derivation or the import's readers); returns the versions results depend on."""
    import importlib
    from importlib import metadata

    for name in ("pyarrow.parquet", *preload):
        importlib.import_module(name)
    out = {}
    for lib in ("auditor", "numpy", "pandas", "pyarrow", "tzfpy"):
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    return out


PROCESSES_ENV = "AUDITOR_LOCAL_PROCESSES"


def local_processes() -> int | str:
    """The local engine's processes: AUDITOR_LOCAL_PROCESSES (a number, or "auto"), else
    "auto"."""
    text = os.environ.get(PROCESSES_ENV, "auto").strip().lower() or "auto"
    if text == "auto":
        return "auto"
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise UserError(f"{PROCESSES_ENV}={text}: give a positive number of processes, or auto")
    return n


def make_engine(name: Optional[str] = None, workers: Optional[int] = None,
                scheduler: Optional[str] = None, dask_engine: type = DaskEngine,
                preload: Sequence[str] = ()):
    """The engine a CLI/GUI choice names (not started yet: ``infer_project`` enters it).
    ``--workers``/``--scheduler`` only mean something for dask; giving them with an explicit
    local engine is a mistake worth saying."""
    if name is None:  # --workers/--scheduler alone mean "on Dask"
        name = "dask" if (workers is not None or scheduler) else "local"
    name = name.lower()
    if name not in ENGINES:
        raise UserError(f"--engine {name}: use one of {', '.join(ENGINES)}")
    if name == "local":
        if workers is not None or scheduler:
            raise UserError("--workers and --scheduler need --engine dask")
        return LocalEngine(local_processes())
    if workers is not None and scheduler:
        raise UserError("--workers sizes the cluster auditor starts; a cluster at --scheduler "
                        "has its own workers — give one of the two")
    return dask_engine(workers=workers, scheduler=scheduler, preload=preload)
