-- Up Migration
-- Contracts and elections are registered here before their workflows start; the workflows remain the
-- source of truth for the live calendar and ledger, and write their projections and events back here.

CREATE TABLE contracts (
  id          text PRIMARY KEY,
  county      text NOT NULL,
  number      text NOT NULL,
  vendor      text NOT NULL,
  terms       jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (county, number)
);

-- The latest ledger a contract workflow wrote: reports still answer if Temporal is unreachable.
CREATE TABLE contract_ledgers (
  contract_id text PRIMARY KEY REFERENCES contracts (id),
  snapshot    jsonb NOT NULL,
  as_of       timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE elections (
  id             text PRIMARY KEY,
  county         text NOT NULL,
  election_date  date NOT NULL,
  type           text NOT NULL,
  countywide     boolean NOT NULL,
  contract_id    text NOT NULL REFERENCES contracts (id),
  request        jsonb NOT NULL,
  status         text NOT NULL DEFAULT 'active',
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX elections_county_date ON elections (county, election_date);
CREATE INDEX elections_contract ON elections (contract_id);

-- Append-only facts: every state change of an election, keyed by the workflow's own event id.
CREATE TABLE election_events (
  event_id       text PRIMARY KEY,
  election_id    text NOT NULL,
  type           text NOT NULL,
  milestone_key  text,
  actor          text,
  at             timestamptz NOT NULL,
  detail         jsonb NOT NULL DEFAULT '{}',
  recorded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX election_events_election_at ON election_events (election_id, at);

CREATE TABLE election_reports (
  election_id   text PRIMARY KEY REFERENCES elections (id),
  final_status  text NOT NULL,
  report        jsonb NOT NULL,
  written_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per reminder sent; the key (election/milestone/due date/days before) makes a retry a no-op.
CREATE TABLE deadline_reminders (
  reminder_key   text PRIMARY KEY,
  election_id    text NOT NULL,
  milestone_key  text NOT NULL,
  owner          text NOT NULL,
  due_at         timestamptz NOT NULL,
  days_before    integer NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- Idempotency-Key replay for API requests.
CREATE TABLE idempotency_keys (
  key          text PRIMARY KEY,
  fingerprint  text NOT NULL,
  status       integer,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  role        text,
  county      text,
  action      text NOT NULL,
  target      text,
  request_id  text,
  result      text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Facts are never rewritten: the application cannot UPDATE or DELETE them, whatever its grants.
CREATE FUNCTION ballotflow_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
END $$;
CREATE TRIGGER election_events_append_only BEFORE UPDATE OR DELETE ON election_events
  FOR EACH ROW EXECUTE FUNCTION ballotflow_append_only();
CREATE TRIGGER deadline_reminders_append_only BEFORE UPDATE OR DELETE ON deadline_reminders
  FOR EACH ROW EXECUTE FUNCTION ballotflow_append_only();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION ballotflow_append_only();

-- Down Migration
DROP TABLE audit_log, idempotency_keys, deadline_reminders, election_reports, election_events, elections,
  contract_ledgers, contracts;
DROP FUNCTION ballotflow_append_only();
