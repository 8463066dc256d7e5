-- 008_token_failed.sql - when a meter refuses a token, the ledger books its entry back at once (money.md: token failed).
-- In the same statement as the command's change to 'failed', whoever makes it, and once: the key is the command's.
-- (So a command's status is changed by its id, never in a statement that also reads the ledger.)
CREATE TRIGGER commands_token_failed AFTER UPDATE ON commands FOR EACH ROW
  INSERT INTO ledger (account_id, meter_id, kind, amount_fen, channel, idem_key, link_id, note)
  SELECT l.account_id, l.meter_id, 'token_failed', -l.amount_fen, 'system',
    CONCAT('token_failed:', NEW.id), l.id, LEFT(CONCAT('电表未接收: ', NEW.error), 255)
  FROM ledger l
  WHERE l.command_id = NEW.id AND NEW.status = 'failed' AND OLD.status <> 'failed'
    AND NEW.kind IN ('credit', 'debit')
    AND NOT EXISTS (SELECT 1 FROM ledger z WHERE z.idem_key = CONCAT('token_failed:', NEW.id));
