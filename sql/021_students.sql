-- 021_students.sql - M1 the student site's sign-in: a password per account, the students' sessions and failed sign-ins, apart from the staff's.
CREATE TABLE student_logins (
  account_id INT NOT NULL PRIMARY KEY,
  pw_hash VARCHAR(255) NOT NULL,
  -- set by staff: the first sign-in chooses a new one
  must_change TINYINT NOT NULL DEFAULT 1,
  set_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  set_by INT NULL,
  last_login DATETIME NULL,
  FOREIGN KEY (account_id) REFERENCES accounts (id),
  FOREIGN KEY (set_by) REFERENCES operators (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- remember = 1: kept 7 days (a cookie with a lifetime); 0: the browser's
-- session, ended after the idle timeout
CREATE TABLE student_sessions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash CHAR(64) NOT NULL,
  account_id INT NOT NULL,
  csrf CHAR(64) NOT NULL,
  client_addr VARCHAR(64) NOT NULL DEFAULT '',
  remember TINYINT NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  last_seen DATETIME NOT NULL,
  UNIQUE KEY (token_hash),
  KEY (account_id),
  FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- login: the building's id and the room number, "3/101"
CREATE TABLE student_login_failures (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(64) NOT NULL,
  client_addr VARCHAR(64) NOT NULL,
  at DATETIME NOT NULL,
  KEY (client_addr, at),
  KEY (login, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The settings the student site shows or needs, and no other (its account
-- cannot read the settings table itself).
CREATE SQL SECURITY DEFINER VIEW student_settings AS
  SELECT name, value FROM settings
  WHERE name IN ('site_title', 'site_logo', 'price');
