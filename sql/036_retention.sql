-- 036_retention.sql - 8.3.8 retention: how long readings, SMS and closed accounts' names and phones are kept, and prepaid_purge(), which deletes or anonymises what is past it.
-- Readings older than retain_readings_days are deleted (the day totals in daily_energy stay);
-- a closed account's holder, student number and phone are blanked retain_closed_days after it
-- was closed, its sign-in and alert rows deleted: its ledger entries stay, money records.
-- Expired sessions, sign-in failures older than a day and SMS codes older than a day go too.
ALTER TABLE accounts ADD COLUMN anonymised_at DATETIME NULL;

INSERT INTO settings (name, value) VALUES
  ('retain_readings_days', '1095'),
  ('retain_closed_days', '1825'),
  ('retain_sms_days', '365');

DELIMITER //

-- One step of the purge, WHAT: 'sessions' (staff: idle A minutes or older
-- than B hours), 'student_sessions' (idle A minutes, or older than B days),
-- 'failures', 'codes', 'readings', 'sms' (at most 10000 rows a call: call
-- again until it returns less), 'accounts'. Returns the rows deleted or
-- anonymised. The retentions are the settings', never less than their
-- floors (400 days of readings: the tiers' year; a year for closed
-- accounts; 30 days of SMS), whatever a setting says.
CREATE FUNCTION prepaid_purge(
    p_what VARCHAR(16) CHARACTER SET utf8mb4, p_a INT, p_b INT)
  RETURNS INT
  NOT DETERMINISTIC MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE d INT;
  DECLARE n INT DEFAULT 0;

  IF p_what = 'sessions' THEN
    DELETE FROM sessions WHERE last_seen < UTC_TIMESTAMP() - INTERVAL GREATEST(p_a, 1) MINUTE
      OR created_at < UTC_TIMESTAMP() - INTERVAL GREATEST(p_b, 1) HOUR;
    RETURN ROW_COUNT();
  ELSEIF p_what = 'student_sessions' THEN
    DELETE FROM student_sessions WHERE created_at < UTC_TIMESTAMP() - INTERVAL GREATEST(p_b, 1) DAY
      OR (remember = 0 AND last_seen < UTC_TIMESTAMP() - INTERVAL GREATEST(p_a, 1) MINUTE);
    RETURN ROW_COUNT();
  ELSEIF p_what = 'failures' THEN
    DELETE FROM login_failures WHERE at < UTC_TIMESTAMP() - INTERVAL 1 DAY;
    SET n = ROW_COUNT();
    DELETE FROM student_login_failures WHERE at < UTC_TIMESTAMP() - INTERVAL 1 DAY;
    RETURN n + ROW_COUNT();
  ELSEIF p_what = 'codes' THEN
    DELETE FROM student_codes WHERE created_at < UTC_TIMESTAMP() - INTERVAL 1 DAY;
    RETURN ROW_COUNT();
  ELSEIF p_what = 'readings' THEN
    SET d = GREATEST(400, COALESCE((SELECT CAST(value AS SIGNED) FROM settings
      WHERE name = 'retain_readings_days'), 1095));
    DELETE FROM readings WHERE read_at < UTC_TIMESTAMP() - INTERVAL d DAY LIMIT 10000;
    RETURN ROW_COUNT();
  ELSEIF p_what = 'sms' THEN
    SET d = GREATEST(30, COALESCE((SELECT CAST(value AS SIGNED) FROM settings
      WHERE name = 'retain_sms_days'), 365));
    DELETE FROM sms_outbox WHERE created_at < UTC_TIMESTAMP() - INTERVAL d DAY
      AND status <> 'queued' LIMIT 10000;
    RETURN ROW_COUNT();
  ELSEIF p_what = 'accounts' THEN
    SET d = GREATEST(365, COALESCE((SELECT CAST(value AS SIGNED) FROM settings
      WHERE name = 'retain_closed_days'), 1825));
    DELETE s FROM student_sessions s JOIN accounts a ON a.id = s.account_id
      WHERE a.status = 'closed' AND a.anonymised_at IS NULL AND a.closed_at < UTC_TIMESTAMP() - INTERVAL d DAY;
    DELETE l FROM student_logins l JOIN accounts a ON a.id = l.account_id
      WHERE a.status = 'closed' AND a.anonymised_at IS NULL AND a.closed_at < UTC_TIMESTAMP() - INTERVAL d DAY;
    DELETE t FROM student_alerts t JOIN accounts a ON a.id = t.account_id
      WHERE a.status = 'closed' AND a.anonymised_at IS NULL AND a.closed_at < UTC_TIMESTAMP() - INTERVAL d DAY;
    UPDATE accounts SET holder = '已匿名', holder_no = '', phone = '', anonymised_at = UTC_TIMESTAMP()
      WHERE status = 'closed' AND anonymised_at IS NULL AND closed_at < UTC_TIMESTAMP() - INTERVAL d DAY;
    RETURN ROW_COUNT();
  END IF;
  RETURN -1;
END //

DELIMITER ;
