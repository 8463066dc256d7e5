"""t96_dashboard.py - the home page as a dashboard: money today and this month cut at the site's midnight, meters, alarms, commands, SMS, approvals, reconciliation, each against independent SQL; the grouped menu by rights."""
import datetime
import os
import re
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

TZ = "+08:00"
a = operator(role=1)


def fig(text, name):
    """The figure with id d-NAME on the page, as text ('' when absent)."""
    m = re.search(r'id="d-' + re.escape(name) + r'"[^>]*>([^<]*)<', text)
    return m.group(1).strip() if m else ""


def yuan(fen):
    return ("-" if fen < 0 else "") + f"{abs(fen) // 100}.{abs(fen) % 100:02d}"


def home(c=a):
    r = c.get("/")
    assert r.status == 200, r.status
    return r.text


def fen(s):
    neg = s.startswith("-")
    y, _, f = s.lstrip("-").partition(".")
    v = int(y) * 100 + int((f + "00")[:2])
    return -v if neg else v


# the site's local now, and the UTC times of the boundaries around it
now_utc = datetime.datetime.strptime(db_value("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s')"),
                                     "%Y-%m-%d %H:%M:%S")
local = now_utc + datetime.timedelta(hours=8)
midnight_utc = datetime.datetime(local.year, local.month, local.day) - datetime.timedelta(hours=8)
month_utc = datetime.datetime(local.year, local.month, 1) - datetime.timedelta(hours=8)
day = local.strftime("%Y-%m-%d")


def at(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


# an account and a meter of its own for the hand-made entries
meter = db_value("SELECT m.id FROM meters m WHERE NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id)"
                 " AND NOT EXISTS (SELECT 1 FROM meter_state s WHERE s.meter_id = m.id) ORDER BY m.id DESC LIMIT 1")
db("INSERT INTO accounts (holder, status) VALUES ('仪表盘测试', 'closed')")
acc = db_value("SELECT MAX(id) FROM accounts WHERE holder = '仪表盘测试'")


def entry(kind, amount, when, reverses="NULL"):
    key = "t96-" + uuid.uuid4().hex
    db(f"INSERT INTO ledger (account_id, meter_id, kind, amount_fen, channel, idem_key, created_at, reverses_id)"
       f" VALUES ({acc}, {meter}, '{kind}', {amount}, 'system', '{key}', '{at(when)}', {reverses})")
    return db_value(f"SELECT id FROM ledger WHERE idem_key = '{key}'")


def independent(since):
    """Sales, refunds, reversals and net since a local date, summed by local date in SQL of its own."""
    rows = db(f"SELECT l.kind, l.amount_fen, COALESCE(o.kind, '') FROM ledger l LEFT JOIN ledger o ON o.id = l.reverses_id"
              f" WHERE DATE(CONVERT_TZ(l.created_at, '+00:00', '{TZ}')) >= '{since}'")
    s = sum(int(v) for k, v, o in rows if k in ("sale", "online"))
    rf = -sum(int(v) for k, v, o in rows if k in ("refund", "closing_refund"))
    rv = sum(int(v) for k, v, o in rows if k == "reversal" and o in ("sale", "online", "refund", "closing_refund"))
    return s, rf, rv, s - rf + rv


before = home()
b = {k: fen(fig(before, k)) for k in ("today-sales", "today-refunds", "today-reversals", "today-net",
                                      "month-sales", "month-refunds", "month-reversals", "month-net")}

# a. the day's boundary at the site's midnight: 23:59 yesterday, 00:01 today
late = entry("sale", 1111, midnight_utc - datetime.timedelta(minutes=1))
entry("sale", 2222, midnight_utc + datetime.timedelta(minutes=1))
entry("refund", -333, midnight_utc + datetime.timedelta(minutes=2))
entry("reversal", -1111, midnight_utc + datetime.timedelta(minutes=3), reverses=late)
# and the month's: 23:59 on the last day of the previous month, 00:01 on the first
entry("sale", 4444, month_utc - datetime.timedelta(minutes=1))
entry("sale", 5555, month_utc + datetime.timedelta(minutes=1))
first_is_today = month_utc == midnight_utc
late_in_month = midnight_utc - datetime.timedelta(minutes=1) >= month_utc

t = home()
d = {k: fen(fig(t, k)) for k in b}
exp_today_sales = 2222 + (5555 if first_is_today else 0)
check(d["today-sales"] - b["today-sales"] == exp_today_sales,
      "today's sales count the 00:01 sale, not yesterday's 23:59 one", f"{d['today-sales']} - {b['today-sales']}")
check(d["today-refunds"] - b["today-refunds"] == 333, "today's refunds show the refund as a positive amount")
check(d["today-reversals"] - b["today-reversals"] == -1111, "today's reversals show the reversal of yesterday's sale")
check(d["today-net"] - b["today-net"] == exp_today_sales - 333 - 1111, "today's net is sales - refunds + reversals",
      f"{d['today-net']} - {b['today-net']}")
exp_month_sales = 2222 + 5555 + (1111 if late_in_month else 0)
check(d["month-sales"] - b["month-sales"] == exp_month_sales,
      "this month's sales start at 00:01 on the first, not 23:59 the day before", f"{d['month-sales']} - {b['month-sales']}")
check(d["month-net"] - b["month-net"] == exp_month_sales - 333 - 1111, "this month's net")
for period, since in (("today", day), ("month", local.strftime("%Y-%m-01"))):
    s, rf, rv, net = independent(since)
    got = tuple(d[f"{period}-{k}"] for k in ("sales", "refunds", "reversals", "net"))
    check(got == (s, rf, rv, net), f"{period}'s money equals the sums by local date in independent SQL", f"{got} vs {(s, rf, rv, net)}")
check(fig(t, "today-sales") == yuan(d["today-sales"]), "money shows as yuan with two decimals", fig(t, "today-sales"))
check(f'href="/sales?from={day}&amp;to={day}"' in t, "today's sales link to the sales list of the day")
check(f'href="/report/sales/month"' in t and 'href="/refunds?from=' in t, "the net links to the sales report, refunds to their list")

# b. meters read in the last cycle (poll_interval_min), lost meters and gateways
poll = int(db_value("SELECT value FROM settings WHERE name = 'poll_interval_min'"))


def read_cycle_sql():
    return int(db_value(f"SELECT COUNT(*) FROM meter_state WHERE read_at >= UTC_TIMESTAMP(3) - INTERVAL {poll} MINUTE"))


db(f"INSERT INTO meter_state (meter_id, read_at) VALUES ({meter}, UTC_TIMESTAMP(3) - INTERVAL {poll} MINUTE"
   f" - INTERVAL 5 SECOND)")
t = home()
n0 = int(fig(t, "read-cycle"))
check(n0 == read_cycle_sql(), "meters read in the last cycle equal independent SQL", f"{n0} vs {read_cycle_sql()}")
db(f"UPDATE meter_state SET read_at = UTC_TIMESTAMP(3) - INTERVAL {poll} MINUTE + INTERVAL 5 SECOND WHERE meter_id = {meter}")
t = home()
check(int(fig(t, "read-cycle")) == n0 + 1, "a read just inside the cycle counts, one just outside did not")
check(fig(t, "meters") == db_value("SELECT COUNT(*) FROM meters"), "the meters on the site")
lm, lg = int(fig(t, "lost-meters")), int(fig(t, "lost-gateways"))
db(f"UPDATE meter_state SET lost = 1, lost_since = UTC_TIMESTAMP() WHERE meter_id = {meter}")
gw = db_value("SELECT id FROM gateways ORDER BY id LIMIT 1")
db(f"INSERT INTO gateway_state (gateway_id, lost, lost_since) VALUES ({gw}, 1, UTC_TIMESTAMP())"
   " ON DUPLICATE KEY UPDATE lost = 1")
t = home()
check(int(fig(t, "lost-meters")) == lm + 1 == count("meter_state", "lost = 1"), "a lost meter is counted")
check(int(fig(t, "lost-gateways")) == count("gateway_state", "lost = 1") and int(fig(t, "lost-gateways")) >= 1,
      "a lost gateway is counted")
check('href="/report/lost-meters"' in t and 'href="/report/lost-gateways"' in t, "lost meters and gateways link to their reports")
db(f"UPDATE gateway_state SET lost = 0 WHERE gateway_id = {gw}")

# c. open alarms by kind; a closed episode does not count
ov = int(fig(t, "alarm-overload"))
db(f"INSERT INTO alarms (kind, meter_id, opened_at, open_key) VALUES ('overload', {meter}, UTC_TIMESTAMP(3), 't96-{meter}')")
db(f"INSERT INTO alarms (kind, meter_id, opened_at, closed_at) VALUES ('overload', {meter}, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))")
t = home()
check(int(fig(t, "alarm-overload")) == ov + 1 == count("alarms", "kind = 'overload' AND closed_at IS NULL"),
      "an open overload episode is counted, a closed one is not")
check(int(fig(t, "alarms-open")) == count("alarms", "closed_at IS NULL"), "open alarms in all equal independent SQL")
check('href="/report/alarms?kind=overload"' in t and "过载" in t, "the overload count links to the alarm report, named in Chinese")

# d. commands queued and failed today (at the site's midnight), SMS waiting and failed today
cq, cf, sw, sf = (int(fig(t, k)) for k in ("cmd-queued", "cmd-failed", "sms-waiting", "sms-failed"))
db(f"INSERT INTO commands (meter_id, kind, status) VALUES ({meter}, 'trip', 'queued')")
db(f"INSERT INTO commands (meter_id, kind, status, done_at) VALUES ({meter}, 'trip', 'failed',"
   f" '{at(midnight_utc + datetime.timedelta(seconds=1))}')")
db(f"INSERT INTO commands (meter_id, kind, status, done_at, created_at) VALUES ({meter}, 'trip', 'failed',"
   f" '{at(midnight_utc - datetime.timedelta(seconds=1))}', '{at(midnight_utc - datetime.timedelta(minutes=1))}')")
db("INSERT INTO sms_outbox (phone, body, status) VALUES ('13800000000', 't96', 'queued')")
db("INSERT INTO sms_outbox (phone, body, status, held) VALUES ('13800000000', 't96', 'queued', 1)")  # a quiet period
db(f"INSERT INTO sms_outbox (phone, body, status, created_at) VALUES ('13800000000', 't96', 'failed', '{at(midnight_utc)}')")
db(f"INSERT INTO sms_outbox (phone, body, status, created_at) VALUES ('13800000000', 't96', 'failed',"
   f" '{at(midnight_utc - datetime.timedelta(seconds=1))}')")
t = home()
check(int(fig(t, "cmd-queued")) == cq + 1, "a queued command is counted")
check(int(fig(t, "cmd-failed")) == cf + 1, "a command failed after the site's midnight counts, one failed before does not")
check(int(fig(t, "sms-waiting")) == sw + 1, "an SMS waiting is counted, one held for a quiet period is not")
check(int(fig(t, "sms-failed")) == sf + 1, "an SMS failed at midnight counts, one a second before does not")

# e. approvals waiting for me: another's request I may decide, not my own, not one I have no right for
other = operator(role=1)
me = db_value(f"SELECT id FROM operators WHERE login = '{a.login_name}'")
oid = db_value(f"SELECT id FROM operators WHERE login = '{other.login_name}'")
ap = int(fig(t, "approvals"))


def request(kind, by):
    db(f"INSERT INTO approvals (kind, account_id, meter_id, amount_fen, idem_key, requested_by)"
       f" VALUES ('{kind}', {acc}, {meter}, 100, 't96-{uuid.uuid4().hex}', {by})")


request("refund", oid)
request("refund", me)
t = home()
check(int(fig(t, "approvals")) == ap + 1, "another's refund request waits for me; my own does not")
check(int(fig(home(other), "approvals")) >= 1, "my request waits for the other operator")
db("INSERT INTO roles (name, note) VALUES ('t96售电员', '') ON DUPLICATE KEY UPDATE note = ''")
role = db_value("SELECT id FROM roles WHERE name = 't96售电员'")
db(f"INSERT IGNORE INTO role_rights (role_id, right_code) VALUES ({role}, 'F5'), ({role}, 'F17'), ({role}, 'F18')")
seller = operator(role=int(role))
t2 = home(seller)
check(fig(t2, "approvals") == "0", "an operator without the refund right has no refund waiting for them", fig(t2, "approvals"))

# f. the last reconciliation, its local time and its mismatches
db(f"INSERT INTO reconcile_runs (run_at, total, detail) VALUES ('{at(midnight_utc)}', 2, 'Counts=2 <b>x</b>')")
t = home()
check(fig(t, "reconcile") == "2处不符" and 'href="/reconcile"' in t, "the last reconciliation shows its 2 mismatches, linked",
      fig(t, "reconcile"))
check(f"{day} 00:00" in t, "its time is the site's local time")
db("INSERT INTO reconcile_runs (total, detail) VALUES (0, 'ok')")
check(fig(home(), "reconcile") == "全部相符", "a run without mismatches says 全部相符")

# g. the grouped menu: five groups for an administrator, only their own for a seller
for g in ("登录管理", "系统设置", "客户管理", "售电管理", "报表中心"):
    check(f"<summary class=\"nav-link dropdown-toggle\">{g}</summary>" in t, f"the administrator's menu has the group {g}")
check("/report/alarms" in t and "/report/sales/year" in t and "/report/lost-gateways" in t,
      "the report centre lists the reports")
for g in ("系统设置", "客户管理", "报表中心"):
    check(f">{g}</summary>" not in t2, f"the seller's menu hides the empty group {g}")
check(">售电管理</summary>" in t2 and 'href="/sell"' in t2 and 'href="/refund"' not in t2,
      "the seller sees 售电 but not 退电")
check("id=\"dash-money\"" in t2 and "id=\"d-today-net\"" in t2 and "<a id=\"d-today-net\"" not in t2,
      "the seller sees the money; the net is not a link without the sales report right")
r = a.get("/meters")
cur = re.findall(r'<a class="[^"]*active" aria-current="page" href="([^"]+)"', r.text)
check(cur == ["/meters"], "on /meters the menu marks /meters, and only it, as the current page", cur)
cur = re.findall(r'aria-current="page" href="([^"]+)"', t)
check(cur == ["/"], "on the home page 首页 is marked", cur)
check("Dashboard" not in t and "dash." not in t, "no English or raw keys on the Chinese dashboard")
r = a.get("/?ok=%3Cscript%3Ealert(1)%3C/script%3E")
check(r.status == 200 and "<script>alert" not in r.text, "a made-up message key on the home page shows nothing of it")
db("UPDATE operators SET name = '<b>张&三</b>' WHERE login = '" + seller.login_name + "'")
t2 = home(seller)
check("&lt;b&gt;张&amp;三&lt;/b&gt;" in t2 and "<b>张" not in t2, "the operator's name is escaped in the greeting and the header")

# h. Bootstrap comes from Debian's package through nginx, never from a copy in static/
r = a.get("/bootstrap5/css/bootstrap.min.css")
check(r.status == 200 and "text/css" in r.headers.get("Content-Type", "") and ".navbar-collapse" in r.text,
      "nginx serves Bootstrap's CSS from /usr/share/javascript/bootstrap5", r.status)
check('href="/bootstrap5/css/bootstrap.min.css"' in t, "every page links it")
check(not any("bootstrap" in f for f in os.listdir(os.path.join(TOP, "static"))), "static/ holds no copy of Bootstrap")
check(a.get("/bootstrap5/../../../etc/passwd").status in (400, 404), "nothing outside the package's directory is served")

# what this test made up leaves no open work for the tests after it
db(f"UPDATE meter_state SET lost = 0, lost_since = NULL WHERE meter_id = {meter}")
db(f"UPDATE alarms SET closed_at = UTC_TIMESTAMP(3), open_key = NULL WHERE open_key = 't96-{meter}'")
db(f"UPDATE commands SET status = 'failed', error = 't96' WHERE meter_id = {meter} AND status = 'queued'")
db("UPDATE sms_outbox SET status = 'sent' WHERE body = 't96' AND status = 'queued'")
db(f"UPDATE approvals SET status = 'rejected' WHERE account_id = {acc} AND status = 'pending'")
done()
