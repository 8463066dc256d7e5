-- 016_sms_fixes.sql - the SMS outbox keeps each part's confirmation, marks messages the modem may have sent unconfirmed, and holds a staff copy of an alarm episode beside the holder's.
ALTER TABLE sms_outbox
  ADD COLUMN recipient ENUM('holder', 'staff') NOT NULL DEFAULT 'holder' AFTER alarm_id,
  -- the modem's reference of each part once it confirmed it, '-' until then: "12,-"
  ADD COLUMN part_refs VARCHAR(128) NOT NULL DEFAULT '',
  -- the modem took the text but never answered: it may have gone out
  ADD COLUMN possibly_sent TINYINT NOT NULL DEFAULT 0,
  MODIFY modem_ref VARCHAR(128) NOT NULL DEFAULT '',
  ADD UNIQUE KEY alarm_recipient (alarm_id, recipient),
  ADD KEY possibly_sent (possibly_sent, id),
  DROP KEY alarm_id;
