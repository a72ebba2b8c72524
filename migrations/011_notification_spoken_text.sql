-- Up Migration
-- The words a voice notice spoke, so the voter's "press 1 to hear it again" replays that notice and not a
-- generic line. Only voice notices have it (a text or an email stays in the voter's inbox). The retention purge
-- clears it with the election's voter records: it can carry the voter's first name.
ALTER TABLE notifications ADD COLUMN spoken_text text;

-- Down Migration
ALTER TABLE notifications DROP COLUMN spoken_text;
