-- 014_receipt_title.sql - the receipt names its own kind (售电收据, 退电收据, ...): the default header names the site only.
UPDATE settings SET value = '远程预付费电能管理系统'
  WHERE name = 'receipt_header' AND value = '远程预付费电能管理系统 售电收据';
