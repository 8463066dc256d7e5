-- 027_daily_use.sql - each day row keeps the day's use, so the energy reports sum a column instead of comparing every day row with the one before.
-- A day's use (0.01 kWh) is its last energy minus the last energy of the
-- meter's row before (however many days before: a gap's use falls on the day
-- after it), or minus its own first energy when it has none; a meter set back
-- (replaced) counts 0. The collector writes it with the day row and puts the
-- next day's right when reads of an earlier day come late. NULL: a row
-- written without it (by hand); the reports work that one out when they read.
ALTER TABLE daily_energy
  ADD COLUMN used BIGINT NULL AFTER last_energy;

UPDATE daily_energy d
  JOIN (SELECT meter_id, day,
          GREATEST(last_energy - COALESCE(LAG(last_energy) OVER
            (PARTITION BY meter_id ORDER BY day), first_energy), 0) AS u
        FROM daily_energy) x ON x.meter_id = d.meter_id AND x.day = d.day
  SET d.used = x.u;
