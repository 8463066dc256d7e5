-- 030_pay_refunds.sql - M3 refunds of online payments back to the payer through the gateway: a paid order never credited (needs_refund), its whole amount, requested by staff, approved by a second operator when set, sent by payments-sync.
-- out_request_no is 32 random hex characters (crypto_random_hex), the
-- gateway's idempotency key of the refund (Alipay's out_request_no, WeChat
-- Pay's out_refund_no): every try of one refund sends the same number, so
-- that the gateway hands the money back once. States: requested (waiting on
-- /approvals), approved (to send), sent (the gateway took it, still in
-- progress), refunded (the gateway says the money is back), failed (the
-- last try failed or its answer was not to be believed: tried again with
-- the same number), rejected (the second operator said no; the order may be
-- asked for again). One refund that is not rejected per order.
CREATE TABLE pay_refunds (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  out_request_no CHAR(32) NOT NULL,
  amount_fen BIGINT NOT NULL,
  reason VARCHAR(255) NOT NULL DEFAULT '',
  state ENUM('requested', 'approved', 'sent', 'refunded', 'failed',
    'rejected') NOT NULL DEFAULT 'requested',
  -- the staff form's idempotency key: a repeated submission is this row
  idem_key VARCHAR(64) NOT NULL,
  approval_id BIGINT NULL,
  requested_by INT NOT NULL,
  requested_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  approved_by INT NULL,
  approved_at DATETIME(3) NULL,
  tries INT NOT NULL DEFAULT 0,
  sent_at DATETIME(3) NULL,
  refunded_at DATETIME(3) NULL,
  -- the gateway's last answer as it came, and what was made of it
  answer MEDIUMTEXT NULL,
  note VARCHAR(255) NOT NULL DEFAULT '',
  live_order BIGINT AS (IF(state = 'rejected', NULL, order_id)) PERSISTENT,
  UNIQUE KEY (out_request_no),
  UNIQUE KEY (idem_key),
  UNIQUE KEY (live_order),
  KEY (order_id),
  KEY (approval_id),
  KEY (state, id),
  FOREIGN KEY (order_id) REFERENCES pay_orders (id),
  FOREIGN KEY (requested_by) REFERENCES operators (id),
  FOREIGN KEY (approved_by) REFERENCES operators (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- B8: a refund through the gateway waits for a second operator like a
-- counter refund (the setting approve_refund)
ALTER TABLE approvals
  MODIFY kind ENUM('refund', 'reversal', 'keep_power', 'pay_refund') NOT NULL;
