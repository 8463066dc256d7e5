-- 018_collector_instances.sql - several collectors on one site: each keys its heartbeat rows and its command claims by its name (collector_name).
-- The figures of before carry no name; the running collector writes its own again within seconds.
DELETE FROM collector_status;
ALTER TABLE collector_status
  ADD COLUMN collector VARCHAR(64) NOT NULL DEFAULT '' FIRST,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (collector, name);

-- The collector that last claimed a command: a restart releases only its own leases.
ALTER TABLE commands
  ADD COLUMN claimed_by VARCHAR(64) NULL,
  ADD KEY (claimed_by, status);
