-- 037_totp.sql - staff sign-in with a second factor (TOTP, RFC 6238): each operator's secret, the last step used, the sign-ins waiting for their code, and the setting that makes administrators use it.
-- The secret is stored sealed (AES-256-GCM under the key of totp_key_file,
-- with the operator's id authenticated), never in clear; NULL: no TOTP.
-- totp_step is the last step whose code was taken: a code is taken once.
ALTER TABLE operators
  ADD COLUMN totp_secret VARCHAR(128) NULL,
  ADD COLUMN totp_step BIGINT NOT NULL DEFAULT 0;

-- A password taken, the code not yet: the browser holds the token, the
-- row its hash. A row older than 5 minutes is no longer taken.
CREATE TABLE login_pending (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash CHAR(64) NOT NULL,
  operator_id INT NOT NULL,
  client_addr VARCHAR(64) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  UNIQUE KEY (token_hash),
  KEY (operator_id),
  KEY (created_at),
  FOREIGN KEY (operator_id) REFERENCES operators (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- On: an operator who holds F2, F3, F10 or ADJ must enrol before anything else.
INSERT INTO settings (name, value) VALUES
  ('admin_totp_required', '0');
