"""The project file's schema and its migrations.

The schema version lives in ``PRAGMA user_version``. Each migration moves the file from
version N-1 to N inside one transaction; never edit a released migration, add a new one.
A project is marked with ``PRAGMA application_id`` (auditor.store.connection.APPLICATION_ID).

Times are INTEGER seconds since the Unix epoch, UTC. ``utc_offset_min`` on a ping is the
offset its source stated (or ``--tz`` implied), NULL when the source said nothing.
Derived tables (trips, stops, places, place_features, place_labels, unmatched_labels) hold the
latest inference and are replaced as a whole by ``auditor infer``; predictions keep one set of
rows per run so runs can be compared. Place ids are deterministic ("<vehicle>:<n>") so flags
made against one run still point at the same place after re-running inference.
"""
from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the backbone: raw data, import bookkeeping, quarantine, inference results, flags
    """
    CREATE TABLE imports (
        import_id      INTEGER PRIMARY KEY,
        kind           TEXT NOT NULL CHECK (kind IN ('pings', 'labels', 'vehicles')),
        path           TEXT NOT NULL,
        file_name      TEXT NOT NULL,
        sha256         TEXT NOT NULL,
        size_bytes     INTEGER NOT NULL,
        options_key    TEXT NOT NULL,          -- tz + column map: same file, same options = no-op
        rows_read      INTEGER NOT NULL,
        rows_accepted  INTEGER NOT NULL,
        rows_quarantined INTEGER NOT NULL,
        tz             TEXT,
        column_map     TEXT NOT NULL,          -- JSON {field: source column}
        file_format    TEXT NOT NULL,
        imported_at    TEXT NOT NULL,
        UNIQUE (kind, sha256, options_key)
    );

    CREATE TABLE pings (
        ping_id        INTEGER PRIMARY KEY,
        vehicle_id     TEXT NOT NULL,
        ts             INTEGER NOT NULL,
        utc_offset_min INTEGER,
        lat            REAL NOT NULL,
        lon            REAL NOT NULL,
        speed_mps      REAL,
        heading_deg    REAL,
        trip_id        TEXT,
        import_id      INTEGER NOT NULL REFERENCES imports(import_id)
    );
    CREATE INDEX pings_vehicle_ts ON pings (vehicle_id, ts);

    CREATE TABLE vehicles (
        vehicle_id     TEXT PRIMARY KEY,
        meta           TEXT NOT NULL,          -- JSON object of metadata columns (strings)
        import_id      INTEGER NOT NULL REFERENCES imports(import_id)
    );

    CREATE TABLE labels (
        label_id       INTEGER PRIMARY KEY,
        vehicle_id     TEXT NOT NULL,
        label          TEXT NOT NULL CHECK (label IN ('home', 'work')),
        lat            REAL NOT NULL,
        lon            REAL NOT NULL,
        import_id      INTEGER NOT NULL REFERENCES imports(import_id),
        source_line    INTEGER
    );
    CREATE INDEX labels_vehicle ON labels (vehicle_id);

    CREATE TABLE quarantine (
        quarantine_id  INTEGER PRIMARY KEY,
        import_id      INTEGER NOT NULL REFERENCES imports(import_id),
        file_name      TEXT NOT NULL,
        line           INTEGER,                -- CSV: 1-based line (header = 1); Parquet/GPX: 1-based row/point number
        raw            TEXT NOT NULL,
        reason         TEXT NOT NULL
    );
    CREATE INDEX quarantine_import ON quarantine (import_id, reason);

    CREATE TABLE runs (
        run_id         INTEGER PRIMARY KEY,
        kind           TEXT NOT NULL CHECK (kind IN ('model', 'baseline')),
        created_at     TEXT NOT NULL,
        seed           INTEGER,
        config         TEXT NOT NULL,          -- JSON
        versions       TEXT NOT NULL,          -- JSON {library: version}
        metrics        TEXT NOT NULL DEFAULT '{}',
        data_hash      TEXT                    -- hash of the inputs the run saw
    );

    CREATE TABLE trips (
        trip_id        TEXT PRIMARY KEY,       -- "<vehicle>:t<n>"
        vehicle_id     TEXT NOT NULL,
        start_ts       INTEGER NOT NULL,
        end_ts         INTEGER NOT NULL,
        n_pings        INTEGER NOT NULL,
        distance_m     REAL NOT NULL,
        start_lat REAL, start_lon REAL, end_lat REAL, end_lon REAL,
        source_trip_id TEXT
    );
    CREATE INDEX trips_vehicle ON trips (vehicle_id, start_ts);

    CREATE TABLE stops (
        stop_id        TEXT PRIMARY KEY,       -- "<vehicle>:s<n>"
        vehicle_id     TEXT NOT NULL,
        start_ts       INTEGER NOT NULL,       -- arrival (end of the trip before)
        end_ts         INTEGER NOT NULL,       -- departure (start of the trip after)
        lat REAL NOT NULL, lon REAL NOT NULL,
        place_id       TEXT,
        prev_trip_id   TEXT,
        next_trip_id   TEXT
    );
    CREATE INDEX stops_vehicle ON stops (vehicle_id, start_ts);
    CREATE INDEX stops_place ON stops (place_id);

    CREATE TABLE places (
        place_id       TEXT PRIMARY KEY,       -- "<vehicle>:<n>"
        vehicle_id     TEXT NOT NULL,
        lat REAL NOT NULL, lon REAL NOT NULL,
        n_stops        INTEGER NOT NULL
    );
    CREATE INDEX places_vehicle ON places (vehicle_id);

    -- place_features is created by inference from its DataFrame (columns evolve with features)

    CREATE TABLE place_labels (
        place_id       TEXT PRIMARY KEY,
        vehicle_id     TEXT NOT NULL,
        label          TEXT NOT NULL,
        label_id       INTEGER NOT NULL,
        distance_m     REAL NOT NULL
    );

    CREATE TABLE unmatched_labels (
        label_id       INTEGER PRIMARY KEY,
        vehicle_id     TEXT NOT NULL,
        reason         TEXT NOT NULL
    );

    CREATE TABLE predictions (
        run_id         INTEGER NOT NULL REFERENCES runs(run_id),
        place_id       TEXT NOT NULL,
        vehicle_id     TEXT NOT NULL,
        split          TEXT NOT NULL CHECK (split IN ('train', 'validation', 'unlabelled')),
        given_label    TEXT,                   -- home/work/other for labelled vehicles, NULL otherwise
        predicted_label TEXT NOT NULL,
        p_home REAL, p_work REAL, p_other REAL,
        oof_p_home REAL, oof_p_work REAL, oof_p_other REAL,   -- out-of-fold, labelled places only
        PRIMARY KEY (run_id, place_id)
    );
    CREATE INDEX predictions_vehicle ON predictions (run_id, vehicle_id);

    -- append-only: undo appends a 'revoke' event naming the event it revokes
    CREATE TABLE flag_events (
        event_id       INTEGER PRIMARY KEY AUTOINCREMENT,
        analyst        TEXT NOT NULL,
        created_at     TEXT NOT NULL,          -- UTC ISO-8601
        target_kind    TEXT NOT NULL CHECK (target_kind IN ('place', 'trip', 'ping_range', 'vehicle')),
        target_id      TEXT NOT NULL,
        action         TEXT NOT NULL CHECK (action IN
                         ('label_wrong', 'model_wrong', 'bad_data', 'revoke')),
        old_value      TEXT,
        new_value      TEXT,
        note           TEXT,
        revokes        INTEGER REFERENCES flag_events(event_id)
    );
    CREATE INDEX flag_events_target ON flag_events (target_kind, target_id);
    CREATE TRIGGER flag_events_no_update BEFORE UPDATE ON flag_events
        BEGIN SELECT RAISE(ABORT, 'flag_events is append-only'); END;
    CREATE TRIGGER flag_events_no_delete BEFORE DELETE ON flag_events
        BEGIN SELECT RAISE(ABORT, 'flag_events is append-only'); END;
    """,
    # 2: settings that belong to the project, not the user (the basemap: auditor.maps.basemap)
    """
    CREATE TABLE project_settings (
        key            TEXT PRIMARY KEY,
        value          TEXT NOT NULL
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
