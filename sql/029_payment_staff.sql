-- 029_payment_staff.sql - M3/B1 staff side of online top-up: the payments pages have a right of their own (PAY), held by the administrators.
-- PAY opens the online payment orders, each order's notices and the list
-- of payments needing action (paid but not credited, rejected notices).
INSERT IGNORE INTO role_rights (role_id, right_code) VALUES (1, 'PAY');
