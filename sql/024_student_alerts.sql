-- 024_student_alerts.sql - M4 the student's alert settings: which balance alarm SMS to receive and a quiet period at night; the outbox holds an SMS through it.
-- One row per account once the student saved the page; no row is the
-- default: every level on, no quiet period. quiet_from/quiet_to: minutes
-- of the site's local day (0-1439), both NULL for none; from > to crosses
-- midnight (22:30 to 07:00).
CREATE TABLE student_alerts (
  account_id INT NOT NULL PRIMARY KEY,
  alarm1 TINYINT NOT NULL DEFAULT 1,
  alarm2 TINYINT NOT NULL DEFAULT 1,
  arrears TINYINT NOT NULL DEFAULT 1,
  quiet_from SMALLINT NULL,
  quiet_to SMALLINT NULL,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- held = 1: a holder's SMS kept back by the quiet period (next_try_at is
-- its end); the collector releases it then. withdrawn: its alarm closed
-- (or the student turned the level off) before it could go out.
ALTER TABLE sms_outbox
  ADD COLUMN held TINYINT NOT NULL DEFAULT 0,
  MODIFY status ENUM('queued', 'sent', 'failed', 'withdrawn') NOT NULL DEFAULT 'queued';
