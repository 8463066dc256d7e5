-- 020_loss_setting.sql - B7 master meters against their rooms: the loss threshold, the building a master meter measures, days of the day table found by date.
INSERT INTO settings (name, value) VALUES
  ('loss_alarm_pct', '5');

-- The building whose whole use a master (energy-only) meter measures; NULL
-- for a room's meter. An energy-only meter in no room with none set counts
-- for its gateway's building.
ALTER TABLE meters
  ADD COLUMN master_of INT NULL AFTER room_id,
  ADD CONSTRAINT meters_master_of FOREIGN KEY (master_of) REFERENCES buildings (id);

-- The reports read a range of days of every meter.
ALTER TABLE daily_energy ADD KEY day (day);
