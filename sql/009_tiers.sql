-- 009_tiers.sql - B6 tiered (阶梯) tariffs: tiers of monthly consumption, each meter's tier sent, and the settlements.
ALTER TABLE tariff_versions
  ADD COLUMN tiers VARCHAR(255) NOT NULL DEFAULT '' AFTER tou;

-- Per meter of an open account on a tiered tariff: the tier last sent to it
-- this month, from which consumption (base_energy at since) it counts, and
-- the price command after which it was last settled.
CREATE TABLE tier_state (
  meter_id INT NOT NULL PRIMARY KEY,
  account_id INT NOT NULL,
  month DATE NOT NULL,
  since DATETIME(3) NOT NULL,
  base_energy BIGINT NOT NULL,
  version_id INT NOT NULL,
  tier TINYINT NOT NULL,
  command_id BIGINT NULL,
  settled_command_id BIGINT NULL,
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  FOREIGN KEY (meter_id) REFERENCES meters (id),
  FOREIGN KEY (account_id) REFERENCES accounts (id),
  FOREIGN KEY (version_id) REFERENCES tariff_versions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Each settlement: the exact tiered charge of the month so far against what
-- the meter deducted, and the adjustment entry that evens them out.
CREATE TABLE tier_settlements (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  meter_id INT NOT NULL,
  account_id INT NOT NULL,
  month DATE NOT NULL,
  idem_key VARCHAR(64) NOT NULL,
  through_at DATETIME(3) NOT NULL,
  energy BIGINT NOT NULL,
  exact_fen BIGINT NOT NULL,
  deducted_fen BIGINT NOT NULL,
  adjust_fen BIGINT NOT NULL,
  ledger_id BIGINT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY (idem_key),
  KEY (month, meter_id),
  KEY (account_id, month),
  FOREIGN KEY (meter_id) REFERENCES meters (id),
  FOREIGN KEY (account_id) REFERENCES accounts (id),
  FOREIGN KEY (ledger_id) REFERENCES ledger (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
