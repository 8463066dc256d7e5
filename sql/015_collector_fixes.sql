-- 015_collector_fixes.sql - what a "read now" found, the meters' bad-token counter and its alarm episode.

-- A read request records what happened: read, failed (reason: timeout,
-- no_answer, exception, bad_frame, link, not_tried), or unknown (no
-- collector reads that meter). NULL for a request for every meter.
ALTER TABLE read_requests
  ADD COLUMN outcome ENUM('read', 'failed', 'unknown') NULL,
  ADD COLUMN reason VARCHAR(32) NOT NULL DEFAULT '';

-- The meter's count of refused tokens (bad MAC or meter number, 0x0228).
ALTER TABLE readings ADD COLUMN bad_tokens INT NULL;
ALTER TABLE meter_state ADD COLUMN bad_tokens INT NULL;

-- An episode while the counter rises: forged tokens tried on the meter.
ALTER TABLE alarms MODIFY kind ENUM('alarm1', 'alarm2', 'arrears', 'overload', 'meter_lost',
  'gateway_lost', 'count_mismatch', 'bad_token') NOT NULL;
