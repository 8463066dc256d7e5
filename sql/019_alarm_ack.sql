-- 019_alarm_ack.sql - F22: an operator acknowledges an open alarm episode with a note (who and when stay with the episode); B9: the health page has a right of its own, held by the administrators.
ALTER TABLE alarms
  ADD COLUMN acked_at DATETIME(3) NULL,
  ADD COLUMN acked_by INT NULL,
  ADD COLUMN ack_note VARCHAR(200) NOT NULL DEFAULT '',
  ADD KEY (closed_at),
  ADD FOREIGN KEY (acked_by) REFERENCES operators (id);

-- B9: the system health page has a right of its own (like ADJ); the
-- administrators' role holds it.
INSERT IGNORE INTO role_rights (role_id, right_code) VALUES (1, 'B9');
