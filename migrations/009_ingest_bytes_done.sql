-- Up Migration
-- How far into a file ingestion has read, in bytes: the portals' progress bar (issue 6) is bytes_done / bytes.
ALTER TABLE ingest_files ADD COLUMN bytes_done bigint NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE ingest_files DROP COLUMN bytes_done;
