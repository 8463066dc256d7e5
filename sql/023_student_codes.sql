-- 023_student_codes.sql - M1 sign-in by a code sent by SMS and M4 the phone change confirmed by a code: the codes as HMACs, behind definer functions that take a phone in and never give one out.

-- the collector sends these like any other text; 'code' tells them apart.
-- Once a code's text is sent and the code used or replaced, its digits are
-- masked: the outbox keeps no code longer than it must.
ALTER TABLE sms_outbox
  MODIFY recipient ENUM('holder', 'staff', 'code') NOT NULL DEFAULT 'holder',
  ADD KEY phone_recipient (phone, recipient);

-- the code sign-in finds an account by its phone
ALTER TABLE accounts ADD KEY phone (phone);

-- One row per code asked for, for a known phone or not (so that the limits
-- and the answer are the same either way). code_hash is the HMAC-SHA256 of
-- "PURPOSE\nPHONE\nCODE" with the student site's own key (code_key in its
-- configuration): never the code. The student site's account cannot read
-- this table; only the functions below can.
CREATE TABLE student_codes (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  purpose ENUM('login', 'phone') NOT NULL,
  phone VARCHAR(20) NOT NULL,
  -- login: the account the code signs in to (NULL: no such phone);
  -- phone: the student who changes their phone to this one
  account_id INT NULL,
  code_hash CHAR(64) NOT NULL,
  created_at DATETIME NOT NULL,
  -- used, replaced by a newer code, or spent by wrong tries
  used_at DATETIME NULL,
  tries INT NOT NULL DEFAULT 0,
  KEY (phone, created_at),
  KEY (account_id, purpose, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

DELIMITER //

-- (text parameters in the tables' character set and collation, utf8mb4's
-- default, not the database's)

-- A new code for PHONE: 'sent' (the SMS is queued when the phone is known,
-- or for PURPOSE 'phone', the new phone of ACCOUNT), 'wait' (one a minute),
-- 'hour' (five an hour), 'bad' (not a phone or a hash). The same answer
-- whether the phone is known or not.
CREATE FUNCTION student_code_send(
    p_purpose VARCHAR(8) CHARACTER SET utf8mb4,
    p_phone VARCHAR(20) CHARACTER SET utf8mb4,
    p_account INT,
    p_hash VARCHAR(64) CHARACTER SET utf8mb4,
    p_body VARCHAR(700) CHARACTER SET utf8mb4)
  RETURNS VARCHAR(8) CHARACTER SET utf8mb4
  NOT DETERMINISTIC MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE n_min, n_hour INT DEFAULT 0;
  DECLARE acct INT DEFAULT NULL;

  IF p_phone IS NULL OR p_phone NOT REGEXP '^1[3-9][0-9]{9}$'
      OR p_hash IS NULL OR p_hash NOT REGEXP '^[0-9a-f]{64}$'
      OR p_purpose NOT IN ('login', 'phone')
      OR (p_purpose = 'phone' AND p_account IS NULL) THEN
    RETURN 'bad';
  END IF;
  -- per phone, and for a phone change also per student (no SMS to any
  -- number at will from one signed-in account)
  SELECT COUNT(*), COALESCE(SUM(created_at > UTC_TIMESTAMP() - INTERVAL 1 MINUTE), 0)
    INTO n_hour, n_min FROM student_codes
    WHERE created_at > UTC_TIMESTAMP() - INTERVAL 1 HOUR
    AND (phone = p_phone OR (p_purpose = 'phone' AND purpose = 'phone'
      AND account_id = p_account));
  IF n_min > 0 THEN
    RETURN 'wait';
  END IF;
  IF n_hour >= 5 THEN
    RETURN 'hour';
  END IF;
  IF p_purpose = 'login' THEN
    -- two open accounts with one phone: the newest, as a room's sign-in;
    -- a phone stored as +86... is the same phone
    SET acct = (SELECT a.id FROM accounts a
      JOIN student_logins l ON l.account_id = a.id
      WHERE a.phone IN (p_phone, CONCAT('+86', p_phone)) AND a.status = 'open'
      ORDER BY a.id DESC LIMIT 1);
  ELSE
    SET acct = (SELECT a.id FROM accounts a
      WHERE a.id = p_account AND a.status = 'open');
  END IF;
  -- a new code ends the earlier ones
  UPDATE student_codes SET used_at = UTC_TIMESTAMP()
    WHERE phone = p_phone AND purpose = p_purpose AND used_at IS NULL
    AND (p_purpose = 'login' OR account_id = p_account);
  UPDATE sms_outbox SET body = REGEXP_REPLACE(body, '[0-9]{6}', '******')
    WHERE phone = p_phone AND recipient = 'code' AND status <> 'queued';
  INSERT INTO student_codes (purpose, phone, account_id, code_hash, created_at)
    VALUES (p_purpose, p_phone, acct, p_hash, UTC_TIMESTAMP());
  IF acct IS NOT NULL THEN
    INSERT INTO sms_outbox (phone, body, recipient)
      VALUES (p_phone, p_body, 'code');
  END IF;
  RETURN 'sent';
END //

-- The code of HASH for PHONE: the account it signs in to (PURPOSE 'login')
-- or whose phone it now is (PURPOSE 'phone', only for ACCOUNT), once, within
-- 5 minutes; 0 when wrong, used, expired or unknown. Five wrong tries spend
-- the code.
CREATE FUNCTION student_code_check(
    p_purpose VARCHAR(8) CHARACTER SET utf8mb4,
    p_phone VARCHAR(20) CHARACTER SET utf8mb4,
    p_account INT,
    p_hash VARCHAR(64) CHARACTER SET utf8mb4)
  RETURNS INT
  NOT DETERMINISTIC MODIFIES SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE cid BIGINT DEFAULT NULL;
  DECLARE chash CHAR(64) CHARACTER SET utf8mb4;
  DECLARE cacct, ctries INT;

  SET cid = (SELECT id FROM student_codes
    WHERE phone = p_phone AND purpose = p_purpose AND used_at IS NULL
    AND created_at > UTC_TIMESTAMP() - INTERVAL 5 MINUTE
    AND (p_purpose = 'login' OR account_id = p_account)
    ORDER BY id DESC LIMIT 1);
  IF cid IS NULL THEN
    RETURN 0;
  END IF;
  SELECT code_hash, account_id, tries INTO chash, cacct, ctries
    FROM student_codes WHERE id = cid FOR UPDATE;
  IF p_hash IS NULL OR chash <> p_hash OR cacct IS NULL THEN
    UPDATE student_codes SET tries = ctries + 1,
      used_at = IF(ctries + 1 >= 5, UTC_TIMESTAMP(), NULL)
      WHERE id = cid;
    RETURN 0;
  END IF;
  UPDATE student_codes SET used_at = UTC_TIMESTAMP()
    WHERE id = cid AND used_at IS NULL;
  IF ROW_COUNT() = 0 THEN
    RETURN 0;
  END IF;
  UPDATE sms_outbox SET body = REGEXP_REPLACE(body, '[0-9]{6}', '******')
    WHERE phone = p_phone AND recipient = 'code' AND status <> 'queued';
  IF p_purpose = 'login' THEN
    IF NOT EXISTS (SELECT 1 FROM accounts WHERE id = cacct AND status = 'open'
        AND phone IN (p_phone, CONCAT('+86', p_phone))) THEN
      RETURN 0;
    END IF;
  ELSE
    UPDATE accounts SET phone = p_phone WHERE id = cacct AND status = 'open';
    IF ROW_COUNT() = 0 AND NOT EXISTS (SELECT 1 FROM accounts
        WHERE id = cacct AND status = 'open') THEN
      RETURN 0;
    END IF;
  END IF;
  RETURN cacct;
END //

-- The phone of ACCOUNT as the student sees it: 138****5678, '' for none.
CREATE FUNCTION student_phone_masked(p_account INT)
  RETURNS VARCHAR(20) CHARACTER SET utf8mb4
  NOT DETERMINISTIC READS SQL DATA SQL SECURITY DEFINER
BEGIN
  DECLARE p VARCHAR(20) CHARACTER SET utf8mb4;

  SET p = (SELECT phone FROM accounts WHERE id = p_account);
  IF p IS NULL OR CHAR_LENGTH(p) < 8 THEN
    RETURN '';
  END IF;
  RETURN CONCAT(LEFT(p, 3), REPEAT('*', CHAR_LENGTH(p) - 7), RIGHT(p, 4));
END //

DELIMITER ;
