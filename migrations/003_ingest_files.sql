-- Up Migration
-- One row per received file. A file re-sent with the same checksum for the same election and type is the
-- same row (a no-op); progress counters advance exactly once per batch, keyed by lines_done.
CREATE TABLE ingest_files (
  id           text PRIMARY KEY,
  election_id  text NOT NULL,
  type         text NOT NULL,
  file_name    text NOT NULL,
  path         text NOT NULL,
  checksum     text NOT NULL,
  bytes        bigint NOT NULL,
  status       text NOT NULL DEFAULT 'queued',
  lines_done   integer NOT NULL DEFAULT 0,
  accepted     integer NOT NULL DEFAULT 0,
  rejected     integer NOT NULL DEFAULT 0,
  signalled    integer NOT NULL DEFAULT 0,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (election_id, type, checksum)
);

-- Every bad row: file, line, field, reason. Never silently dropped; a re-processed batch adds nothing twice.
CREATE TABLE ingest_rejects (
  file_id  text NOT NULL REFERENCES ingest_files (id),
  line     integer NOT NULL,
  field    text NOT NULL,
  reason   text NOT NULL,
  PRIMARY KEY (file_id, line, field)
);

-- Down Migration
DROP TABLE ingest_rejects, ingest_files;
