"""t99_sales_report.py - F23/F24/F25 sales reports: a hand-made ledger across a day, month and year end in site time, every cell against an independent SQL sum, bad filters, the .xlsx read back, rights per period."""
import html
import io
import os
import sys
import datetime

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

opa, opb = operator(role=1), operator(role=1)
ida = int(db_value(f"SELECT id FROM operators WHERE login = '{opa.login_name}'"))
idb = int(db_value(f"SELECT id FROM operators WHERE login = '{opb.login_name}'"))
tag = uuid.uuid4().hex[:8]


def place(building):
    row = db(f"SELECT m.id, r.id FROM meters m JOIN rooms r ON r.id = m.room_id WHERE r.building_id = {building}"
             " ORDER BY m.id LIMIT 1")[0]
    db(f"INSERT INTO accounts (holder, room_id, status) VALUES ('报表{tag}', {row[1]}, 'closed')")
    return int(db_value(f"SELECT MAX(id) FROM accounts WHERE holder = '报表{tag}'")), int(row[0])


X, Y = place(1), place(2)       # 1号楼 and 2号楼
ids = []


def entry(local, kind, fen, op, where, channel="counter", reverses=None):
    """A ledger entry at the site's time LOCAL (+08:00), stored in UTC."""
    utc = datetime.datetime.fromisoformat(local) - datetime.timedelta(hours=8)
    db(f"INSERT INTO ledger (account_id, meter_id, kind, amount_fen, operator_id, channel, idem_key, created_at,"
       f" reverses_id) VALUES ({where[0]}, {where[1]}, '{kind}', {fen}, {op or 'NULL'}, '{channel}',"
       f" 'rep-{tag}-{len(ids)}', '{utc.isoformat(' ')}', {reverses or 'NULL'})")
    ids.append(int(db_value(f"SELECT id FROM ledger WHERE idem_key = 'rep-{tag}-{len(ids)}'")))
    return ids[-1]


entry("2020-12-31 23:59:30", "sale", 999, ida, X)
entry("2021-01-01 00:00:10", "closing_refund", -50, idb, Y)
entry("2021-02-28 23:59:59", "sale", 200, idb, Y)
entry("2021-03-01 00:00:00", "sale", 100, ida, X)
entry("2021-03-31 09:00:00", "sale", 10000, ida, X)
entry("2021-03-31 23:59:00", "sale", 5050, idb, Y)
ref = entry("2021-03-31 23:59:59.999", "refund", -1234, ida, Y)
s4 = entry("2021-04-01 00:01:00", "sale", 7001, ida, X)
entry("2021-04-01 00:01:30", "reversal", -7001, idb, X, reverses=s4)
entry("2021-04-01 10:00:00", "adjustment", 333, ida, Y)
entry("2021-04-01 10:00:01", "adjustment", -111, idb, X)
entry("2021-04-01 12:00:00", "online", 2000, None, Y, "online")
entry("2021-04-01 23:59:59", "token_failed", -300, None, X, "system")
entry("2021-04-02 00:00:00", "reversal", 1234, ida, Y, reverses=ref)
entry("2021-04-02 08:00:00", "transfer_out", -500, ida, X)
entry("2021-04-02 08:00:00", "transfer_in", 500, ida, X)
names = {r[0]: r[1] for r in db("SELECT login, CONCAT(login, ' ', name) FROM operators")}
CH = {"counter": "柜台", "online": "在线支付", "system": "系统（自动）"}
FMT = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


def yuan(fen):
    fen = int(fen)
    return ("-" if fen < 0 else "") + f"{abs(fen) // 100}.{abs(fen) % 100:02d}"


def expected(period, d1, d2, by="operator", building=0, op=0):
    """The report by an independent SQL sum: (period, group, sales, refunds, reversals, adjust, other, net, n)."""
    grp = {"operator": "COALESCE(o.login, CONCAT('#', l.channel))", "building": "COALESCE(b.name, '')",
           "channel": "l.channel", "none": "''"}[by]
    where = f"l.created_at >= '{d1}' - INTERVAL 8 HOUR AND l.created_at < '{d2}' + INTERVAL 16 HOUR"
    if building:
        where += f" AND r.building_id = {building}"
    if op:
        where += f" AND l.operator_id = {op}"
    rows = db(f"SELECT DATE_FORMAT(l.created_at + INTERVAL 8 HOUR, '{FMT[period]}') AS d, {grp} AS g,"
              " SUM(CASE WHEN l.kind IN ('sale', 'online') THEN l.amount_fen ELSE 0 END),"
              " SUM(CASE WHEN l.kind IN ('refund', 'closing_refund') THEN l.amount_fen ELSE 0 END),"
              " SUM(CASE WHEN l.kind = 'reversal' THEN l.amount_fen ELSE 0 END),"
              " SUM(CASE WHEN l.kind = 'adjustment' THEN l.amount_fen ELSE 0 END),"
              " SUM(CASE WHEN l.kind NOT IN ('sale', 'online', 'refund', 'closing_refund', 'reversal', 'adjustment')"
              " THEN l.amount_fen ELSE 0 END), SUM(l.amount_fen), COUNT(*)"
              " FROM ledger l JOIN accounts a ON a.id = l.account_id LEFT JOIN rooms r ON r.id = a.room_id"
              " LEFT JOIN buildings b ON b.id = r.building_id LEFT JOIN operators o ON o.id = l.operator_id"
              f" WHERE {where} GROUP BY d, g ORDER BY d, g")
    out = []
    for r in rows:
        g = r[1]
        if by == "operator":
            g = CH[g[1:]] if g.startswith("#") else names[g]
        elif by == "channel":
            g = CH[g]
        elif by == "building":
            g = g or "未分配房间"
        out.append(tuple([r[0]] + ([g] if by != "none" else []) + [yuan(v) for v in r[2:8]] + [r[8]]))
    return sorted(out)


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


def compare(what, period, d1, d2, by="operator", building=0, op=0, client=opa):
    r = client.get(f"/report/sales/{period}", **{"from": d1, "to": d2, "by": by, "building": building or "",
                                                  "op": op or ""})
    rows, tot = shown(r)
    exp = expected(period, d1, d2, by, building, op)
    check(r.status == 200 and rows is not None and sorted(rows) == exp, f"{what}: every cell equals the SQL sum",
          (r.status, rows, exp))
    if rows:
        check([x[0] for x in rows] == sorted(x[0] for x in rows), f"{what}: rows in order of {period}")
    sums = [sum(int(round(float(x[i]) * 100)) for x in exp) for i in range(len(exp[0]) - 7, len(exp[0]) - 1)] \
        if exp else [0] * 6
    want = ["合计"] + ([""] if by != "none" else []) + [yuan(v) for v in sums] + [str(sum(int(x[-1]) for x in exp))]
    check(tot == want, f"{what}: the totals row equals the ledger to the fen", (tot, want))
    return rows, tot


# The day report across the site's midnight: 23:59 on the 31st, 00:01 on the 1st.
rows, tot = compare("day report by operator", "day", "2021-03-31", "2021-04-01")
a, b = names[opa.login_name], names[opb.login_name]
check(("2021-03-31", b, "50.50", "0.00", "0.00", "0.00", "0.00", "50.50", "1") in rows
      and ("2021-04-01", a, "70.01", "0.00", "0.00", "3.33", "0.00", "73.34", "2") in rows,
      "the sale at 23:59 site time is on the 31st, the one at 00:01 on the 1st", rows)
check(("2021-03-31", a, "100.00", "-12.34", "0.00", "0.00", "0.00", "87.66", "2") in rows,
      "the refund at 23:59:59.999 is still on the 31st")
check(("2021-04-01", "在线支付", "20.00", "0.00", "0.00", "0.00", "0.00", "20.00", "1") in rows
      and ("2021-04-01", "系统（自动）", "0.00", "0.00", "0.00", "0.00", "-3.00", "-3.00", "1") in rows,
      "entries without an operator are grouped by their channel in words", rows)
check(tot and tot[-2] == "157.38" and tot[-1] == "9", "the day totals: net 157.38 over 9 entries", tot)
compare("day report by building", "day", "2021-03-31", "2021-04-02", by="building")
compare("day report by channel", "day", "2021-03-31", "2021-04-02", by="channel")
compare("day report not grouped", "day", "2021-02-28", "2021-04-02", by="none")
compare("day report of 2号楼", "day", "2021-03-01", "2021-04-30", building=2)
compare("day report of one operator", "day", "2021-03-01", "2021-04-30", op=idb)
compare("day report of one operator in 1号楼", "day", "2021-03-01", "2021-04-30", by="building", building=1, op=ida)
compare("an empty range", "day", "2021-05-01", "2021-05-31")
rows, tot = compare("month report", "month", "2021-01-01", "2021-04-30", by="none")
check([x[0] for x in rows] == ["2021-01", "2021-02", "2021-03", "2021-04"] and rows[1][-2] == "2.00"
      and rows[2][-2] == "139.16", "months cut at the site's month end (the 23:59:59 sale in February)", rows)
rows, tot = compare("year report", "year", "2020-01-01", "2021-12-31", by="none")
check([(x[0], x[-2]) for x in rows] == [("2020", "9.99"), ("2021", "172.22")], "years cut at the site's new year",
      rows)
compare("year report by operator", "year", "2020-01-01", "2021-12-31")
r = opa.get("/report/sales/month", **{"from": "2021-03-01", "to": "2021-03-31", "by": "building"})
check("<th>月份</th><th>楼栋</th><th>售电（元）</th>" in r.text, "the columns are headed 月份 and 楼栋 by building")
r = opa.get("/report/sales/day")
check(r.status == 200 and 'id="report"' in r.text, "the day report opens with this month by default")

# Bad filters: an error next to the field, in Chinese, never a 500, no report.
bads = [("from", "2021-02-30", "from"), ("from", "abc", "from"), ("from", "1999-12-31", "from"),
        ("to", "3000-01-01", "to"), ("from", "2021-1-1", "from"), ("from", "x" * 5000, "from"),
        ("from", "'\"><script>alert(1)</script>", "from"), ("to", "2021-03-01' OR '1'='1", "to"),
        ("building", "abc", "building"), ("building", "999999", "building"), ("building", "-1", "building"),
        ("op", "1e3", "op"), ("op", "99999999999999999999", "op"), ("by", "kind", "by"), ("by", "<b>", "by")]
for name, value, field in bads:
    q = {"from": "2021-03-01", "to": "2021-03-31", name: value}
    r = opa.get("/report/sales/day", **q)
    err = r.field_error(field)
    check(r.status == 200 and err and re.search(r"[\u4e00-\u9fff]", err) and 'id="report"' not in r.text
          and "<script>alert" not in r.text and "<b>" not in r.text,
          f"{name}={value[:30]!r}: an error next to {field} in Chinese, no report", (r.status, err))
r = opa.get("/report/sales/day", **{"from": "2024-02-29", "to": "2024-03-01"})
check(r.status == 200 and r.field_error("from") is None and 'id="report"' in r.text, "29 February of a leap year is a date")
r = opa.get("/report/sales/day", **{"from": "2023-02-01", "to": "2023-02-29"})
check(r.field_error("to") is not None and r.field_error("from") is None, "29 February of 2023 is none")
r = opa.get("/report/sales/day", **{"from": "", "to": ""})
check(r.status == 200 and 'id="report"' in r.text and re.search(r'name="from" type="date" value="\d{4}-\d\d-01"', r.text),
      "empty dates mean this month so far")
r = opa.get("/report/sales/day", **{"from": "2021-04-02", "to": "2021-04-01"})
check(r.field_error("to") == "结束日期不能早于开始日期" and 'id="report"' not in r.text, "a reversed range is an error")
r = opa.get("/report/sales/day", **{"from": "2021-01-01", "to": "2022-01-02"})
check(r.field_error("to") and "366" in r.field_error("to"), "a day report of 366 days and one more is refused")
r = opa.get("/report/sales/day", **{"from": "2021-01-01", "to": "2022-01-01"})
check(r.status == 200 and r.field_error("to") is None and 'id="report"' in r.text, "a day report of exactly 366 days"
      " is shown")
r = opa.get("/report/sales/month", **{"from": "2011-01-01", "to": "2021-12-31"})
check(r.field_error("to") is not None, "a month report of eleven years is refused")
r = opa.get("/report/sales/year", **{"from": "2000-01-01", "to": "2999-12-31"})
check(r.status == 200 and 'id="report"' in r.text, "a year report of any range is shown")
r = opa.get("/report/sales/day", **{"from": "2021-03-01", "to": "2021-03-31", "building": "0", "op": ""})
check(r.status == 200 and 'id="report"' in r.text, "building 0 and an empty operator mean all")

# Printable: the site's header, the print dialog script, the menu hidden by the print CSS.
old = db_value("SELECT value FROM settings WHERE name = 'receipt_header'")
db("UPDATE settings SET value = '报表学院<后勤>' WHERE name = 'receipt_header'")
r = opa.get("/report/sales/day", **{"from": "2021-03-31", "to": "2021-03-31", "print": "1"})
db(f"UPDATE settings SET value = '{old}' WHERE name = 'receipt_header'")
check("报表学院&lt;后勤&gt;" in r.text and "/static/receipt.js" in r.text, "print=1 shows the site's header, escaped,"
      " and opens the print dialog")
css = open(os.path.join(TOP, "static", "style.css"), encoding="utf-8").read()
check(re.search(r"@media print \{[^}]*nav\.menu[^}]*\.filters", css) is not None and 'class="filters"' in r.text,
      "the print CSS hides the menu and the filters")

# The export: a header row, yuan as numbers with 2 decimals, a bold totals row, frozen panes.
r = opa.get("/report/sales/day", **{"from": "2021-03-31", "to": "2021-04-02", "by": "operator", "export": "xlsx"})
check(r.status == 200 and r.body[:2] == b"PK", "the export is an .xlsx file", r.status)
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
head = [c.value for c in ws[1]]
check(head == ["日期", "操作员", "售电（元）", "退费（元）", "冲正（元）", "调整（元）", "其他（元）", "净额（元）", "笔数"],
      "the header row names the columns in Chinese", head)
check(ws.freeze_panes == "A2", "the header row is frozen", ws.freeze_panes)
data = list(ws.iter_rows(min_row=2, values_only=False))
exp = expected("day", "2021-03-31", "2021-04-02")
got = sorted((c[0].value.strftime("%Y-%m-%d") if isinstance(c[0].value, datetime.datetime) else c[0].value,
              c[1].value) + tuple(yuan(round(c[i].value * 100)) for i in range(2, 8)) + (str(c[8].value),)
             for c in data[:-1])
check(got == exp, "every exported cell equals the SQL sum", (got, exp))
check(all(isinstance(c[i].value, (int, float)) and c[i].number_format == "0.00" for c in data for i in range(2, 8)),
      "the yuan columns are numbers with 2 decimals")
check(all(isinstance(c[0].value, datetime.datetime) for c in data[:-1]), "the days are dates")
tot = data[-1]
sums = [sum(int(round(float(x[i]) * 100)) for x in exp) for i in range(2, 8)]
check(tot[0].value == "合计" and tot[0].font.b and [round(c.value * 100) for c in tot[2:8]] == sums
      and tot[8].value == sum(int(x[-1]) for x in exp) and tot[7].font.b,
      "a bold totals row equal to the ledger", [c.value for c in tot])
r = opa.get("/report/sales/month", **{"from": "2021-01-01", "to": "2021-04-30", "by": "none", "export": "xlsx"})
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
check([c.value for c in ws[1]][:2] == ["月份", "售电（元）"] and [c[0].value for c in ws.iter_rows(min_row=2)]
      == ["2021-01", "2021-02", "2021-03", "2021-04", "合计"], "the month export without groups: a row a month")
r = opa.get("/sales", export="xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
check(r.status == 200 and ws.freeze_panes == "A2" and ws.cell(1, 1).value == "收据号", "other exports keep their"
      " header, now frozen too")

# Rights: a route per period, each with its own right.
rid = None
name = "日报-" + tag
db(f"INSERT INTO roles (name) VALUES ('{name}')")
rid = db_value(f"SELECT id FROM roles WHERE name = '{name}'")
db(f"INSERT INTO role_rights VALUES ({rid}, 'F5'), ({rid}, 'F23')")
day_only = operator(role=int(rid))
r = day_only.get("/report/sales/year")
check(r.status == 403 and re.search(r'<span class="right">F25\b', r.text) is not None, "F23 without F25: the year"
      " report is a 403 naming F25", r.status)
check(day_only.get("/report/sales/month").status == 403, "and the month report a 403")
r = day_only.get("/report/sales/day", **{"from": "2021-03-31", "to": "2021-03-31"})
check(r.status == 200 and 'href="/report/sales/day"' in r.text and 'href="/report/sales/year"' not in r.text,
      "the day report opens and offers no year report")

# English: the same report in the other language.
opa.get("/lang?to=en&back=/")
r = opa.get("/report/sales/day", **{"from": "2021-03-31", "to": "2021-03-31"})
check("Daily sales" in r.text and "Net (yuan)" in r.text, "the report in English")
opa.get("/lang?to=zh-CN&back=/")

# The hand-made entries go again, so later tests see the ledger they expect.
db("DELETE FROM ledger WHERE reverses_id IN (%s)" % ",".join(map(str, ids)))
db("DELETE FROM ledger WHERE id IN (%s)" % ",".join(map(str, ids)))
db(f"DELETE FROM accounts WHERE holder = '报表{tag}'")
done()
