-- 007_tariffs.sql - B6 tariffs: single price or time of use, in versions with an effective date; meters assigned.
CREATE TABLE tariffs (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  note VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Prices per slot (spike, peak, flat, valley) in 0.0001 yuan/kWh; the day
-- table as "start_minute:slot,..." (empty: one price all day).
CREATE TABLE tariff_versions (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tariff_id INT NOT NULL,
  effective_date DATE NOT NULL,
  p0 INT NOT NULL, p1 INT NOT NULL, p2 INT NOT NULL, p3 INT NOT NULL,
  tou VARCHAR(255) NOT NULL DEFAULT '',
  created_by INT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  applied_at DATETIME NULL,
  UNIQUE KEY (tariff_id, effective_date),
  KEY (applied_at, effective_date),
  FOREIGN KEY (tariff_id) REFERENCES tariffs (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE meter_tariffs (
  meter_id INT NOT NULL PRIMARY KEY,
  tariff_id INT NOT NULL,
  assigned_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (meter_id) REFERENCES meters (id),
  FOREIGN KEY (tariff_id) REFERENCES tariffs (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
