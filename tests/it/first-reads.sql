-- first-reads.sql - the test and bench instances run no collector: every prepaid meter as the collector's first cycle would leave it (read a day ago, count 0, no money).
INSERT IGNORE INTO meter_state (meter_id, read_at, energy, remaining_fen, purchase_count, status_word, relay_closed, reads_ok)
  SELECT id, UTC_TIMESTAMP(3) - INTERVAL 1 DAY, 0, 0, 0, 0, 1, 1 FROM meters WHERE profile = 'ddsy1352nk';
