-- reference-site.sql - the demo and test site: 4 buildings x 6 floors x 20 rooms, 4 gateways x 4 buses.
-- The meters come from reference-meters.csv through the meter import (prepaid-admin import-meters).
INSERT INTO buildings (name, floors, note)
  SELECT CONCAT(seq, '号楼'), 6, '学生宿舍' FROM seq_1_to_4;
INSERT INTO rooms (building_id, floor, number)
  SELECT b.id, f.seq, CONCAT(f.seq, LPAD(r.seq, 2, '0'))
  FROM buildings b JOIN seq_1_to_6 f JOIN seq_1_to_20 r
  WHERE b.name IN ('1号楼', '2号楼', '3号楼', '4号楼');
INSERT INTO gateways (name, host, ports, building_id, note)
  SELECT CONCAT('GW', seq), '127.0.0.1', 4,
    (SELECT id FROM buildings WHERE name = CONCAT(seq, '号楼')), '模拟通讯管理机'
  FROM seq_1_to_4;
INSERT INTO buses (gateway_id, port, address, baud, parity, stop_bits)
  SELECT g.id, p.seq,
    CONCAT('tcp://127.0.0.1:', 15020 + 4 * (CAST(SUBSTRING(g.name, 3) AS UNSIGNED) - 1) + (p.seq - 1)),
    9600, 'E', 1
  FROM gateways g JOIN seq_1_to_4 p WHERE g.name IN ('GW1', 'GW2', 'GW3', 'GW4');
