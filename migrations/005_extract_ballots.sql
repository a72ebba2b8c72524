-- Up Migration
-- The ballots each state extract issued, for the manifest reconciliation (the contract demands a 1-to-1 match).
CREATE TABLE extract_ballots (
  election_id  text NOT NULL,
  ballot_id    text NOT NULL,
  voter_id     text NOT NULL,
  issue        integer NOT NULL,
  file_id      text NOT NULL,
  line         integer NOT NULL,
  PRIMARY KEY (election_id, ballot_id)
);
CREATE INDEX extract_ballots_voter ON extract_ballots (election_id, voter_id, issue);

-- Down Migration
DROP TABLE extract_ballots;
