"""The project store: one SQLite file per project (schema, connection, bulk writes, reads)."""
from auditor.store.connection import db, open_project, transaction  # noqa: F401
