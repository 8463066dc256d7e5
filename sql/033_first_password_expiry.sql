-- 033_first_password_expiry.sql - when an operator's password was set: a first password (set by staff or prepaid-admin) is refused at sign-in after 7 days unused (ASVS 2.3.1); the students' have set_at (021).
-- The default stamps new rows and, once, the rows there are now: their first passwords get 7 days from today.
ALTER TABLE operators ADD COLUMN pw_set_at DATETIME NOT NULL DEFAULT (UTC_TIMESTAMP()) AFTER must_change;
