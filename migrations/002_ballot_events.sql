-- Up Migration
-- Every transition and alert of a ballot, written by its BallotWorkflow (issue 3). Append-only: the
-- notification capability consumes these events; projections (status counts, lookups) derive from them.
CREATE TABLE ballot_events (
  event_id      text PRIMARY KEY,
  election_id   text NOT NULL,
  ballot_id     text NOT NULL,
  type          text NOT NULL,
  status        text,
  reason_codes  text[] NOT NULL DEFAULT '{}',
  at            timestamptz NOT NULL,
  detail        jsonb NOT NULL DEFAULT '{}',
  recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ballot_events_ballot_at ON ballot_events (ballot_id, at);
CREATE INDEX ballot_events_election_status ON ballot_events (election_id, status);
CREATE TRIGGER ballot_events_append_only BEFORE UPDATE OR DELETE ON ballot_events
  FOR EACH ROW EXECUTE FUNCTION ballotflow_append_only();

-- Down Migration
DROP TABLE ballot_events;
