-- 011_count_alarm.sql - a meter whose purchase count is not where its next token expects: an alarm episode for an operator.
ALTER TABLE alarms MODIFY kind ENUM('alarm1', 'alarm2', 'arrears', 'overload', 'meter_lost',
  'gateway_lost', 'count_mismatch') NOT NULL;
