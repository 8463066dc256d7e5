-- 035_audit_privacy.sql - refused requests counted per minute for the operation log, and the date a student agreed to the notice on personal data.
-- One row per operator (or address, when nobody is signed in), path, reason and minute: the first
-- refusal of the minute writes the operation log's row (oplog_id), the others only count (n).
CREATE TABLE oplog_refusals (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  who VARCHAR(80) NOT NULL,               -- "op:ID" or "addr:ADDRESS"
  path VARCHAR(255) NOT NULL,
  reason VARCHAR(32) NOT NULL,            -- right, signed_out, csrf, origin, method
  minute DATETIME NOT NULL,               -- UTC, seconds 0
  n INT UNSIGNED NOT NULL DEFAULT 1,
  oplog_id BIGINT NULL,
  UNIQUE KEY (who, path, reason, minute),
  KEY (oplog_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- 个人信息处理说明 (8.3.3): when the account's student agreed to it; NULL: not yet, the
-- student site shows the notice before anything else
ALTER TABLE student_logins ADD COLUMN privacy_agreed_at DATETIME NULL;
