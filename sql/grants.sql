-- grants.sql - the programs' database accounts, granted table by table.
-- @STAFF_PASSWORD@ and friends are filled in by migrate.sh.
CREATE USER IF NOT EXISTS 'prepaid_staff'@'localhost' IDENTIFIED BY '@STAFF_PASSWORD@';
ALTER USER 'prepaid_staff'@'localhost' IDENTIFIED BY '@STAFF_PASSWORD@';
GRANT SELECT ON schema_version TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON settings TO 'prepaid_staff'@'localhost';
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
