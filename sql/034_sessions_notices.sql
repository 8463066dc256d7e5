-- 034_sessions_notices.sql - "我的登录": each session's browser (its address is stored already); the notice of a password set by someone else or from another device, shown once; when a remembered student session last proved its password.
ALTER TABLE sessions
  ADD COLUMN user_agent VARCHAR(255) NOT NULL DEFAULT '' AFTER client_addr;
ALTER TABLE student_sessions
  ADD COLUMN user_agent VARCHAR(255) NOT NULL DEFAULT '' AFTER client_addr,
  -- the password entered at the sign-in or again since (ASVS 3.3.2); NULL: at created_at
  ADD COLUMN auth_at DATETIME NULL AFTER created_at;
-- the operation log's password changes and resets up to this time were shown to the operator
ALTER TABLE operators
  ADD COLUMN pw_notice_seen DATETIME(3) NULL;
UPDATE operators SET pw_notice_seen = UTC_TIMESTAMP(3);
-- a password set after this time (student_logins.set_at) is shown to the student once; the
-- first one, set with the row, is not a change
ALTER TABLE student_logins
  ADD COLUMN notice_seen DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP;
UPDATE student_logins SET notice_seen = GREATEST(set_at, UTC_TIMESTAMP());
