#!/usr/bin/python3
"""scale_site.py - the 100,000-meter site: a SQL file of bulk INSERT ... SELECT over MariaDB's sequence tables (no row by row) and the simulator's site CSV.

A gateway a building, one bus a gateway, 30 meters a bus on 3 floors of 10
rooms, an open account a room. Gateway k (1..N) is 'SG<k>' in building
'S<k>号楼'; its bus listens on TCP PORT + k - 1; meter a of it is number
BASE + k * 100 + a.

    scale_site.py --buses 3334 --per 30 --port 20000 --sql site.sql --csv site.csv
"""
import argparse

BASE = 30000000


def sql_text(n, per, port):
    floors = (per + 9) // 10
    seq_n, seq_per = f"seq_1_to_{n}", f"seq_1_to_{per}"
    k_b = "CAST(SUBSTRING_INDEX(SUBSTRING(b.name, 2), '号', 1) AS UNSIGNED)"
    k_g = "CAST(SUBSTRING(g.name, 3) AS UNSIGNED)"
    room = "CONCAT((a.seq - 1) DIV 10 + 1, LPAD((a.seq - 1) MOD 10 + 1, 2, '0'))"
    # every join by id or by a unique key, driven from the table before it
    return f"""-- the scale site: {n} gateways and buses, {n * per} meters, rooms and open accounts
SET SESSION unique_checks = 0, foreign_key_checks = 0;
START TRANSACTION;
INSERT INTO buildings (name, floors, note)
  SELECT CONCAT('S', seq, '号楼'), {floors}, '规模测试' FROM {seq_n};
INSERT INTO rooms (building_id, floor, number)
  SELECT b.id, (a.seq - 1) DIV 10 + 1, {room}
  FROM buildings b JOIN {seq_per} a WHERE b.note = '规模测试';
INSERT INTO gateways (name, host, ports, building_id, note)
  SELECT CONCAT('SG', {k_b}), '127.0.0.1', 1, b.id, '规模测试'
  FROM buildings b WHERE b.note = '规模测试';
INSERT INTO buses (gateway_id, port, address, baud, parity, stop_bits)
  SELECT g.id, 1, CONCAT('tcp://127.0.0.1:', {port - 1} + {k_g}), 9600, 'E', 1
  FROM gateways g WHERE g.note = '规模测试';
INSERT INTO meters (number, profile, bus_id, address, room_id)
  SELECT STRAIGHT_JOIN {BASE} + {k_g} * 100 + a.seq, 'ddsy1352nk', bu.id, a.seq, r.id
  FROM gateways g JOIN buses bu ON bu.gateway_id = g.id JOIN {seq_per} a
  JOIN rooms r ON r.building_id = g.building_id AND r.number = {room}
  WHERE g.note = '规模测试';
INSERT INTO accounts (holder, room_id, note)
  SELECT CONCAT('学生', m.number), m.room_id, '规模测试'
  FROM meters m WHERE m.number > {BASE} AND m.number <= {BASE} + {n} * 100 + {per};
INSERT INTO account_meters (account_id, meter_id)
  SELECT STRAIGHT_JOIN a.id, m.id FROM accounts a JOIN meters m ON m.room_id = a.room_id
  WHERE a.note = '规模测试';
COMMIT;
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--buses", type=int, default=3334)
    ap.add_argument("--per", type=int, default=30)
    ap.add_argument("--port", type=int, default=20000)
    ap.add_argument("--sql", required=True)
    ap.add_argument("--csv", required=True)
    a = ap.parse_args()
    if not (1 <= a.per <= 99 and 1 <= a.buses <= 4096 and 1 <= a.port and a.port + a.buses <= 65536):
        ap.error("1-99 meters a bus, 1-4096 buses, ports within 1-65535")
    with open(a.sql, "w") as f:
        f.write(sql_text(a.buses, a.per, a.port))
    with open(a.csv, "w") as f:
        f.write("# the scale site: tcp_port,address,meter_number,profile\n")
        for k in range(1, a.buses + 1):
            port = a.port + k - 1
            f.writelines(f"{port},{x},{BASE + k * 100 + x},ddsy1352nk\n" for x in range(1, a.per + 1))


if __name__ == "__main__":
    main()
