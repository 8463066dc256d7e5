-- 026_settings_version.sql - a counter that every write of the settings table (and of the buildings) moves, so that a web worker keeps them and reads them again only when they changed.
-- One row. The triggers move it in the writer's own transaction: a reader
-- that sees the new number sees the new values with it, whoever wrote them
-- (the console, prepaid-admin, a migration or a hand-made UPDATE).
CREATE TABLE settings_version (
  id TINYINT NOT NULL PRIMARY KEY DEFAULT 1,
  version BIGINT UNSIGNED NOT NULL DEFAULT 1,
  CONSTRAINT settings_version_one CHECK (id = 1)
) ENGINE=InnoDB;
INSERT INTO settings_version (id, version) VALUES (1, 1);

CREATE TRIGGER settings_version_ins AFTER INSERT ON settings FOR EACH ROW
  UPDATE settings_version SET version = version + 1 WHERE id = 1;
CREATE TRIGGER settings_version_upd AFTER UPDATE ON settings FOR EACH ROW
  UPDATE settings_version SET version = version + 1 WHERE id = 1;
CREATE TRIGGER settings_version_del AFTER DELETE ON settings FOR EACH ROW
  UPDATE settings_version SET version = version + 1 WHERE id = 1;

-- The buildings are the choice list of every report and list page: the
-- workers keep them under the same counter.
CREATE TRIGGER buildings_version_ins AFTER INSERT ON buildings FOR EACH ROW
  UPDATE settings_version SET version = version + 1 WHERE id = 1;
CREATE TRIGGER buildings_version_upd AFTER UPDATE ON buildings FOR EACH ROW
  UPDATE settings_version SET version = version + 1 WHERE id = 1;
CREATE TRIGGER buildings_version_del AFTER DELETE ON buildings FOR EACH ROW
  UPDATE settings_version SET version = version + 1 WHERE id = 1;
