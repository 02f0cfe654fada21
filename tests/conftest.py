import os

# Qt on a screenless machine, as root (../shared/docs/qt-testing.md); set before Qt loads.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
# Unexpected exceptions surface as tracebacks in tests instead of one 'error:' line.
os.environ.setdefault("AUDITOR_DEBUG", "1")
# One thread per native thread pool: the suite already keeps both cores busy with two xdist
# workers, and OpenMP's barriers (scikit-learn's t-SNE gradient, BLAS) on more threads than
# free cores wait a scheduler slice each time — one t-SNE test took 104 s instead of 2.
for _pool in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")

import pytest  # noqa: E402


def _module(item) -> str:
    return item.nodeid.split("::")[0]


_dask_modules: set[str] = set()  # the modules with a test on the Dask cluster (dask_scheduler)


def pytest_collection_modifyitems(config, items):
    """Slow tests first (in a run without xdist; with it, within each module: xdist hands out
    whole modules, most tests first). The modules on the Dask cluster, which xdist sends to
    one worker together (pytest_xdist_make_scheduler), run one after the other."""
    _dask_modules.update(_module(item) for item in items
                         if "dask_scheduler" in getattr(item, "fixturenames", ()))
    rank = {module: i for i, module in enumerate(sorted(_dask_modules))}
    # a module's tests stay together: its module-scoped fixtures are built once
    items.sort(key=lambda item: (rank.get(_module(item), -1),
                                 item.get_closest_marker("slow") is None))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadscope` (a module's tests on one worker), except that every module that names
    the dask_scheduler fixture goes to the same worker as the others that do: one cluster
    serves them all (the controller does not collect: it reads the test files)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesOnOneCluster(LoadScopeScheduling):
        def __init__(self, config, log=None):
            super().__init__(config, log)
            self._names_fixture: dict[str, bool] = {}

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            if module not in self._names_fixture:
                source = config.rootpath / module
                self._names_fixture[module] = source.is_file() and "dask_scheduler" in \
                    source.read_text(encoding="utf-8", errors="replace")
            return "dask-cluster" if self._names_fixture[module] else super()._split_scope(nodeid)

    return ModulesOnOneCluster(config, log)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Logs, settings and demo data of tests never touch the real user's directories."""
    home = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("AUDITOR_LOG_DIR", str(home / "logs"))
    monkeypatch.setenv("AUDITOR_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    yield


@pytest.fixture(autouse=True)
def _forget_the_projects_a_test_opened():
    """Each test as its own process: the projects it opened leave the process's registry
    (auditor.store.connection) when it ends; those of session and module fixtures stay. Every
    output and input check compares its path with each registered project and its -wal, -shm
    and -journal names (realpath for the ones that do not exist): with the 450 projects one
    xdist worker came to open, those checks took 48 s of its CPU."""
    from auditor.store import connection
    with connection._lock:
        before = dict(connection._opened)
    yield
    with connection._lock:
        connection._opened.clear()
        connection._opened.update(before)


# Shared, expensive fixtures: one small demo fleet, imported and inferred once per test run —
# once in all, not once per xdist worker: the first worker to need it builds it under a file
# lock in the run's shared temp root, the others wait and reuse it. Tests that write to a
# project use `fresh_demo_project`, a copy of it.
import fcntl  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

DEMO_VEHICLES, DEMO_DAYS, DEMO_SEED = 60, 14, 3


def shared_dir(tmp_path_factory, name: str, build) -> Path:
    """``name`` under the run's temp root, made by ``build(path)`` exactly once per run."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the directory every worker's basetemp sits in
    target = root / f"shared-{name}"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".built").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            build(target)
            (target / ".built").touch()
    return target


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    from auditor.demo.generator import write_demo
    return shared_dir(tmp_path_factory, "demo-data", lambda out: write_demo(
        out, vehicles=DEMO_VEHICLES, days=DEMO_DAYS, seed=DEMO_SEED))


def _build_demo_project(demo_dir: Path, out: Path) -> None:
    from auditor.ingest.api import ingest_paths
    from auditor.pipeline.api import infer_project
    from auditor.store import open_project
    project = out / "demo.db"
    ingest_paths(project, [demo_dir / "vehicles.csv"], kind="vehicles")
    ingest_paths(project, [demo_dir / "pings.csv"], kind="pings")
    ingest_paths(project, [demo_dir / "labels.csv"], kind="labels")
    infer_project(project, seed=0)
    conn = open_project(project)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file to copy
    conn.close()


@pytest.fixture(scope="session")
def demo_project(demo_dir, tmp_path_factory) -> Path:
    """An ingested and inferred demo project. Read-only: copy it (fresh_demo_project) to write."""
    return shared_dir(tmp_path_factory, "demo-project",
                      lambda out: _build_demo_project(demo_dir, out)) / "demo.db"


@pytest.fixture
def fresh_demo_project(demo_project, tmp_path) -> Path:
    # through SQLite (backup API), not shutil: a byte copy would open()/close() the project
    # file and drop the locks of connections this process holds on it
    from auditor.store.connection import copy_project
    target = tmp_path / "demo.db"
    copy_project(demo_project, target)
    return target


@pytest.fixture(scope="session")
def tiny_project(tmp_path_factory) -> Path:
    """A second, much smaller demo project (8 vehicles x 4 days, another seed), built once per
    run: for tests that need a project other than the shared one, or just a quick one to run
    inference or export on. Read-only: copy it (fresh_tiny_project) to write."""
    from auditor.demo.project import build_demo_project
    return shared_dir(tmp_path_factory, "tiny-project", lambda out: build_demo_project(
        out / "demo.db", vehicles=8, days=4, seed=5)) / "demo.db"


@pytest.fixture
def fresh_tiny_project(tiny_project, tmp_path) -> Path:
    from auditor.store.connection import copy_project  # SQLite's backup API, as above
    target = tmp_path / "tiny.db"
    copy_project(tiny_project, target)
    return target


# A real Dask cluster for the engine tests (tests/test_engines.py, the GUI's Run menu).
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskCluster:
    """`dask scheduler` and two `dask worker` processes (one thread each), as a user would
    start them, on a free loopback port of 127.0.0.1."""

    def __init__(self, logs: Path):
        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        dask = str(Path(sys.executable).with_name("dask"))
        self.procs = []

        def start(name, args):
            log = open(logs / f"{name}.log", "w")
            self.procs.append((subprocess.Popen([dask, *args], stdout=log,
                                                stderr=subprocess.STDOUT), log))

        start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(port),
                            "--no-dashboard", "--idle-timeout", "600s"])
        for i in range(2):
            start(f"worker{i}", ["worker", self.address, "--host", "127.0.0.1", "--nthreads",
                                 "1", "--no-nanny", "--no-dashboard", "--memory-limit", "0",
                                 "--death-timeout", "60"])
        try:
            from distributed import Client
            deadline = time.monotonic() + 120
            while True:  # the scheduler may not listen yet
                try:
                    client = Client(self.address, timeout="5s")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            client.wait_for_workers(2, timeout=120)
            client.close()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for proc, _ in reversed(self.procs):  # workers first: they would wait for the scheduler
            proc.terminate()
        for proc, log in reversed(self.procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        self.procs = []


# The cluster of this process (xdist worker), while tests that use it run back to back. An idle
# cluster is not free: heartbeats and event-loop ticks of its three processes cost ~0.13 s of
# CPU per second, ~35 s over the rest of a run when it lived as long as the session.
_dask_cluster: DaskCluster | None = None


@pytest.fixture
def dask_scheduler(tmp_path_factory) -> str:
    """The address of a running DaskCluster: started for the first test that asks for it,
    stopped when the next test is not in a module that uses it (pytest_runtest_teardown
    below). Those modules run on one xdist worker, one after the other
    (pytest_collection_modifyitems)."""
    global _dask_cluster
    if _dask_cluster is None:
        _dask_cluster = DaskCluster(tmp_path_factory.mktemp("dask-logs"))
    return _dask_cluster.address


def _stop_dask_cluster() -> None:
    global _dask_cluster
    if _dask_cluster is not None:
        cluster, _dask_cluster = _dask_cluster, None
        cluster.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)  # the test's own fixtures first (a module's Client, say)
    finally:
        if nextitem is None or _module(nextitem) not in _dask_modules:
            _stop_dask_cluster()


def pytest_sessionfinish(session):
    _stop_dask_cluster()  # a run stopped early (-x, ^C) between two tests that use it
