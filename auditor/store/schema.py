"""The project file's schema and its migrations.

The schema version lives in ``PRAGMA user_version``. Each migration moves the file from
version N-1 to N inside one transaction; never edit a released migration, add a new one.
A project is marked with ``PRAGMA application_id`` (auditor.store.connection.APPLICATION_ID).

Times are INTEGER seconds since the Unix epoch, UTC. ``utc_offset_min`` on a ping is the
offset its source stated (or ``--tz`` implied), NULL when the source said nothing.
Derived tables (trips, stops, places, place_features, place_labels, unmatched_labels) hold the
latest inference and are replaced as a whole by ``auditor infer``; predictions keep one set of
rows per run so runs can be compared. Place ids are deterministic ("<vehicle>:<n>") but rank
places by first visit, so they shift when earlier pings arrive: place flags carry an anchor
(flag_anchors) and are re-attached after every infer (flag_targets, migration 2).
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
    # 2: flags stay with what they point at (anchors, current targets, re-attachment), and the
    # source of each vehicle's local clock. A place flag's anchor is what it pointed at when made
    # (the place's centre and its stops' times); after every infer auditor.audit.anchors
    # re-attaches each flag to the place now holding those stops (flag_targets) or orphans it.
    # Flags older than this migration are anchored to the place that carries their id now.
    """
    ALTER TABLE flag_events ADD COLUMN replaces INTEGER REFERENCES flag_events(event_id);
    -- "is it revoked / replaced?" is asked per event by every reader of the flags in force
    CREATE INDEX flag_events_revokes ON flag_events (revokes);
    CREATE INDEX flag_events_replaces ON flag_events (replaces);

    CREATE TABLE flag_anchors (
        event_id       INTEGER PRIMARY KEY REFERENCES flag_events(event_id),
        vehicle_id     TEXT NOT NULL,
        place_id       TEXT NOT NULL,          -- the place's id when the anchor was taken
        lat REAL NOT NULL, lon REAL NOT NULL,  -- the place's centre then
        first_ts       INTEGER,                -- its stops' time span (NULL: no stops known)
        last_ts        INTEGER,
        n_stops        INTEGER NOT NULL,
        stops          TEXT NOT NULL,          -- JSON [[start_ts, end_ts], ...] of its stops
        source         TEXT NOT NULL CHECK (source IN
                         ('flagged', 'backfilled', 'imported', 'copied')),
        anchored_at    TEXT NOT NULL           -- UTC ISO-8601
    );
    CREATE TRIGGER flag_anchors_no_update BEFORE UPDATE ON flag_anchors
        BEGIN SELECT RAISE(ABORT, 'flag_anchors is append-only'); END;
    CREATE TRIGGER flag_anchors_no_delete BEFORE DELETE ON flag_anchors
        BEGIN SELECT RAISE(ABORT, 'flag_anchors is append-only'); END;

    -- where each place flag points now: derived, rewritten by every infer and flag change
    CREATE TABLE flag_targets (
        event_id       INTEGER PRIMARY KEY REFERENCES flag_events(event_id),
        place_id       TEXT,                   -- NULL when orphaned
        status         TEXT NOT NULL CHECK (status IN ('attached', 'orphaned')),
        how            TEXT NOT NULL,          -- flagged|stops|centre|split|gone|ambiguous_centre|merge_conflict|no_anchor
        moved_m        REAL,                   -- anchor centre -> current place centre
        detail         TEXT
    );
    CREATE INDEX flag_targets_place ON flag_targets (place_id);

    INSERT INTO flag_anchors (event_id, vehicle_id, place_id, lat, lon, first_ts, last_ts,
                              n_stops, stops, source, anchored_at)
    SELECT e.event_id, p.vehicle_id, p.place_id, p.lat, p.lon,
           (SELECT MIN(s.start_ts) FROM stops s WHERE s.place_id = p.place_id),
           (SELECT MAX(s.end_ts) FROM stops s WHERE s.place_id = p.place_id),
           (SELECT COUNT(*) FROM stops s WHERE s.place_id = p.place_id),
           COALESCE((SELECT json_group_array(json_array(q.start_ts, q.end_ts)) FROM
                     (SELECT start_ts, end_ts FROM stops s WHERE s.place_id = p.place_id
                      ORDER BY start_ts) q), '[]'),
           'backfilled', strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    FROM flag_events e JOIN places p ON p.place_id = e.target_id
    WHERE e.target_kind = 'place' AND e.action != 'revoke';

    INSERT INTO flag_targets (event_id, place_id, status, how, moved_m, detail)
    SELECT e.event_id, a.place_id,
           CASE WHEN a.event_id IS NULL THEN 'orphaned' ELSE 'attached' END,
           CASE WHEN a.event_id IS NULL THEN 'no_anchor' ELSE 'flagged' END,
           CASE WHEN a.event_id IS NULL THEN NULL ELSE 0.0 END,
           CASE WHEN a.event_id IS NULL THEN 'place ' || e.target_id || ' is not in the current '
                || 'inference and the flag predates anchors' END
    FROM flag_events e LEFT JOIN flag_anchors a ON a.event_id = e.event_id
    WHERE e.target_kind = 'place' AND e.action != 'revoke';

    -- the flags in force (not revoked, not replaced by a re-attachment in force) and where each
    -- points now: current_target is NULL for an orphaned place flag
    CREATE VIEW flags_in_force AS
    SELECT e.event_id, e.analyst, e.created_at, e.target_kind, e.target_id AS flagged_target_id,
           CASE WHEN e.target_kind != 'place' THEN e.target_id
                WHEN t.event_id IS NOT NULL THEN t.place_id
                WHEN EXISTS (SELECT 1 FROM places p WHERE p.place_id = e.target_id)
                     THEN e.target_id END AS current_target,
           CASE WHEN e.target_kind != 'place' THEN 'attached'
                WHEN t.event_id IS NOT NULL THEN t.status
                WHEN EXISTS (SELECT 1 FROM places p WHERE p.place_id = e.target_id)
                     THEN 'attached' ELSE 'orphaned' END AS status,
           e.action, e.old_value, e.new_value, e.note, e.replaces
    FROM flag_events e LEFT JOIN flag_targets t ON t.event_id = e.event_id
    WHERE e.action != 'revoke'
      AND NOT EXISTS (SELECT 1 FROM flag_events r WHERE r.revokes = e.event_id)
      AND NOT EXISTS (SELECT 1 FROM flag_events n WHERE n.replaces = e.event_id
                      AND n.action != 'revoke'
                      AND NOT EXISTS (SELECT 1 FROM flag_events r2
                                      WHERE r2.revokes = n.event_id));

    -- where each vehicle's local wall clock came from (auditor.pipeline.localtime), per infer
    CREATE TABLE vehicle_clocks (
        vehicle_id     TEXT PRIMARY KEY,
        source         TEXT NOT NULL CHECK (source IN
                         ('metadata', 'stated_offset', 'location', 'utc')),
        timezone       TEXT,                   -- zone used (metadata or location), else NULL
        location_timezone TEXT,                -- zone of where the vehicle parks (offline lookup)
        park_lat REAL, park_lon REAL,          -- dwell-weighted median of its pings
        n_pings        INTEGER NOT NULL,
        stated_pings   INTEGER NOT NULL,       -- pings whose stamp stated a non-UTC offset
        stated_offset_min INTEGER,             -- the most common such offset
        location_offset_min INTEGER,           -- the location zone's most common offset then
        disagree_share REAL                    -- share of pings whose clock (metadata zone or
                                               -- stated offset) differs from the location zone
    );
    """,
    # 3: one statement of "a flag in force" (issue 13) over migration 2's "where it points now".
    # In force: not a revocation, not revoked, not replaced by a re-attachment in force, and —
    # among the attached ones — the latest of its (target_kind, current target, action), so
    # undoing "label -> home" brings back an earlier "label -> work" and two flags made under
    # different ids that now point at one place count once. An orphaned place flag stays a row
    # (status 'orphaned', current_target NULL: shown, settled by re-attaching or revoking) but
    # points at nothing, so no reader that matches on current_target applies or counts it.
    # Same columns as migration 2's view. (Its flag_events_revokes index exists since 2.)
    """
    DROP VIEW flags_in_force;
    CREATE VIEW flags_in_force AS
    WITH live AS (
        SELECT e.event_id, e.analyst, e.created_at, e.target_kind,
               e.target_id AS flagged_target_id,
               CASE WHEN e.target_kind != 'place' THEN e.target_id
                    WHEN t.event_id IS NOT NULL THEN t.place_id
                    WHEN EXISTS (SELECT 1 FROM places p WHERE p.place_id = e.target_id)
                         THEN e.target_id END AS current_target,
               CASE WHEN e.target_kind != 'place' THEN 'attached'
                    WHEN t.event_id IS NOT NULL THEN t.status
                    WHEN EXISTS (SELECT 1 FROM places p WHERE p.place_id = e.target_id)
                         THEN 'attached' ELSE 'orphaned' END AS status,
               e.action, e.old_value, e.new_value, e.note, e.replaces
        FROM flag_events e LEFT JOIN flag_targets t ON t.event_id = e.event_id
        WHERE e.action != 'revoke'
          AND NOT EXISTS (SELECT 1 FROM flag_events r WHERE r.revokes = e.event_id)
          AND NOT EXISTS (SELECT 1 FROM flag_events n WHERE n.replaces = e.event_id
                          AND n.action != 'revoke'
                          AND NOT EXISTS (SELECT 1 FROM flag_events r2
                                          WHERE r2.revokes = n.event_id))),
    ranked AS (
        SELECT live.*, ROW_NUMBER() OVER (
                   PARTITION BY target_kind, current_target, action
                   ORDER BY event_id DESC) AS latest
        FROM live WHERE status = 'attached')
    SELECT event_id, analyst, created_at, target_kind, flagged_target_id, current_target,
           status, action, old_value, new_value, note, replaces
    FROM ranked WHERE latest = 1
    UNION ALL
    SELECT event_id, analyst, created_at, target_kind, flagged_target_id, current_target,
           status, action, old_value, new_value, note, replaces
    FROM live WHERE status = 'orphaned';
    """,
    # 4: settings that belong to the project, not the user (the basemap: auditor.maps.basemap)
    """
    CREATE TABLE project_settings (
        key            TEXT PRIMARY KEY,
        value          TEXT NOT NULL
    );
    """,
    # 5: review by a second analyst, and many flags as one step (issue 17). flag_events gains
    # the actions 'accept', 'reject', 'amend' (a review decision on the flag event named in the
    # new column `reviews`; 'amend' carries the reviewer's label in new_value) and the column
    # `batch` (events made in one step share it: one undo step). The CHECK on action needs a
    # table rebuild; with foreign keys on (and no way to switch them off inside the migration's
    # transaction) the three flag tables are copied aside, dropped children first, and created
    # again under their names with the same rows, ids, triggers and indexes. flags_in_force is
    # migration 3's view over flag actions only (review events are not flags). flag_reviews:
    # the review state of every flag in force — the latest review in force (not revoked) of it
    # or of a flag it took over from (`replaces`); reviewed_flags_in_force: the flags in force
    # that `export --reviewed-only` applies (accepted, or amended with the reviewer's label).
    """
    DROP VIEW flags_in_force;
    CREATE TABLE flag_events_copy AS SELECT * FROM flag_events;
    CREATE TABLE flag_anchors_copy AS SELECT * FROM flag_anchors;
    CREATE TABLE flag_targets_copy AS SELECT * FROM flag_targets;
    DROP TABLE flag_targets;
    DROP TABLE flag_anchors;
    DROP TABLE flag_events;

    CREATE TABLE flag_events (
        event_id       INTEGER PRIMARY KEY AUTOINCREMENT,
        analyst        TEXT NOT NULL,
        created_at     TEXT NOT NULL,          -- UTC ISO-8601
        target_kind    TEXT NOT NULL CHECK (target_kind IN ('place', 'trip', 'ping_range', 'vehicle')),
        target_id      TEXT NOT NULL,
        action         TEXT NOT NULL CHECK (action IN
                         ('label_wrong', 'model_wrong', 'bad_data', 'revoke',
                          'accept', 'reject', 'amend')),
        old_value      TEXT,
        new_value      TEXT,
        note           TEXT,
        revokes        INTEGER REFERENCES flag_events(event_id),
        replaces       INTEGER REFERENCES flag_events(event_id),
        reviews        INTEGER REFERENCES flag_events(event_id),  -- the flag a review decides on
        batch          INTEGER,                -- events made in one step (one undo step)
        CHECK ((action IN ('accept', 'reject', 'amend')) = (reviews IS NOT NULL))
    );
    INSERT INTO flag_events (event_id, analyst, created_at, target_kind, target_id, action,
                             old_value, new_value, note, revokes, replaces)
    SELECT event_id, analyst, created_at, target_kind, target_id, action, old_value, new_value,
           note, revokes, replaces FROM flag_events_copy ORDER BY event_id;
    CREATE INDEX flag_events_target ON flag_events (target_kind, target_id);
    CREATE INDEX flag_events_revokes ON flag_events (revokes);
    CREATE INDEX flag_events_replaces ON flag_events (replaces);
    CREATE INDEX flag_events_reviews ON flag_events (reviews);
    CREATE INDEX flag_events_batch ON flag_events (batch);
    CREATE TRIGGER flag_events_no_update BEFORE UPDATE ON flag_events
        BEGIN SELECT RAISE(ABORT, 'flag_events is append-only'); END;
    CREATE TRIGGER flag_events_no_delete BEFORE DELETE ON flag_events
        BEGIN SELECT RAISE(ABORT, 'flag_events is append-only'); END;

    CREATE TABLE flag_anchors (
        event_id       INTEGER PRIMARY KEY REFERENCES flag_events(event_id),
        vehicle_id     TEXT NOT NULL,
        place_id       TEXT NOT NULL,          -- the place's id when the anchor was taken
        lat REAL NOT NULL, lon REAL NOT NULL,  -- the place's centre then
        first_ts       INTEGER,                -- its stops' time span (NULL: no stops known)
        last_ts        INTEGER,
        n_stops        INTEGER NOT NULL,
        stops          TEXT NOT NULL,          -- JSON [[start_ts, end_ts], ...] of its stops
        source         TEXT NOT NULL CHECK (source IN
                         ('flagged', 'backfilled', 'imported', 'copied')),
        anchored_at    TEXT NOT NULL           -- UTC ISO-8601
    );
    INSERT INTO flag_anchors SELECT * FROM flag_anchors_copy ORDER BY event_id;
    CREATE TRIGGER flag_anchors_no_update BEFORE UPDATE ON flag_anchors
        BEGIN SELECT RAISE(ABORT, 'flag_anchors is append-only'); END;
    CREATE TRIGGER flag_anchors_no_delete BEFORE DELETE ON flag_anchors
        BEGIN SELECT RAISE(ABORT, 'flag_anchors is append-only'); END;

    CREATE TABLE flag_targets (
        event_id       INTEGER PRIMARY KEY REFERENCES flag_events(event_id),
        place_id       TEXT,                   -- NULL when orphaned
        status         TEXT NOT NULL CHECK (status IN ('attached', 'orphaned')),
        how            TEXT NOT NULL,          -- flagged|stops|centre|split|gone|ambiguous_centre|merge_conflict|no_anchor
        moved_m        REAL,                   -- anchor centre -> current place centre
        detail         TEXT
    );
    INSERT INTO flag_targets SELECT * FROM flag_targets_copy ORDER BY event_id;
    CREATE INDEX flag_targets_place ON flag_targets (place_id);
    DROP TABLE flag_events_copy;
    DROP TABLE flag_anchors_copy;
    DROP TABLE flag_targets_copy;

    CREATE VIEW flags_in_force AS
    WITH live AS (
        SELECT e.event_id, e.analyst, e.created_at, e.target_kind,
               e.target_id AS flagged_target_id,
               CASE WHEN e.target_kind != 'place' THEN e.target_id
                    WHEN t.event_id IS NOT NULL THEN t.place_id
                    WHEN EXISTS (SELECT 1 FROM places p WHERE p.place_id = e.target_id)
                         THEN e.target_id END AS current_target,
               CASE WHEN e.target_kind != 'place' THEN 'attached'
                    WHEN t.event_id IS NOT NULL THEN t.status
                    WHEN EXISTS (SELECT 1 FROM places p WHERE p.place_id = e.target_id)
                         THEN 'attached' ELSE 'orphaned' END AS status,
               e.action, e.old_value, e.new_value, e.note, e.replaces
        FROM flag_events e LEFT JOIN flag_targets t ON t.event_id = e.event_id
        WHERE e.action IN ('label_wrong', 'model_wrong', 'bad_data')
          AND NOT EXISTS (SELECT 1 FROM flag_events r WHERE r.revokes = e.event_id)
          AND NOT EXISTS (SELECT 1 FROM flag_events n WHERE n.replaces = e.event_id
                          AND n.action != 'revoke'
                          AND NOT EXISTS (SELECT 1 FROM flag_events r2
                                          WHERE r2.revokes = n.event_id))),
    ranked AS (
        SELECT live.*, ROW_NUMBER() OVER (
                   PARTITION BY target_kind, current_target, action
                   ORDER BY event_id DESC) AS latest
        FROM live WHERE status = 'attached')
    SELECT event_id, analyst, created_at, target_kind, flagged_target_id, current_target,
           status, action, old_value, new_value, note, replaces
    FROM ranked WHERE latest = 1
    UNION ALL
    SELECT event_id, analyst, created_at, target_kind, flagged_target_id, current_target,
           status, action, old_value, new_value, note, replaces
    FROM live WHERE status = 'orphaned';

    CREATE VIEW flag_reviews AS
    WITH RECURSIVE line(event_id, ancestor) AS (
        SELECT event_id, event_id FROM flags_in_force
        UNION
        SELECT line.event_id, e.replaces FROM line
        JOIN flag_events e ON e.event_id = line.ancestor WHERE e.replaces IS NOT NULL),
    decided AS (
        SELECT line.event_id AS flag_event_id, r.event_id AS review_event_id,
               r.analyst AS reviewer, r.created_at AS reviewed_at, r.action AS decision,
               r.new_value AS amended_value, r.note AS review_note,
               ROW_NUMBER() OVER (PARTITION BY line.event_id ORDER BY r.event_id DESC) AS latest
        FROM line JOIN flag_events r ON r.reviews = line.ancestor
        WHERE r.action IN ('accept', 'reject', 'amend')
          AND NOT EXISTS (SELECT 1 FROM flag_events x WHERE x.revokes = r.event_id))
    SELECT f.event_id,
           CASE d.decision WHEN 'accept' THEN 'accepted' WHEN 'reject' THEN 'rejected'
                WHEN 'amend' THEN 'amended' ELSE 'pending' END AS review,
           d.reviewer, d.reviewed_at, d.review_event_id, d.amended_value, d.review_note
    FROM flags_in_force f LEFT JOIN decided d ON d.flag_event_id = f.event_id AND d.latest = 1;

    CREATE VIEW reviewed_flags_in_force AS
    SELECT f.event_id, f.analyst, f.created_at, f.target_kind, f.flagged_target_id,
           f.current_target, f.status, f.action, f.old_value,
           CASE WHEN r.review = 'amended' THEN r.amended_value ELSE f.new_value END AS new_value,
           f.note, f.replaces
    FROM flags_in_force f JOIN flag_reviews r ON r.event_id = f.event_id
    WHERE r.review IN ('accepted', 'amended');
    """,
    # 6: a content digest of each import's pings (issue 16), computed once inside the import's
    # transaction (auditor.store.content_hash): exports and verify prove the pings by these
    # instead of hashing every ping. A ping changed or deleted through SQLite — by auditor
    # (ingest --replace) or by any other SQLite client — deletes its import's digest in the same
    # statement (the triggers), so a missing digest means "hash again"; inserts are caught by
    # the ping_id ranges the digests cover (a trigger per inserted row would cost ingest half
    # its insert time). Projects older than this have no digests: they
    # are computed on first need.
    """
    CREATE TABLE pings_digests (
        import_id      INTEGER PRIMARY KEY REFERENCES imports(import_id),
        rows           INTEGER NOT NULL,       -- pings of the import
        first_ping     INTEGER,                -- its lowest ping_id (NULL: no pings)
        last_ping      INTEGER,                -- its highest ping_id (NULL: no pings)
        sha256         TEXT NOT NULL           -- content_hash.HASH_SCHEME over its pings
    );
    CREATE TRIGGER pings_digest_stale_on_update AFTER UPDATE ON pings BEGIN
        DELETE FROM pings_digests WHERE import_id IN (OLD.import_id, NEW.import_id);
    END;
    CREATE TRIGGER pings_digest_stale_on_delete AFTER DELETE ON pings BEGIN
        DELETE FROM pings_digests WHERE import_id = OLD.import_id;
    END;
    """,
    # 7: a third split of labelled vehicles, 'test' (issue 18): held out of everything a run
    # chooses, so its accuracy is the number to trust. The CHECK on predictions.split needs a
    # table rebuild (nothing references predictions; it references runs). Runs keep their
    # rows; what a run recorded (seed, config with the feature groups left out and the weights
    # source, code version, metrics with test accuracy) lives in the existing JSON columns.
    """
    CREATE TABLE predictions_copy AS SELECT * FROM predictions;
    DROP TABLE predictions;
    CREATE TABLE predictions (
        run_id         INTEGER NOT NULL REFERENCES runs(run_id),
        place_id       TEXT NOT NULL,
        vehicle_id     TEXT NOT NULL,
        split          TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test',
                                                      'unlabelled')),
        given_label    TEXT,                   -- home/work/other for labelled vehicles, NULL otherwise
        predicted_label TEXT NOT NULL,
        p_home REAL, p_work REAL, p_other REAL,
        oof_p_home REAL, oof_p_work REAL, oof_p_other REAL,   -- out-of-fold, labelled places only
        PRIMARY KEY (run_id, place_id)
    );
    INSERT INTO predictions SELECT * FROM predictions_copy ORDER BY run_id, place_id;
    DROP TABLE predictions_copy;
    CREATE INDEX predictions_vehicle ON predictions (run_id, vehicle_id);
    """,
    # 8: pings kept in a Parquet dataset outside the file (auditor.store.pings_dataset);
    # the file records which complete version is current and where each vehicle lives
    """
    CREATE TABLE pings_store (
        store_id    INTEGER PRIMARY KEY CHECK (store_id = 1),
        root        TEXT NOT NULL,       -- the dataset folder, absolute
        version     TEXT NOT NULL,       -- its current version sub-folder (v-<id>)
        n_buckets   INTEGER NOT NULL,    -- vehicle buckets (crc32 of the id mod n_buckets)
        rows        INTEGER NOT NULL,
        max_ping_id INTEGER NOT NULL     -- ping ids go on from here
    );
    CREATE TABLE pings_store_vehicles (
        vehicle_id TEXT PRIMARY KEY,
        bucket     INTEGER NOT NULL,
        n_pings    INTEGER NOT NULL,
        min_ts     INTEGER NOT NULL,
        max_ts     INTEGER NOT NULL
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
