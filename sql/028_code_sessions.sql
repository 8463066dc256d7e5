-- 028_code_sessions.sql - M1 a session started by an SMS code: the phone proved who it is, so the student sets a password without the old one (the first one staff gave, or one forgotten).
ALTER TABLE student_sessions
  ADD COLUMN by_code TINYINT NOT NULL DEFAULT 0 AFTER remember;
