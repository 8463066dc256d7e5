-- 001_base.sql - operators, rights, sessions, the operation log, settings and the site (F1-F10).
CREATE TABLE settings (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value VARCHAR(255) NOT NULL,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO settings (name, value) VALUES
  ('site_title', '远程预付费电能管理系统'),
  ('site_logo', '/static/logo.svg'),
  ('power_threshold_w', '2200'),
  ('poll_interval_min', '30'),
  ('alarm1_fen', '2000'),
  ('alarm2_fen', '500'),
  ('price', '5880'),
  ('hoard_cap_fen', '100000'),
  ('alarm_sms_phone', ''),
  ('lost_after_cycles', '3');

CREATE TABLE roles (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  note VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE role_rights (
  role_id INT NOT NULL,
  right_code VARCHAR(16) NOT NULL,
  PRIMARY KEY (role_id, right_code),
  FOREIGN KEY (role_id) REFERENCES roles (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO roles (id, name, note) VALUES
  (1, '系统管理员', '全部权限'),
  (2, '财务', '开户、售电、退电与报表'),
  (3, '宿管', '查询与报表');
INSERT INTO role_rights (role_id, right_code)
  SELECT 1, CONCAT('F', seq) FROM seq_2_to_30;
INSERT INTO role_rights (role_id, right_code) VALUES (1, 'SITE');
INSERT INTO role_rights (role_id, right_code)
  SELECT 2, CONCAT('F', seq) FROM seq_11_to_30;
INSERT INTO role_rights (role_id, right_code) VALUES (2, 'F5');
INSERT INTO role_rights (role_id, right_code) VALUES
  (3, 'F5'), (3, 'F12'), (3, 'F14'), (3, 'F16'), (3, 'F22'), (3, 'F26'),
  (3, 'F27'), (3, 'F28'), (3, 'F30');

CREATE TABLE operators (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(32) NOT NULL,
  name VARCHAR(64) NOT NULL,
  phone VARCHAR(20) NOT NULL DEFAULT '',
  role_id INT NOT NULL,
  pw_hash VARCHAR(255) NOT NULL,
  must_change TINYINT NOT NULL DEFAULT 1,
  disabled TINYINT NOT NULL DEFAULT 0,
  failed_logins INT NOT NULL DEFAULT 0,
  locked_until DATETIME NULL,
  last_login DATETIME NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY (login),
  FOREIGN KEY (role_id) REFERENCES roles (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE sessions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash CHAR(64) NOT NULL,
  operator_id INT NOT NULL,
  csrf CHAR(64) NOT NULL,
  client_addr VARCHAR(64) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  last_seen DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY (token_hash),
  KEY (operator_id),
  FOREIGN KEY (operator_id) REFERENCES operators (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Append-only: the programs' accounts may INSERT and SELECT, nothing else.
CREATE TABLE oplog (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  operator_id INT NULL,
  login VARCHAR(32) NOT NULL DEFAULT '',
  client_addr VARCHAR(64) NOT NULL DEFAULT '',
  action VARCHAR(64) NOT NULL,
  object VARCHAR(255) NOT NULL DEFAULT '',
  before_val TEXT NULL,
  after_val TEXT NULL,
  KEY (at),
  KEY (operator_id, at),
  KEY (action, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE buildings (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  floors INT NOT NULL,
  note VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE rooms (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  building_id INT NOT NULL,
  floor INT NOT NULL,
  number VARCHAR(16) NOT NULL,
  note VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY (building_id, number),
  KEY (building_id, floor),
  FOREIGN KEY (building_id) REFERENCES buildings (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE gateways (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  host VARCHAR(253) NOT NULL,
  ports INT NOT NULL,
  building_id INT NULL,
  note VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY (name),
  FOREIGN KEY (building_id) REFERENCES buildings (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One RS-485 port of a gateway is one bus.
CREATE TABLE buses (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  gateway_id INT NOT NULL,
  port INT NOT NULL,
  address VARCHAR(255) NOT NULL,
  baud INT NOT NULL DEFAULT 9600,
  parity CHAR(1) NOT NULL DEFAULT 'E',
  stop_bits INT NOT NULL DEFAULT 1,
  UNIQUE KEY (gateway_id, port),
  FOREIGN KEY (gateway_id) REFERENCES gateways (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE meters (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  number INT UNSIGNED NOT NULL,
  profile ENUM('ddsy1352nk', 'energy') NOT NULL,
  bus_id INT NOT NULL,
  address INT NOT NULL,
  room_id INT NULL,
  note VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY (number),
  UNIQUE KEY (bus_id, address),
  KEY (room_id),
  FOREIGN KEY (bus_id) REFERENCES buses (id),
  FOREIGN KEY (room_id) REFERENCES rooms (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
