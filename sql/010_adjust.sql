-- 010_adjust.sql - adjustment entries by hand need a right of their own (ADJ), given to the administrators' role.
INSERT IGNORE INTO role_rights (role_id, right_code) VALUES (1, 'ADJ');
