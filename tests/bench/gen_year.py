#!/usr/bin/python3
"""gen_year.py - a year of half-hourly readings, day rows and sales for the reference site, bulk-loaded into an instance for the bench.

Usage: gen_year.py [--var DIR] [--days N] [--end YYYY-MM-DD] [--tmp DIR]
  --var   the instance (var/ by default; its my.cnf and socket)
  --days  how many days up to --end (365)
  --end   the last local day (yesterday by default)

Every meter of the site gets a read each half hour (UTC times, energy in
0.01 kWh): a room's use follows the hour of the day with a per-room level
and some noise; a master meter (energy-only, in no room) reads what its
building's rooms used plus a loss of 2-7 %. The collector's day table
(first and last energy of each local day, +08:00, and the day's use)
comes from the same reads. Each room meter gets an account if it has none, and a sale about
every two weeks. Rows go in with LOAD DATA LOCAL INFILE, a month at a time;
readings and day rows of the period that were there are replaced.
"""
import argparse
import datetime
import os
import random
import subprocess
import sys
import tempfile
import time

TZ = datetime.timedelta(hours=8)
STEP = datetime.timedelta(minutes=30)


def sql(var, text, rows=False):
    out = subprocess.run(["mariadb", f"--defaults-file={var}/my.cnf", "-uroot", "--local-infile=1",
                          "-N", "-B", "prepaid", "-e", text], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()] if rows else out


def load(var, path, table, cols, replace=False):
    sql(var, "SET unique_checks = 0; SET foreign_key_checks = 0;"
        f" LOAD DATA LOCAL INFILE '{path}' {'REPLACE ' if replace else ''}INTO TABLE {table}"
        f" FIELDS TERMINATED BY '\\t' ({cols})")


# a room's use in 0.01 kWh per half hour by the local hour: low at night, high in the evening
SHAPE = [2, 1, 1, 1, 1, 1, 2, 4, 5, 4, 3, 3, 4, 3, 3, 3, 4, 5, 8, 10, 10, 9, 7, 4]


def main():
    ap = argparse.ArgumentParser()
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--var", default=os.path.join(top, "var"))
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--end", default=(datetime.date.today() - datetime.timedelta(days=1)).isoformat())
    ap.add_argument("--tmp", default=None)
    a = ap.parse_args()
    t0 = time.time()
    rnd = random.Random(20260101)
    end = datetime.date.fromisoformat(a.end)
    first = end - datetime.timedelta(days=a.days - 1)
    # local day FIRST 00:00 is UTC FIRST-1 16:00
    start_utc = datetime.datetime.combine(first, datetime.time()) - TZ
    nslots = a.days * 48
    meters = sql(a.var, "SELECT m.id, m.profile, COALESCE(r.building_id, 0), COALESCE(m.master_of, g.building_id, 0)"
                 " FROM meters m LEFT JOIN rooms r ON r.id = m.room_id JOIN buses u ON u.id = m.bus_id"
                 " JOIN gateways g ON g.id = u.gateway_id ORDER BY m.id", rows=True)
    rooms = [(int(i), int(b)) for i, p, b, _ in meters if p != "energy" and b != "0"]
    masters = [(int(i), int(mb)) for i, p, b, mb in meters if p == "energy" and b == "0"]
    level = {m: rnd.uniform(0.5, 2.0) for m, _ in rooms}
    loss = {m: rnd.uniform(0.02, 0.07) for m, _ in masters}
    energy = {m: rnd.randint(0, 500000) for m, _ in rooms + masters}
    print(f"gen_year: {len(rooms)} room meters, {len(masters)} master meters, {first} to {end}, {nslots} reads each")
    sql(a.var, f"DELETE FROM readings WHERE read_at >= '{start_utc}' AND read_at < '{start_utc + STEP * nslots}'")
    tmp = tempfile.mkdtemp(prefix="gen_year.", dir=a.tmp)
    day_rows = {}	# (meter, local day) -> [first, last]
    nreads = 0
    slot = 0
    while slot < nslots:
        # a month of slots (30 days) a file
        upto = min(nslots, slot + 30 * 48)
        path = os.path.join(tmp, "readings.tsv")
        with open(path, "w") as f:
            w = f.write
            for s in range(slot, upto):
                t = start_utc + STEP * s
                local = t + TZ
                hour = local.hour
                day = local.date().isoformat()
                ts = t.strftime("%Y-%m-%d %H:%M:%S")
                per_b = {}
                for m, b in rooms:
                    u = int(SHAPE[hour] * level[m] * rnd.uniform(0.6, 1.4))
                    energy[m] += u
                    per_b[b] = per_b.get(b, 0) + u
                    e = energy[m]
                    w(f"{m}\t{ts}\t{e}\t{u * 100}\n")
                    d = day_rows.get((m, day))
                    if d is None:
                        day_rows[(m, day)] = [e, e]
                    else:
                        d[1] = e
                for m, b in masters:
                    u = int(per_b.get(b, 0) * (1 + loss[m]))
                    energy[m] += u
                    e = energy[m]
                    w(f"{m}\t{ts}\t{e}\t{u * 100}\n")
                    d = day_rows.get((m, day))
                    if d is None:
                        day_rows[(m, day)] = [e, e]
                    else:
                        d[1] = e
                nreads += len(rooms) + len(masters)
        load(a.var, path, "readings", "meter_id, read_at, energy, power_w")
        os.unlink(path)
        print(f"gen_year: {nreads} reads loaded ({time.time() - t0:.0f} s)", flush=True)
        slot = upto
    path = os.path.join(tmp, "daily.tsv")
    with open(path, "w") as f:
        prev = {}	# meter -> the last energy of its day row before
        for (m, d), (fe, le) in day_rows.items():
            f.write(f"{m}\t{d}\t{fe}\t{le}\t{max(le - prev.get(m, fe), 0)}\n")
            prev[m] = le
    load(a.var, path, "daily_energy", "meter_id, day, first_energy, last_energy, used", replace=True)
    os.unlink(path)
    # the use of the period's first day and of the day row after it, by the rows around the period
    sql(a.var, "UPDATE daily_energy d SET d.used = GREATEST(d.last_energy - COALESCE((SELECT p.last_energy"
        " FROM daily_energy p WHERE p.meter_id = d.meter_id AND p.day < d.day ORDER BY p.day DESC LIMIT 1),"
        f" d.first_energy), 0) WHERE d.day = '{first}' OR d.day = (SELECT MIN(n.day) FROM daily_energy n"
        f" WHERE n.meter_id = d.meter_id AND n.day > '{end}')")
    nsales = sales(a.var, rnd, rooms, first, a.days, tmp)
    os.rmdir(tmp)
    datadir = sql(a.var, "SELECT @@datadir").strip()
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(datadir) for f in fs) // 1048576
    print(f"gen_year: {nreads} reads, {len(day_rows)} day rows, {nsales} sales in {time.time() - t0:.0f} s;"
          f" the data directory is {size} MB")


def sales(var, rnd, rooms, first, days, tmp):
    """An open account for each room meter that has none, and a sale about every two weeks."""
    sql(var, "INSERT INTO accounts (holder, phone, room_id)"
        " SELECT CONCAT('压测用户', m.id), '', m.room_id FROM meters m"
        " WHERE m.room_id IS NOT NULL AND m.profile <> 'energy' AND NOT EXISTS"
        " (SELECT 1 FROM account_meters x JOIN accounts a ON a.id = x.account_id"
        "  WHERE x.meter_id = m.id AND x.active = 1 AND a.status = 'open')")
    sql(var, "INSERT INTO account_meters (account_id, meter_id)"
        " SELECT a.id, m.id FROM accounts a JOIN meters m ON a.holder = CONCAT('压测用户', m.id)"
        " WHERE NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)")
    acct = dict((int(m), int(a)) for m, a in sql(var, "SELECT x.meter_id, x.account_id FROM account_meters x"
                                                  " WHERE x.active = 1", rows=True))
    op = sql(var, "SELECT MIN(id) FROM operators").strip()
    path = os.path.join(tmp, "sales.tsv")
    n = 0
    with open(path, "w") as f:
        for m, _ in rooms:
            if m not in acct:
                continue
            d = rnd.randint(0, 13)
            while d < days:
                at = datetime.datetime.combine(first + datetime.timedelta(days=d), datetime.time(
                    rnd.randint(8, 19), rnd.randint(0, 59), rnd.randint(0, 59))) - TZ
                amount = rnd.choice((3000, 5000, 10000, 20000))
                f.write(f"{acct[m]}\t{m}\tsale\t{amount}\t{op}\tcounter\tbench-{first}-{m}-{d}\t{at}\n")
                n += 1
                d += rnd.randint(10, 18)
    load(var, path, "ledger", "account_id, meter_id, kind, amount_fen, operator_id, channel, idem_key, created_at",
         replace=False)
    os.unlink(path)
    return n


if __name__ == "__main__":
    sys.exit(main())
