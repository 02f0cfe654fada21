"""Every place of a run as a point in 2-D: the feature-space ("scatter") view's data, no Qt.

``place_projection`` projects the run's place features (auditor.pipeline.features
FEATURE_COLUMNS; missing values -> the column median, then each column robust-scaled by
median / IQR and clipped to ±CLIP, so a count in the hundreds does not drown a share and a
few extreme places do not squeeze the rest into a corner) to 2-D:

- ``pca`` (default): scikit-learn PCA, ``svd_solver='full'``: deterministic, ~0.1 s at 100k;
- ``tsne``: scikit-learn t-SNE (Barnes-Hut, PCA init, seeded). It costs minutes at 100k, so
  above ``TSNE_MAX_POINTS`` it is fitted on a seeded sample and every other place is put at
  the mean of its 5 nearest sampled neighbours' points (feature space) — said in
  ``Projection.approximate``.

Results are arrays (place ids, float32 x/y), never per-point objects, and are cached per run
identity (run id, creation time, input hash) + method + seed: in memory (the last few) and,
when a ``cache_dir`` is given (``default_cache_dir()`` for the app), on disk as one .npz per
key, so a t-SNE is computed once per run. ``colour_columns`` gives the arrays the view colours
by (given / predicted label, model wrong, suspicion score, each metadata column), aligned with
the projection. The view flags a lasso's places in one undo step with
``AppState.flag_places`` (FlagStack.do_many)."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from auditor.errors import UserError
from auditor.progress import Progress
from auditor.progress import report as tell

METHODS = ("pca", "tsne")
TSNE_MAX_POINTS = 20_000
CLIP = 5.0
CACHE_VERSION = 2


@dataclass(frozen=True)
class Projection:
    place_ids: np.ndarray          # str objects, sorted by place id
    xy: np.ndarray                 # float32, shape (n, 2)
    method: str
    seed: int
    features: tuple[str, ...]
    identity: tuple                # the run's (run_id, created_at, data_hash)
    explained: Optional[tuple[float, float]] = None   # PCA: variance share of each axis
    approximate: bool = False      # t-SNE fitted on a sample, the rest placed by neighbours

    def __len__(self) -> int:
        return len(self.place_ids)

    def places_in(self, mask: np.ndarray) -> list[str]:
        """The place ids where ``mask`` (a lasso's boolean array) is True."""
        return self.place_ids[np.asarray(mask, dtype=bool)].tolist()

    def index_of(self, place_id: str) -> Optional[int]:
        i = int(np.searchsorted(self.place_ids, place_id))
        return i if i < len(self.place_ids) and self.place_ids[i] == place_id else None


def default_cache_dir() -> Path:
    """Where the app keeps projections: the user cache directory (platformdirs)."""
    import platformdirs
    return Path(platformdirs.user_cache_dir("auditor", appauthor=False)) / "projections"


class _Memory:
    def __init__(self, size: int = 6):
        self.size = size
        self.items: OrderedDict[tuple, Projection] = OrderedDict()

    def get(self, key):
        hit = self.items.get(key)
        if hit is not None:
            self.items.move_to_end(key)
        return hit

    def put(self, key, value) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


MEMORY = _Memory()


def feature_matrix(conn: sqlite3.Connection, run_id: int) -> tuple[np.ndarray, np.ndarray,
                                                                      list[str]]:
    """(place ids sorted, scaled feature matrix, feature names) of the run's places."""
    import pandas as pd

    from auditor.analysis import frames
    feats = frames.place_features(conn)
    cols = frames.feature_columns(feats)
    ids = pd.read_sql_query("SELECT place_id FROM predictions WHERE run_id = ? ORDER BY "
                            "place_id", conn, params=(run_id,))["place_id"]
    feats = feats.set_index("place_id").reindex(ids)
    X = feats[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float) if cols else \
        np.zeros((len(ids), 0))
    with np.errstate(all="ignore"):
        med = np.nanmedian(X, axis=0) if len(X) else np.zeros(X.shape[1])
    med = np.where(np.isnan(med), 0.0, med)
    X = np.where(np.isnan(X), med, X)
    if len(X):
        iqr = np.percentile(X, 75, axis=0) - np.percentile(X, 25, axis=0)
        sd = X.std(axis=0)
        scale = np.where(iqr > 0, iqr, np.where(sd > 0, sd, 1.0))
        X = np.clip((X - med) / scale, -CLIP, CLIP)
    return ids.to_numpy(dtype=object), X, cols


def _project(X: np.ndarray, method: str, seed: int,
             progress: Optional[Progress]) -> tuple[np.ndarray, Optional[tuple], bool]:
    n = len(X)
    if n == 0:
        return np.zeros((0, 2), np.float32), None, False
    if X.shape[1] == 0 or n < 3:
        return np.zeros((n, 2), np.float32), None, False
    if method == "pca":
        from sklearn.decomposition import PCA
        k = min(2, X.shape[1], n)
        pca = PCA(n_components=k, svd_solver="full", random_state=seed)
        xy = pca.fit_transform(X)
        # a deterministic sign: the largest loading of each axis is positive
        signs = np.sign(pca.components_[np.arange(k), np.argmax(np.abs(pca.components_), 1)])
        xy = xy * np.where(signs == 0, 1, signs)
        if k < 2:
            xy = np.c_[xy, np.zeros(n)]
        ratio = tuple(float(r) for r in pca.explained_variance_ratio_) + (0.0,) * (2 - k)
        return xy.astype(np.float32), ratio, False
    from sklearn.manifold import TSNE
    from sklearn.neighbors import NearestNeighbors
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, TSNE_MAX_POINTS, replace=False)) if n > TSNE_MAX_POINTS \
        else np.arange(n)
    tell(progress, 1, 3, f"t-SNE of {len(sample):,} places")
    perplexity = float(min(30.0, max(2.0, (len(sample) - 1) / 3)))
    emb = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
               method="barnes_hut").fit_transform(X[sample])
    if len(sample) == n:
        return emb.astype(np.float32), None, False
    tell(progress, 2, 3, "placing the other places by their nearest neighbours")
    nn = NearestNeighbors(n_neighbors=5).fit(X[sample])
    _, idx = nn.kneighbors(X)
    xy = emb[idx].mean(axis=1)
    xy[sample] = emb
    return xy.astype(np.float32), None, True


def _disk_key(identity: tuple, method: str, seed: int, cols: list[str], X: np.ndarray) -> str:
    h = hashlib.sha256(json.dumps([CACHE_VERSION, list(identity), method, seed, cols],
                                  default=str).encode())
    h.update(np.ascontiguousarray(X, dtype=np.float64).tobytes())
    return h.hexdigest()[:32]


def place_projection(conn: sqlite3.Connection, run_id: Optional[int] = None,
                     method: str = "pca", seed: int = 0, *, cache_dir: Optional[Path] = None,
                     progress: Optional[Progress] = None) -> Projection:
    """Every place of the run (default: the latest model run) in 2-D (module docstring)."""
    from auditor.analysis.frames import resolve_run
    from auditor.analysis.results import run_identity
    if method not in METHODS:
        raise UserError(f"projection: method {method!r} is unknown — use pca or tsne")
    run_id = resolve_run(conn, run_id)
    identity = run_identity(conn, run_id)
    key = (identity, method, int(seed))
    hit = MEMORY.get(key)
    if hit is not None:
        return hit
    tell(progress, 0, 3, "reading place features")
    ids, X, cols = feature_matrix(conn, run_id)
    path = None
    if cache_dir is not None:
        path = Path(cache_dir) / f"{_disk_key(identity, method, int(seed), cols, X)}.npz"
        if path.exists():
            try:
                with np.load(path, allow_pickle=False) as z:
                    if np.array_equal(z["place_ids"], ids.astype(str)):
                        explained = tuple(float(v) for v in z["explained"]) or None
                        out = Projection(ids, z["xy"].astype(np.float32), method, int(seed),
                                         tuple(cols), identity, explained,
                                         bool(z["approximate"]))
                        MEMORY.put(key, out)
                        return out
            except (OSError, KeyError, ValueError):
                pass  # a damaged cache file is recomputed and rewritten
    xy, explained, approximate = _project(X, method, int(seed), progress)
    out = Projection(ids, xy, method, int(seed), tuple(cols), identity, explained, approximate)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, place_ids=ids.astype(str), xy=xy,
                 explained=np.asarray(explained or (), dtype=float),
                 approximate=np.asarray(approximate))
        tmp.replace(path)
    MEMORY.put(key, out)
    tell(progress, 3, 3, "projection ready")
    return out


def colour_columns(conn: sqlite3.Connection, projection: Projection,
                   report: Optional[dict] = None) -> dict[str, np.ndarray]:
    """Arrays aligned with ``projection.place_ids`` to colour points by: ``given_label``,
    ``predicted_label`` (str, '' when none), ``model_wrong`` ('yes' / 'no' / '' for places
    without an out-of-fold prediction), ``suspicion`` (float, NaN where not ranked: a place's
    highest score in the label-issue queue, from ``report['suspicious']`` when given, else
    computed; labels on no place have no point) and ``meta:<column>`` per vehicle metadata
    column."""
    import pandas as pd

    from auditor.analysis import frames
    run_id = projection.identity[0]
    pred = frames.predictions(conn, run_id).set_index("place_id").reindex(projection.place_ids)
    out: dict[str, np.ndarray] = {
        "given_label": pred["given_label"].fillna("").astype(str).to_numpy(dtype=object),
        "predicted_label": pred["predicted_label"].fillna("").astype(str).to_numpy(dtype=object),
    }
    oof = frames.oof_label(pred.reset_index())
    labelled = pred["given_label"].isin(frames.CLASSES).to_numpy() & oof.notna().to_numpy()
    wrong = np.full(len(pred), "", dtype=object)
    wrong[labelled] = np.where(oof.to_numpy()[labelled] != pred["given_label"].to_numpy()[
        labelled], "yes", "no")
    out["model_wrong"] = wrong
    if report is not None and "suspicious" in report:
        rows = pd.DataFrame(report["suspicious"], columns=["place_id", "score"])
    else:
        from auditor.analysis.label_issues import label_issues
        rows = label_issues(conn, run_id)
    score = rows.dropna(subset=["place_id"]).groupby("place_id")["score"].max()
    out["suspicion"] = score.reindex(projection.place_ids).to_numpy(dtype=float)
    meta = frames.vehicle_metadata(conn)
    vehicles = pred["vehicle_id"].to_numpy(dtype=object)
    for c in meta.columns:
        if c != "vehicle_id":
            out[f"meta:{c}"] = meta.set_index("vehicle_id")[c].reindex(vehicles).fillna(
                "").astype(str).to_numpy(dtype=object)
    return out
