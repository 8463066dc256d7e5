-- 019_alarm_ack.sql - F22: an operator acknowledges an open alarm episode with a note (who and when stay with the episode); B9: the administrators hold F1, the health page's right.
ALTER TABLE alarms
  ADD COLUMN acked_at DATETIME(3) NULL,
  ADD COLUMN acked_by INT NULL,
  ADD COLUMN ack_note VARCHAR(200) NOT NULL DEFAULT '',
  ADD KEY (closed_at),
  ADD FOREIGN KEY (acked_by) REFERENCES operators (id);

-- B9: the system health page is under F1, which no role held (signing in
-- again needs no right); the administrators' role gets it.
INSERT IGNORE INTO role_rights (role_id, right_code) VALUES (1, 'F1');
