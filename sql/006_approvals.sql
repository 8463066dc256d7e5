-- 006_approvals.sql - B8 two-person approval of refunds, reversals and keep power: nothing reaches a meter before it.
CREATE TABLE approvals (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind ENUM('refund', 'reversal', 'keep_power') NOT NULL,
  account_id INT NULL,
  meter_id INT NULL,
  amount_fen BIGINT NULL,
  reverses_id BIGINT NULL,
  meters TEXT NULL,
  note VARCHAR(255) NOT NULL DEFAULT '',
  idem_key VARCHAR(64) NOT NULL,
  status ENUM('pending', 'approved', 'rejected') NOT NULL DEFAULT 'pending',
  requested_by INT NOT NULL,
  requested_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  decided_by INT NULL,
  decided_at DATETIME(3) NULL,
  result_id BIGINT NULL,
  reason VARCHAR(255) NOT NULL DEFAULT '',
  UNIQUE KEY (idem_key),
  KEY (status, requested_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO settings (name, value) VALUES
  ('approve_refund', '0'), ('approve_reversal', '0'), ('approve_keep_power', '0');
