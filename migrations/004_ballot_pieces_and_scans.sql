-- Up Migration
-- Which ballot each mail piece is: filled from vendor manifests, read when USPS scans arrive.
CREATE TABLE ballot_pieces (
  tracking_code  text PRIMARY KEY,
  election_id    text NOT NULL,
  ballot_id      text NOT NULL,
  direction      text NOT NULL CHECK (direction IN ('outbound', 'return'))
);
CREATE INDEX ballot_pieces_ballot ON ballot_pieces (ballot_id);

-- The first scan of each milestone of each piece: a repeated scan finds its row and signals nothing.
CREATE TABLE scan_milestones (
  tracking_code  text NOT NULL,
  milestone      text NOT NULL,
  scanned_at     timestamptz NOT NULL,
  PRIMARY KEY (tracking_code, milestone)
);

-- Scans for pieces no manifest has named yet: reported, and applied when the manifest arrives.
CREATE TABLE unmatched_scans (
  file_id        text NOT NULL,
  line           integer NOT NULL,
  tracking_code  text NOT NULL,
  scan           jsonb NOT NULL,
  applied_at     timestamptz,
  PRIMARY KEY (file_id, line)
);
CREATE INDEX unmatched_scans_pending ON unmatched_scans (tracking_code) WHERE applied_at IS NULL;

-- Down Migration
DROP TABLE unmatched_scans, scan_milestones, ballot_pieces;
