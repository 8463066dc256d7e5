-- 002_collector.sql - what the collector reads and writes: readings, state, health, commands, alarms, SMS (S1-S5, B3, B4, B9).

-- Account holders (extended by the accounts and sales migration): the
-- collector needs the phone of the account a meter belongs to for SMS.
CREATE TABLE accounts (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  holder VARCHAR(64) NOT NULL,
  holder_no VARCHAR(32) NOT NULL DEFAULT '',
  phone VARCHAR(20) NOT NULL DEFAULT '',
  room_id INT NULL,
  status ENUM('open', 'closing', 'closed') NOT NULL DEFAULT 'open',
  opened_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  closed_at DATETIME NULL,
  KEY (room_id),
  FOREIGN KEY (room_id) REFERENCES rooms (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE account_meters (
  account_id INT NOT NULL,
  meter_id INT NOT NULL,
  active TINYINT NOT NULL DEFAULT 1,
  added_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (account_id, meter_id),
  KEY (meter_id, active),
  FOREIGN KEY (account_id) REFERENCES accounts (id),
  FOREIGN KEY (meter_id) REFERENCES meters (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Every good read, in batches. Times in UTC; energy in 0.01 kWh, money in fen.
CREATE TABLE readings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  meter_id INT NOT NULL,
  read_at DATETIME(3) NOT NULL,
  meter_clock DATETIME NULL,
  energy BIGINT NOT NULL,
  e_spike BIGINT NULL,
  e_peak BIGINT NULL,
  e_flat BIGINT NULL,
  e_valley BIGINT NULL,
  remaining_fen BIGINT NULL,
  purchase_count INT NULL,
  status_word INT NULL,
  voltage_dv INT NULL,
  current_ca INT NULL,
  power_w INT NULL,
  pf_milli INT NULL,
  freq_chz INT NULL,
  KEY (meter_id, read_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The latest of everything per meter: what the pages show.
CREATE TABLE meter_state (
  meter_id INT NOT NULL PRIMARY KEY,
  read_at DATETIME(3) NULL,
  energy BIGINT NULL,
  remaining_fen BIGINT NULL,
  purchase_count INT NULL,
  status_word INT NULL,
  relay_closed TINYINT NULL,
  power_w INT NULL,
  lost TINYINT NOT NULL DEFAULT 0,
  lost_since DATETIME NULL,
  fail_streak INT NOT NULL DEFAULT 0,
  reads_ok BIGINT NOT NULL DEFAULT 0,
  reads_failed BIGINT NOT NULL DEFAULT 0,
  latency_ms_sum BIGINT NOT NULL DEFAULT 0,
  last_error VARCHAR(128) NOT NULL DEFAULT '',
  FOREIGN KEY (meter_id) REFERENCES meters (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Consumption per meter per local day (the site's time zone), for reports.
CREATE TABLE daily_energy (
  meter_id INT NOT NULL,
  day DATE NOT NULL,
  first_energy BIGINT NOT NULL,
  last_energy BIGINT NOT NULL,
  PRIMARY KEY (meter_id, day),
  FOREIGN KEY (meter_id) REFERENCES meters (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- B4 bus health: counters per bus since the collector's start of record.
CREATE TABLE bus_health (
  bus_id INT NOT NULL PRIMARY KEY,
  reads_ok BIGINT NOT NULL DEFAULT 0,
  reads_failed BIGINT NOT NULL DEFAULT 0,
  timeouts BIGINT NOT NULL DEFAULT 0,
  exceptions BIGINT NOT NULL DEFAULT 0,
  bad_frames BIGINT NOT NULL DEFAULT 0,
  link_errors BIGINT NOT NULL DEFAULT 0,
  latency_ms_sum BIGINT NOT NULL DEFAULT 0,
  last_cycle_at DATETIME NULL,
  last_cycle_ms INT NULL,
  FOREIGN KEY (bus_id) REFERENCES buses (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE gateway_state (
  gateway_id INT NOT NULL PRIMARY KEY,
  lost TINYINT NOT NULL DEFAULT 0,
  lost_since DATETIME NULL,
  FOREIGN KEY (gateway_id) REFERENCES gateways (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- S3: each change of contact, with its time.
CREATE TABLE events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(3) NOT NULL,
  kind ENUM('meter_lost', 'meter_found', 'gateway_lost', 'gateway_found',
    'count_mismatch', 'collector_start', 'collector_stop') NOT NULL,
  meter_id INT NULL,
  gateway_id INT NULL,
  detail VARCHAR(255) NOT NULL DEFAULT '',
  KEY (at),
  KEY (meter_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- S2/B3: the remote command queue. The web programs insert, the collector
-- claims by primary key with SELECT ... FOR UPDATE SKIP LOCKED.
CREATE TABLE commands (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  meter_id INT NOT NULL,
  kind ENUM('price', 'settings', 'keep_power', 'restore', 'trip', 'credit',
    'debit') NOT NULL,
  status ENUM('queued', 'sent', 'confirmed', 'failed', 'waiting') NOT NULL DEFAULT 'queued',
  purchase_count INT NULL,
  amount_fen BIGINT NULL,
  payload VARCHAR(1024) NOT NULL DEFAULT '',
  batch_id BIGINT NULL,
  tries INT NOT NULL DEFAULT 0,
  next_try_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  sent_at DATETIME(3) NULL,
  done_at DATETIME(3) NULL,
  error VARCHAR(255) NOT NULL DEFAULT '',
  KEY (meter_id, id),
  KEY (batch_id),
  FOREIGN KEY (meter_id) REFERENCES meters (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- S1: "read now" requests (a meter, or every meter when meter_id is NULL).
CREATE TABLE read_requests (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  meter_id INT NULL,
  requested_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  done_at DATETIME(3) NULL,
  KEY (done_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- S4: one row per alarm episode, opened and closed once.
CREATE TABLE alarms (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind ENUM('alarm1', 'alarm2', 'arrears', 'overload', 'meter_lost',
    'gateway_lost') NOT NULL,
  meter_id INT NULL,
  gateway_id INT NULL,
  opened_at DATETIME(3) NOT NULL,
  closed_at DATETIME(3) NULL,
  remaining_fen BIGINT NULL,
  -- NULL once closed, so that one episode at a time can be open
  open_key VARCHAR(32) NULL,
  UNIQUE KEY (open_key),
  KEY (meter_id, opened_at),
  KEY (opened_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- S5: the SMS outbox; a message stays until the modem confirmed it.
CREATE TABLE sms_outbox (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  phone VARCHAR(20) NOT NULL,
  body VARCHAR(700) NOT NULL,
  alarm_id BIGINT NULL,
  status ENUM('queued', 'sent', 'failed') NOT NULL DEFAULT 'queued',
  tries INT NOT NULL DEFAULT 0,
  next_try_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  sent_at DATETIME(3) NULL,
  modem_ref VARCHAR(32) NOT NULL DEFAULT '',
  error VARCHAR(255) NOT NULL DEFAULT '',
  UNIQUE KEY (alarm_id),
  KEY (status, next_try_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- B9: the collector's heartbeat and figures, read by /metrics and the pages.
CREATE TABLE collector_status (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value BIGINT NOT NULL DEFAULT 0,
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
