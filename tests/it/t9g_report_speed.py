"""t9g_report_speed.py - the reports after their speed-up: the sales reports leave out entries of no account and keep every filter, the readings export streams every read newest first, and a meter's reads lie together."""
import datetime
import html
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
tag = uuid.uuid4().hex[:8]
opid = int(db_value(f"SELECT id FROM operators WHERE login = '{a.login_name}'"))


def cells(tr):
    return [html.unescape(re.sub(r"<[^>]*>", "", c)).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)]


def shown(r):
    """The report's rows and its totals row as the page shows them."""
    body = re.search(r'<table class="list" id="report">(.*?)</table>', r.text, re.S)
    if not body:
        return None, None
    rows = [tuple(cells(tr)) for tr in re.findall(r'<tr class="row">(.*?)</tr>', body.group(1), re.S)]
    tot = re.search(r'<tr class="totals">(.*?)</tr>', body.group(1), re.S)
    return rows, cells(tot.group(1)) if tot else None


# Sales in 2017 (site time): one account in 1号楼, one in 3号楼, and entries
# of no account (the ledger allows them; the reports count accounts' money).
def place(building):
    row = db(f"SELECT m.id, r.id FROM meters m JOIN rooms r ON r.id = m.room_id WHERE r.building_id = {building}"
             " ORDER BY m.id LIMIT 1")[0]
    db(f"INSERT INTO accounts (holder, room_id, status) VALUES ('速度{tag}', {row[1]}, 'closed')")
    return int(db_value(f"SELECT MAX(id) FROM accounts WHERE holder = '速度{tag}'")), int(row[0])


X, Z = place(1), place(3)
n = 0


def entry(local, kind, fen, acct, meter, op=opid, channel="counter"):
    global n
    n += 1
    utc = datetime.datetime.fromisoformat(local) - datetime.timedelta(hours=8)
    db(f"INSERT INTO ledger (account_id, meter_id, kind, amount_fen, operator_id, channel, idem_key, created_at)"
       f" VALUES ({acct or 'NULL'}, {meter}, '{kind}', {fen}, {op or 'NULL'}, '{channel}', 'spd-{tag}-{n}',"
       f" '{utc.isoformat(' ')}')")


entry("2016-12-31 23:59:59", "sale", 100000, X[0], X[1])          # 2016 in site time
entry("2017-01-01 00:00:00", "sale", 12345, X[0], X[1])
entry("2017-06-30 12:00:00", "refund", -345, X[0], X[1])
entry("2017-07-01 08:00:00", "sale", 5000, Z[0], Z[1], op=None, channel="online")
entry("2017-12-31 23:59:59.999", "adjustment", 1, Z[0], Z[1])
entry("2017-03-01 10:00:00", "carry_over", 777777, None, X[1])     # of no account
entry("2018-01-01 00:00:00", "sale", 99999, Z[0], Z[1])            # 2018 in site time
r = a.get("/report/sales/year", **{"from": "2017-01-01", "to": "2017-12-31", "by": "none"})
rows, tot = shown(r)
check(r.status == 200 and rows == [("2017", "173.45", "-3.45", "0.00", "0.01", "0.00", "170.01", "4")],
      "the year 2017: four entries of accounts, the one of no account left out, cut at the site's new year", rows)
r = a.get("/report/sales/year", **{"from": "2017-01-01", "to": "2017-12-31", "by": "building"})
rows, tot = shown(r)
check(rows == [("2017", "1号楼", "123.45", "-3.45", "0.00", "0.00", "0.00", "120.00", "2"),
               ("2017", "3号楼", "50.00", "0.00", "0.00", "0.01", "0.00", "50.01", "2")],
      "by building: each account's entries under its building", rows)
r = a.get("/report/sales/year", **{"from": "2017-01-01", "to": "2017-12-31", "by": "none", "building": "3"})
rows, tot = shown(r)
check(rows == [("2017", "50.00", "0.00", "0.00", "0.01", "0.00", "50.01", "2")], "3号楼 alone", rows)
r = a.get("/report/sales/year", **{"from": "2017-01-01", "to": "2017-12-31", "by": "channel", "building": "1",
                                   "op": str(opid)})
rows, tot = shown(r)
check(rows == [("2017", "柜台", "123.45", "-3.45", "0.00", "0.00", "0.00", "120.00", "2")],
      "1号楼 and one operator, by channel", rows)
r = a.get("/report/sales/year", **{"from": "2017-01-01", "to": "2017-12-31", "by": "none", "building": "2"})
rows, tot = shown(r)
check(r.status == 200 and rows == [] and tot and tot[-1] == "0", "a building without entries: no rows, 0 entries",
      (rows, tot))
r = a.get("/report/sales/year", **{"from": "2017-01-01", "to": "2017-12-31", "by": "none", "building": "1' OR '1'='1"})
check(r.status == 200 and not shown(r)[0], "a building id with SQL in it is refused, never a 500", r.status)

# The readings export: every read of the energy-only meters in the range,
# newest first, streamed; the page itself still counts them for its pager.
meters = [int(x[0]) for x in db("SELECT id FROM meters WHERE profile = 'energy' ORDER BY number")]
db("DELETE FROM readings WHERE read_at >= '2016-04-30' AND read_at < '2016-05-03'")
t0 = datetime.datetime(2016, 4, 30, 16, 0)          # 2016-05-01 00:00 site time
for m in meters:
    db("INSERT INTO readings (meter_id, read_at, energy, power_w, voltage_dv, current_ca) SELECT"
       f" {m}, TIMESTAMP('{t0}') + INTERVAL s.seq MINUTE, {m} * 100000 + s.seq, s.seq, 2200, 100"
       " FROM seq_0_to_2879 s")
want = 2880 * len(meters)
r = a.get("/report/instruments", t1="2016-05-01 00:00", t2="2016-05-02 23:59:59", export="xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body), read_only=True).active
rows = list(ws.iter_rows(values_only=True))
check(r.status == 200 and len(rows) == want + 1, f"the export holds all {want} reads and its header", len(rows))
check(len(rows[0]) == 6 and all(len(x) == 6 for x in rows[1:3]), "six columns, no count column", rows[:2])
check(rows[1][0] == datetime.datetime(2016, 5, 2, 23, 59) and rows[-1][0] == datetime.datetime(2016, 5, 1, 0, 0),
      "newest first, in site time, to the range's ends", (rows[1][0], rows[-1][0]))
number = db_value(f"SELECT number FROM meters WHERE id = {meters[0]}")
first = [x for x in rows[1:] if str(x[1]) == str(number)][-1]
check(abs(first[2] - meters[0] * 1000.0) < 1e-6 and first[3] == 0 and first[4] == 2200,
      "a read's energy in kWh, power and voltage as stored", first)
r = a.get("/report/instruments", t1="2016-05-01 00:00", t2="2016-05-02 23:59:59")
check(r.status == 200 and str(want) in re.sub(r"<[^>]*>", " ", r.text), "the page shows the count of reads", want)

# A meter's reads lie together: a year of one meter's reads is read along
# the table's primary key, not one page each.
plan = db("EXPLAIN SELECT energy FROM readings WHERE meter_id = 1 AND read_at >= '2016-01-01'")
check(plan and plan[0][5] == "PRIMARY", "a meter's reads are found by the primary key (meter, time)", plan)
done()
