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
GRANT SELECT, INSERT ON oplog TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON buildings TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON rooms TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON gateways TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON buses TO 'prepaid_staff'@'localhost';
GRANT SELECT, INSERT, UPDATE ON meters TO 'prepaid_staff'@'localhost';
