-- 022_report_speed.sql - the reports' speed: each meter's readings stored together in time order, and the ledger's entries by time with the sales report's columns.
-- The readings were clustered by id, so a meter's reads lay spread over the
-- whole table and a year of one meter's reads (F29, the reading history, the
-- tier settlements) cost a page read each. Clustered by (meter_id, read_at,
-- id) they lie together; id stays unique and keeps its own key. The collector
-- appends to the end of each meter's range, which stays in memory. The
-- secondary key (meter_id, read_at) is the primary key's prefix now.
ALTER TABLE readings
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (meter_id, read_at, id),
  ADD KEY id (id),
  DROP KEY meter_id;

-- F23-F25: a date range reads only its entries, from the index alone.
ALTER TABLE ledger
  ADD KEY created_at (created_at, account_id, operator_id, kind, channel, amount_fen);
