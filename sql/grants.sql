-- grants.sql - the programs' database accounts, granted table by table.
-- @STAFF_PASSWORD@ and friends are filled in by migrate.sh.
CREATE USER IF NOT EXISTS 'prepaid_staff'@'localhost' IDENTIFIED BY '@STAFF_PASSWORD@';
ALTER USER 'prepaid_staff'@'localhost' IDENTIFIED BY '@STAFF_PASSWORD@';
GRANT SELECT ON schema_version TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON settings TO 'prepaid_staff'@'localhost';
GRANT SELECT ON settings_version TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON roles TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON role_rights TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON operators TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, DELETE ON login_failures TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT ON oplog TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON buildings TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON rooms TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON gateways TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON buses TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON meters TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON accounts TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON account_meters TO 'prepaid_staff'@'localhost';
GRANT SELECT ON readings TO 'prepaid_staff'@'localhost';
GRANT SELECT ON meter_state TO 'prepaid_staff'@'localhost';
GRANT SELECT ON daily_energy TO 'prepaid_staff'@'localhost';
GRANT SELECT ON bus_health TO 'prepaid_staff'@'localhost';
GRANT SELECT ON gateway_state TO 'prepaid_staff'@'localhost';
GRANT SELECT ON events TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT ON commands TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT ON read_requests TO 'prepaid_staff'@'localhost';
GRANT SELECT ON alarms TO 'prepaid_staff'@'localhost';
-- F22: the acknowledgement only, never the episode itself
GRANT UPDATE (acked_at, acked_by, ack_note) ON alarms TO 'prepaid_staff'@'localhost';
GRANT SELECT ON sms_outbox TO 'prepaid_staff'@'localhost';
GRANT SELECT ON collector_status TO 'prepaid_staff'@'localhost';
GRANT SELECT ON bus_leases TO 'prepaid_staff'@'localhost';

-- The collector: reads the site and settings, writes what it reads and does.
CREATE USER IF NOT EXISTS 'prepaid_collector'@'localhost' IDENTIFIED BY '@COLLECTOR_PASSWORD@';
ALTER USER 'prepaid_collector'@'localhost' IDENTIFIED BY '@COLLECTOR_PASSWORD@';
GRANT SELECT ON settings TO 'prepaid_collector'@'localhost';
GRANT SELECT ON gateways TO 'prepaid_collector'@'localhost';
GRANT SELECT ON buses TO 'prepaid_collector'@'localhost';
GRANT SELECT ON meters TO 'prepaid_collector'@'localhost';
GRANT SELECT ON rooms TO 'prepaid_collector'@'localhost';
GRANT SELECT ON buildings TO 'prepaid_collector'@'localhost';
GRANT SELECT ON accounts TO 'prepaid_collector'@'localhost';
GRANT SELECT ON account_meters TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT ON readings TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT, UPDATE ON meter_state TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT, UPDATE ON daily_energy TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT, UPDATE ON bus_health TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT, UPDATE ON gateway_state TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT ON events TO 'prepaid_collector'@'localhost';
GRANT SELECT, UPDATE ON commands TO 'prepaid_collector'@'localhost';
GRANT SELECT, UPDATE ON read_requests TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT, UPDATE ON alarms TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT, UPDATE ON sms_outbox TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT, UPDATE ON collector_status TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT, UPDATE ON bus_leases TO 'prepaid_collector'@'localhost';

-- The money tables (004_ledger.sql). The ledger is INSERT and SELECT only
-- for every program: no UPDATE, no DELETE.
GRANT SELECT, INSERT, UPDATE ON purchase_counts TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT ON ledger TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT ON receipt_prints TO 'prepaid_staff'@'localhost';
GRANT SELECT ON purchase_counts TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT ON ledger TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT ON batches TO 'prepaid_staff'@'localhost';
GRANT SELECT ON batches TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT, UPDATE ON approvals TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON tariffs TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON tariff_versions TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON meter_tariffs TO 'prepaid_staff'@'localhost';
GRANT SELECT ON tariffs TO 'prepaid_collector'@'localhost';
GRANT SELECT ON tariff_versions TO 'prepaid_collector'@'localhost';
GRANT SELECT ON meter_tariffs TO 'prepaid_collector'@'localhost';
GRANT SELECT, INSERT, UPDATE ON tier_state TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT ON tier_settlements TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT ON reconcile_runs TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON closing_meters TO 'prepaid_staff'@'localhost';

-- The student site (021_students.sql): what a student's pages read, its own
-- sessions and failed sign-ins, the operation log. No operators, no staff
-- sessions, no settings but its view, and the money rows read only.
CREATE USER IF NOT EXISTS 'prepaid_mobile'@'localhost' IDENTIFIED BY '@MOBILE_PASSWORD@';
ALTER USER 'prepaid_mobile'@'localhost' IDENTIFIED BY '@MOBILE_PASSWORD@';
GRANT SELECT ON student_settings TO 'prepaid_mobile'@'localhost';
GRANT SELECT ON settings_version TO 'prepaid_mobile'@'localhost';
GRANT SELECT (id, name, floors) ON buildings TO 'prepaid_mobile'@'localhost';
GRANT SELECT (id, building_id, number) ON rooms TO 'prepaid_mobile'@'localhost';
GRANT SELECT (id, holder, room_id, status) ON accounts TO 'prepaid_mobile'@'localhost';
GRANT SELECT ON account_meters TO 'prepaid_mobile'@'localhost';
GRANT SELECT (id, number) ON meters TO 'prepaid_mobile'@'localhost';
GRANT SELECT (meter_id, read_at, remaining_fen, relay_closed, lost) ON meter_state TO 'prepaid_mobile'@'localhost';
GRANT SELECT ON daily_energy TO 'prepaid_mobile'@'localhost';
GRANT SELECT (id, meter_id, kind, status, amount_fen, done_at) ON commands TO 'prepaid_mobile'@'localhost';
GRANT SELECT (id, account_id, meter_id, kind, amount_fen, created_at, command_id) ON ledger TO 'prepaid_mobile'@'localhost';
GRANT SELECT (id, kind, meter_id, opened_at, closed_at) ON alarms TO 'prepaid_mobile'@'localhost';
GRANT SELECT (meter_id, tariff_id) ON meter_tariffs TO 'prepaid_mobile'@'localhost';
GRANT SELECT (tariff_id, effective_date, p0, p1, p2, p3, applied_at) ON tariff_versions TO 'prepaid_mobile'@'localhost';
GRANT SELECT, UPDATE (last_login, pw_hash, must_change, set_at, set_by) ON student_logins TO 'prepaid_mobile'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON student_sessions TO 'prepaid_mobile'@'localhost';
GRANT SELECT, INSERT, DELETE ON student_login_failures TO 'prepaid_mobile'@'localhost';
GRANT INSERT ON oplog TO 'prepaid_mobile'@'localhost';
-- staff set and reset the students' passwords (F11), which ends their sessions
GRANT SELECT, INSERT, UPDATE ON student_logins TO 'prepaid_staff'@'localhost';
GRANT SELECT (id, account_id), DELETE ON student_sessions TO 'prepaid_staff'@'localhost';
-- M4 alert settings (024_student_alerts.sql): the student's own row; the
-- collector reads them for the holder's SMS. M2 shows the tier: the tiers
-- of the tariff in force. The alarm SMS gives the B5 forecast, at the
-- price the student site shows.
GRANT SELECT, INSERT, UPDATE ON student_alerts TO 'prepaid_mobile'@'localhost';
GRANT SELECT (tiers) ON tariff_versions TO 'prepaid_mobile'@'localhost';
GRANT SELECT ON student_alerts TO 'prepaid_collector'@'localhost';
GRANT SELECT ON student_settings TO 'prepaid_collector'@'localhost';

-- Online top-up (025_payments.sql). The student site makes orders and reads
-- its own; it never writes money or an order's state.
GRANT SELECT, INSERT ON pay_orders TO 'prepaid_mobile'@'localhost';
-- pay.fcgi: the gateways' notices. Each notice is stored as it came, then
-- credited through the ledger (an entry and its token, nothing updated or
-- deleted there).
CREATE USER IF NOT EXISTS 'prepaid_pay'@'localhost' IDENTIFIED BY '@PAY_PASSWORD@';
ALTER USER 'prepaid_pay'@'localhost' IDENTIFIED BY '@PAY_PASSWORD@';
GRANT SELECT, INSERT ON pay_notices TO 'prepaid_pay'@'localhost';
GRANT UPDATE (verified, out_trade_no, order_id, outcome, note) ON pay_notices TO 'prepaid_pay'@'localhost';
GRANT SELECT ON pay_orders TO 'prepaid_pay'@'localhost';
GRANT UPDATE (state, reason, trade_no, buyer, ledger_id, paid_at) ON pay_orders TO 'prepaid_pay'@'localhost';
GRANT SELECT ON settings TO 'prepaid_pay'@'localhost';
GRANT SELECT ON settings_version TO 'prepaid_pay'@'localhost';
GRANT SELECT (id, status) ON accounts TO 'prepaid_pay'@'localhost';
GRANT SELECT ON account_meters TO 'prepaid_pay'@'localhost';
GRANT SELECT (meter_id, read_at, remaining_fen, purchase_count) ON meter_state TO 'prepaid_pay'@'localhost';
GRANT SELECT, INSERT ON commands TO 'prepaid_pay'@'localhost';
GRANT SELECT, INSERT, UPDATE ON purchase_counts TO 'prepaid_pay'@'localhost';
GRANT SELECT, INSERT ON ledger TO 'prepaid_pay'@'localhost';
-- prepaid-admin payments-sync (the staff's account): orders asked of the
-- gateway are credited by the notices' path, expired ones closed
GRANT SELECT ON pay_orders TO 'prepaid_staff'@'localhost';
GRANT UPDATE (state, reason, trade_no, buyer, ledger_id, paid_at) ON pay_orders TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT ON pay_notices TO 'prepaid_staff'@'localhost';
-- refunds through the gateway (030_pay_refunds.sql): staff ask for them,
-- a second operator approves, payments-sync sends them and marks the order
-- refunded when the gateway says so; never deleted
GRANT SELECT, INSERT, UPDATE ON pay_refunds TO 'prepaid_staff'@'localhost';
-- B1 the gateways' daily bills (031_pay_bills.sql): payments-sync stores
-- them (a day fetched again replaces its lines), the console reads them
GRANT SELECT, INSERT, UPDATE ON pay_bills TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON pay_bill_lines TO 'prepaid_staff'@'localhost';
-- M1 sign-in by code and M4 the phone change (023_student_codes.sql): only
-- through the definer functions, which take a phone in and give none out;
-- no right on student_codes, accounts.phone or sms_outbox itself
GRANT EXECUTE ON FUNCTION student_code_send TO 'prepaid_mobile'@'localhost';
GRANT EXECUTE ON FUNCTION student_code_check TO 'prepaid_mobile'@'localhost';
GRANT EXECUTE ON FUNCTION student_phone_masked TO 'prepaid_mobile'@'localhost';
-- 034_sessions_notices.sql: the student site marks the notice of a password
-- set as shown (its own row's column only)
GRANT UPDATE (notice_seen) ON student_logins TO 'prepaid_mobile'@'localhost';
-- 8.3.8 retention (036_retention.sql): prepaid-admin purge, through the
-- definer function only (its floors hold whatever the settings say); no
-- DELETE on readings or sms_outbox, no UPDATE of names
GRANT EXECUTE ON FUNCTION prepaid_purge TO 'prepaid_staff'@'localhost';
