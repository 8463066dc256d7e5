-- 025_payments.sql - online top-up (M3): payment orders, every notice a gateway sends as it came, and the channels of an online credit.
-- An order's number is 32 random hex characters (crypto_random_hex), the
-- idempotency key of its credit "alipay:NUMBER". States: created (sent to
-- the gateway, not paid yet), paid (a verified notice, credit not written
-- yet: a crash in between), credited (the ledger entry and its token are
-- written), needs_refund (paid, but the account was closed or the cap
-- refused it: money received, to hand back), closed (never paid),
-- refunded (handed back through the gateway).
CREATE TABLE pay_orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  out_trade_no CHAR(32) NOT NULL,
  channel ENUM('alipay', 'wechat') NOT NULL,
  account_id INT NOT NULL,
  meter_id INT NOT NULL,
  amount_fen BIGINT NOT NULL,
  state ENUM('created', 'paid', 'credited', 'needs_refund', 'closed',
    'refunded') NOT NULL DEFAULT 'created',
  -- why a paid order was not credited (a ledger refusal: account_closed, over_cap)
  reason VARCHAR(64) NOT NULL DEFAULT '',
  trade_no VARCHAR(64) NOT NULL DEFAULT '',
  buyer VARCHAR(64) NOT NULL DEFAULT '',
  ledger_id BIGINT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  paid_at DATETIME(3) NULL,
  UNIQUE KEY (out_trade_no),
  UNIQUE KEY (ledger_id),
  KEY (account_id, id),
  KEY (state, created_at),
  FOREIGN KEY (account_id) REFERENCES accounts (id),
  FOREIGN KEY (meter_id) REFERENCES meters (id),
  FOREIGN KEY (ledger_id) REFERENCES ledger (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Every notice, stored before it is acted on: its body as sent, whether
-- its signature held, and what came of it.
CREATE TABLE pay_notices (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  channel ENUM('alipay', 'wechat') NOT NULL,
  received_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  client_addr VARCHAR(64) NOT NULL DEFAULT '',
  body MEDIUMTEXT NOT NULL,
  verified TINYINT NOT NULL DEFAULT 0,
  out_trade_no VARCHAR(64) NOT NULL DEFAULT '',
  order_id BIGINT NULL,
  outcome ENUM('pending', 'credited', 'duplicate', 'needs_refund',
    'bad_signature', 'bad_app', 'bad_seller', 'unknown_order', 'bad_amount',
    'not_paid', 'malformed', 'error') NOT NULL DEFAULT 'pending',
  note VARCHAR(255) NOT NULL DEFAULT '',
  KEY (order_id),
  KEY (outcome, received_at),
  KEY (out_trade_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

ALTER TABLE ledger
  MODIFY channel ENUM('counter', 'online', 'system', 'alipay', 'wechat')
    NOT NULL DEFAULT 'counter';

-- the largest top-up of one order (fen)
INSERT INTO settings (name, value) VALUES ('pay_max_fen', '50000');

-- the student site checks the order's limits before sending a student away
CREATE OR REPLACE SQL SECURITY DEFINER VIEW student_settings AS
  SELECT name, value FROM settings
  WHERE name IN ('site_title', 'site_logo', 'price', 'hoard_cap_fen',
    'pay_max_fen');
