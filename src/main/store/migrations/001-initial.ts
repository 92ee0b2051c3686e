/**
 * Migration 1: the case schema. Once released, this text never changes (its SHA-256 is recorded in
 * every case that applied it and an edited migration is refused); changes go in a new migration.
 *
 * Conventions: times are ISO-8601 UTC text; JSON columns hold canonical JSON (canonical.ts) and are
 * checked with json_valid; ids are integers that are never reused (AUTOINCREMENT), except the case's
 * own id, a UUID. Every table but schema_migrations and audit_log is audited (audit-log.ts).
 */
export const MIGRATION_001 = `
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  applied_at TEXT NOT NULL
);

CREATE TABLE case_info (
  id TEXT PRIMARY KEY,
  singleton INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
  name TEXT NOT NULL CHECK (length(name) > 0),
  parties TEXT NOT NULL CHECK (json_valid(parties)),
  description TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE exhibits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  role TEXT NOT NULL CHECK (role IN ('source', 'suspect-file', 'suspect-endpoint', 'dataset', 'trigger-set', 'bundle')),
  kind TEXT NOT NULL CHECK (kind IN ('file', 'directory')),
  path TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  files TEXT CHECK (files IS NULL OR json_valid(files)),
  acquired_at TEXT NOT NULL,
  notes TEXT
);

CREATE TABLE endpoints (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  url TEXT NOT NULL,
  protocol TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('labels', 'probabilities')),
  created_at TEXT NOT NULL
);

CREATE TABLE trigger_sets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  exhibit_id INTEGER NOT NULL REFERENCES exhibits (id),
  method TEXT NOT NULL,
  params TEXT NOT NULL CHECK (json_valid(params)),
  seed INTEGER NOT NULL,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  created_at TEXT NOT NULL
);

CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  method TEXT NOT NULL,
  params TEXT NOT NULL CHECK (json_valid(params)),
  seeds TEXT NOT NULL CHECK (json_valid(seeds)),
  engine TEXT NOT NULL CHECK (json_valid(engine)),
  suspect_exhibit_id INTEGER REFERENCES exhibits (id),
  suspect_endpoint_id INTEGER REFERENCES endpoints (id),
  trigger_set_id INTEGER REFERENCES trigger_sets (id),
  identity TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'partial', 'complete', 'failed')),
  progress TEXT CHECK (progress IS NULL OR json_valid(progress)),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  result TEXT CHECK (result IS NULL OR json_valid(result)),
  error TEXT,
  CHECK (suspect_exhibit_id IS NULL OR suspect_endpoint_id IS NULL)
);

CREATE TABLE queries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL REFERENCES runs (id),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  oracle TEXT NOT NULL,
  time TEXT NOT NULL,
  latency_ms REAL NOT NULL,
  attempt INTEGER NOT NULL CHECK (attempt >= 1),
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'retry', 'failed')),
  http_status INTEGER,
  error TEXT,
  input_hashes TEXT NOT NULL CHECK (json_valid(input_hashes)),
  labels TEXT CHECK (labels IS NULL OR json_valid(labels)),
  probs TEXT CHECK (probs IS NULL OR json_valid(probs)),
  UNIQUE (run_id, seq)
);

CREATE TABLE verdicts (
  run_id INTEGER PRIMARY KEY REFERENCES runs (id),
  decision TEXT NOT NULL CHECK (decision IN ('derived', 'not-derived', 'insufficient-null')),
  score REAL NOT NULL,
  p_empirical REAL NOT NULL,
  p_parametric REAL,
  level REAL NOT NULL,
  null_scores TEXT NOT NULL CHECK (json_valid(null_scores)),
  null_model TEXT CHECK (null_model IS NULL OR json_valid(null_model)),
  null_size INTEGER NOT NULL,
  null_max REAL,
  supported_by TEXT NOT NULL,
  explanation TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  author TEXT NOT NULL,
  text TEXT NOT NULL CHECK (length(text) > 0),
  run_id INTEGER REFERENCES runs (id),
  exhibit_id INTEGER REFERENCES exhibits (id)
);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  table_name TEXT NOT NULL,
  row_id TEXT NOT NULL,
  content_hash TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_row ON audit_log (table_name, row_id, seq);

-- An extra guard only: check() never relies on these (a tamperer can drop them).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`;
