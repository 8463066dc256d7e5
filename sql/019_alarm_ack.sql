-- 019_alarm_ack.sql - F22: an operator acknowledges an open alarm episode with a note; who and when stay with the episode.
ALTER TABLE alarms
  ADD COLUMN acked_at DATETIME(3) NULL,
  ADD COLUMN acked_by INT NULL,
  ADD COLUMN ack_note VARCHAR(200) NOT NULL DEFAULT '',
  ADD KEY (closed_at),
  ADD FOREIGN KEY (acked_by) REFERENCES operators (id);
