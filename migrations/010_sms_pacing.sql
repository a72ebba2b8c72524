-- Up Migration
-- Per-number pacing of outbound texts (issue 4, "no rate limit ever exceeded"). Temporal's task-queue rate limit
-- spaces when send activities start; this spaces when texts reach Twilio. A sender takes its number's lease,
-- sends, and gives it back with the earliest time the next text may start: one interval after this one was
-- accepted. A lease ends by itself after `busy_until`, so a sender that dies holding it blocks nobody for long.
CREATE TABLE sms_number_pacing (
  number      text PRIMARY KEY,
  next_at     timestamptz NOT NULL DEFAULT '-infinity',
  busy_until  timestamptz NOT NULL DEFAULT '-infinity',
  holder      text
);

-- Down Migration
DROP TABLE sms_number_pacing;
