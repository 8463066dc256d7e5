-- 005_batches.sql - batch operations on many meters (F15): one row per batch, its commands point at it.
CREATE TABLE batches (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  action ENUM('price', 'settings', 'keep_power', 'restore', 'trip', 'read') NOT NULL,
  meters INT NOT NULL,
  created_by INT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  idem_key VARCHAR(64) NOT NULL,
  UNIQUE KEY (idem_key),
  KEY (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

ALTER TABLE read_requests ADD COLUMN batch_id BIGINT NULL, ADD KEY (batch_id);
