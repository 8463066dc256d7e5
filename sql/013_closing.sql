-- 013_closing.sql - F13 closing by steps (trip, read, refund exactly, restore if kept); F11 money found on a meter at opening.

-- When the closing began (reconciliation lists one closing for long).
ALTER TABLE accounts ADD COLUMN closing_at DATETIME(3) NULL;

-- Each meter of a closing account and where its closing stands:
--   trip      its trip is queued (trip_id NULL: still to queue)
--   read      tripped; waits for a read newer than every token and relay
--             command of the meter (and than read_after), then refunds
--             exactly the money of that read
--   refund    the refund of attempt ATTEMPT (refund_id) is with the meter
--   refused   the meter refused it (booked back): an operator reads again
--             and retries
--   overdraft the read after the trip shows a debt (money_fen < 0): the
--             debt is paid first
--   trip_failed, restore_failed  the relay command failed: retried by hand
--   restore   kept: the meter goes back to prepaid mode (restore_id)
--   done      the meter holds nothing of the account's money
CREATE TABLE closing_meters (
  account_id INT NOT NULL,
  meter_id INT NOT NULL,
  keep_power TINYINT NOT NULL DEFAULT 0,
  state ENUM('trip', 'read', 'refund', 'refused', 'overdraft', 'trip_failed',
    'restore', 'restore_failed', 'done') NOT NULL DEFAULT 'trip',
  trip_id BIGINT NULL,
  attempt INT NOT NULL DEFAULT 1,
  refund_id BIGINT NULL,
  money_fen BIGINT NULL,
  restore_id BIGINT NULL,
  read_after DATETIME(3) NOT NULL DEFAULT '2000-01-01',
  note VARCHAR(255) NOT NULL DEFAULT '',
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
    ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (account_id, meter_id),
  KEY (meter_id),
  FOREIGN KEY (account_id) REFERENCES accounts (id),
  FOREIGN KEY (meter_id) REFERENCES meters (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Accounts closing before this version: their meters go through the same
-- steps (a trip first).
INSERT INTO closing_meters (account_id, meter_id)
  SELECT x.account_id, x.meter_id FROM account_meters x
  JOIN accounts a ON a.id = x.account_id JOIN meters m ON m.id = x.meter_id
  WHERE a.status = 'closing' AND x.active = 1 AND m.profile = 'ddsy1352nk';
UPDATE accounts SET closing_at = UTC_TIMESTAMP(3) WHERE status = 'closing';

-- Money found on a meter at opening: carried over into the new account
-- (an entry without a token: the money is on the meter already), or
-- cleared by a debit token booked to the meter's previous account (none
-- when the meter never had one: account_id NULL).
ALTER TABLE ledger
  MODIFY kind ENUM('sale', 'online', 'refund', 'reversal', 'transfer_out',
    'transfer_in', 'closing_refund', 'adjustment', 'token_failed',
    'carry_over', 'meter_clear') NOT NULL,
  MODIFY account_id INT NULL;
