-- 032_bus_leases.sql - collectors share the buses by leases: one collector reads a bus at a time, a dead one's buses are taken when its lease ran out.
-- A lease is taken and renewed by one UPDATE whose WHERE says the bus is free, run out or already the
-- collector's own; nothing relies on a lock held across statements (the database may be a Galera cluster).
CREATE TABLE bus_leases (
  bus_id INT NOT NULL PRIMARY KEY,
  owner VARCHAR(64) NULL,                 -- collector_name of the collector reading it; NULL: free
  lease_until DATETIME(3) NOT NULL DEFAULT '2000-01-01 00:00:00',
  renewed_at DATETIME(3) NULL,
  taken_over INT UNSIGNED NOT NULL DEFAULT 0,  -- times taken from another collector whose lease had run out
  wanted_by VARCHAR(64) NULL,             -- a collector that prefers this bus (its gateways) asks to have it back
  wanted_until DATETIME(3) NULL,
  KEY (owner),
  FOREIGN KEY (bus_id) REFERENCES buses (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO bus_leases (bus_id) SELECT id FROM buses;
