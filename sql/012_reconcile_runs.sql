-- 012_reconcile_runs.sql - B1: each daily reconciliation run (prepaid-admin reconcile) and what it found.
CREATE TABLE reconcile_runs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  run_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  total INT NOT NULL,
  detail VARCHAR(255) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
