-- 004_ledger.sql - the append-only ledger, purchase counts and receipts (F11-F21, B1, B2).

ALTER TABLE accounts
  ADD COLUMN note VARCHAR(255) NOT NULL DEFAULT '',
  ADD COLUMN opened_by INT NULL,
  ADD COLUMN closed_by INT NULL,
  ADD COLUMN idem_key VARCHAR(64) NULL,
  ADD UNIQUE KEY (idem_key),
  ADD KEY (holder),
  ADD KEY (holder_no),
  ADD KEY (status, opened_at);

-- A meter belongs to at most one open account: open_meter_id is the meter
-- while the link is active and NULL after, under a unique key.
ALTER TABLE account_meters
  ADD COLUMN open_meter_id INT NULL,
  ADD UNIQUE KEY (open_meter_id);

-- The purchase count the next token of a meter will use, minus one: the
-- count of the last token issued. Locked with SELECT ... FOR UPDATE by every
-- transaction that issues a token.
CREATE TABLE purchase_counts (
  meter_id INT NOT NULL PRIMARY KEY,
  last_count INT NOT NULL,
  FOREIGN KEY (meter_id) REFERENCES meters (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Append-only: the programs' accounts may INSERT and SELECT, never UPDATE
-- or DELETE. Amounts are signed fen; a correction is a new row. The receipt
-- number is the local date and the id: YYYYMMDD + 8 digits.
CREATE TABLE ledger (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id INT NOT NULL,
  meter_id INT NOT NULL,
  kind ENUM('sale', 'online', 'refund', 'reversal', 'transfer_out',
    'transfer_in', 'closing_refund', 'adjustment', 'token_failed') NOT NULL,
  amount_fen BIGINT NOT NULL,
  operator_id INT NULL,
  channel ENUM('counter', 'online', 'system') NOT NULL DEFAULT 'counter',
  idem_key VARCHAR(64) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  reverses_id BIGINT NULL,
  command_id BIGINT NULL,
  link_id BIGINT NULL,
  note VARCHAR(255) NOT NULL DEFAULT '',
  UNIQUE KEY (idem_key),
  UNIQUE KEY (reverses_id),
  UNIQUE KEY (command_id),
  KEY (account_id, created_at),
  KEY (meter_id, created_at),
  KEY (kind, created_at),
  FOREIGN KEY (account_id) REFERENCES accounts (id),
  FOREIGN KEY (meter_id) REFERENCES meters (id),
  FOREIGN KEY (reverses_id) REFERENCES ledger (id),
  FOREIGN KEY (command_id) REFERENCES commands (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Each print of a receipt; every print after the first is marked a copy.
CREATE TABLE receipt_prints (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ledger_id BIGINT NOT NULL,
  operator_id INT NULL,
  printed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY (ledger_id),
  FOREIGN KEY (ledger_id) REFERENCES ledger (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO settings (name, value) VALUES
  ('receipt_header', '远程预付费电能管理系统 售电收据'),
  ('receipt_footer', '请妥善保管本收据。');
