-- 031_pay_bills.sql - B1 the gateways' daily bills: each day's bill of a channel as fetched, its lines, matched line by line with the payment orders.
-- One row per channel and day (the site's day): ok (the file read and its
-- lines stored), failed (why in note; payments-sync asks again), with the
-- number of lines and the file's SHA-1.
CREATE TABLE pay_bills (
  channel ENUM('alipay', 'wechat') NOT NULL,
  day DATE NOT NULL,
  state ENUM('ok', 'failed') NOT NULL,
  fetched_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  line_count INT NOT NULL DEFAULT 0,
  sha1 CHAR(40) NOT NULL DEFAULT '',
  note VARCHAR(255) NOT NULL DEFAULT '',
  PRIMARY KEY (channel, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- A line of a bill: the gateway's trade (kind trade) or refund (kind
-- refund) of our order number OUT_TRADE_NO (or a number not ours), its
-- amount in fen and the gateway's state. One line per order and kind:
-- fetching a day again replaces its lines, never adds them twice.
CREATE TABLE pay_bill_lines (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  channel ENUM('alipay', 'wechat') NOT NULL,
  day DATE NOT NULL,
  trade_no VARCHAR(64) NOT NULL DEFAULT '',
  out_trade_no VARCHAR(64) NOT NULL,
  amount_fen BIGINT NOT NULL,
  kind ENUM('trade', 'refund') NOT NULL,
  state VARCHAR(32) NOT NULL DEFAULT '',
  UNIQUE KEY (channel, out_trade_no, kind),
  KEY (day, channel)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- the orders paid on a day: the ones its bills must hold
ALTER TABLE pay_orders ADD KEY paid (paid_at);
