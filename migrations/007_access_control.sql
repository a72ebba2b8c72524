-- Up Migration
-- Access control (issue 5): API keys for staff and feeds, and an audit log nobody can rewrite.

-- One row per key. Only the SHA-256 of the key's secret part is kept (the key is 256 random bits, so a slow
-- hash adds nothing); the key itself is shown once, when it is created. A key is never deleted: it expires or
-- is revoked, and the row stays as the record of who could act.
CREATE TABLE api_keys (
  id           text PRIMARY KEY,
  secret_hash  text NOT NULL,
  role         text NOT NULL CHECK (role IN ('state-admin', 'county-manager', 'vendor', 'contract-manager', 'feed')),
  county       text,
  contracts    text[] NOT NULL DEFAULT '{}',
  label        text NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  revoked_by   text,
  CHECK ((role = 'county-manager') = (county IS NOT NULL)),
  CHECK ((role IN ('vendor', 'contract-manager')) = (cardinality(contracts) > 0))
);
CREATE TRIGGER api_keys_no_delete BEFORE DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION ballotflow_append_only();

-- The audit log was already closed to UPDATE and DELETE row by row; TRUNCATE skips row triggers, so close it too.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION ballotflow_append_only();
CREATE TRIGGER ballot_events_no_truncate BEFORE TRUNCATE ON ballot_events FOR EACH STATEMENT EXECUTE FUNCTION ballotflow_append_only();
CREATE TRIGGER consents_no_truncate BEFORE TRUNCATE ON consents FOR EACH STATEMENT EXECUTE FUNCTION ballotflow_append_only();
-- Where the application connects as a role other than the owner, the grants say the same thing.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
-- The audit export reads by county and time.
CREATE INDEX audit_log_county_at ON audit_log (county, at);

-- Voters' records are removed only by the retention purge (an audited admin operation), which says so for its
-- own transaction; any other DELETE fails.
CREATE FUNCTION ballotflow_purge_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('ballotflow.purge', true) IS DISTINCT FROM 'on' THEN
    RAISE EXCEPTION '% rows are removed only by the retention purge', TG_TABLE_NAME;
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER voters_purge_only BEFORE DELETE ON voters FOR EACH ROW EXECUTE FUNCTION ballotflow_purge_only();
CREATE TRIGGER voters_no_truncate BEFORE TRUNCATE ON voters FOR EACH STATEMENT EXECUTE FUNCTION ballotflow_append_only();

-- Down Migration
DROP TRIGGER voters_no_truncate ON voters;
DROP TRIGGER voters_purge_only ON voters;
DROP FUNCTION ballotflow_purge_only();
DROP INDEX audit_log_county_at;
DROP TRIGGER consents_no_truncate ON consents;
DROP TRIGGER ballot_events_no_truncate ON ballot_events;
DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TABLE api_keys;
