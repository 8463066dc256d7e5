"""t77_audit.py - ASVS 7.2.2, 14.5.1, 7.1.2, 8.3.5 on the staff console: refused requests (a right, the form key, the origin, the method) in the operation log once a minute and counted, phones masked in the log, account views and exports logged with filter and row count."""
import io
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

sfx = uuid.uuid4().hex[:6]
# a flood is counted within one minute: start well inside one
if time.gmtime().tm_sec >= 45:
    time.sleep(61 - time.gmtime().tm_sec)

staff = operator(role=1)
# a role with every right but F2 (operators), F3 (roles) and F12 (accounts)
rname = "t77-" + sfx
db(f"INSERT INTO roles (name) VALUES ('{rname}')")
rid = db_value(f"SELECT id FROM roles WHERE name = '{rname}'")
db("INSERT INTO role_rights (role_id, right_code) VALUES "
   + ",".join(f"({rid}, 'F{i}')" for i in range(1, 31) if i not in (2, 3, 12)))
weak = operator(role=int(rid))
weak_id = db_value(f"SELECT id FROM operators WHERE login = '{weak.login_name}'")


def rows(action, where="1"):
    return db(f"SELECT l.id, l.operator_id, l.login, l.client_addr, l.object, l.after_val, COALESCE(f.n, 0)"
              f" FROM oplog l LEFT JOIN oplog_refusals f ON f.oplog_id = l.id"
              f" WHERE l.action = '{action}' AND {where} ORDER BY l.id")


def after(row):
    return json.loads(row[5]) if row[5] not in (None, "NULL", "") else {}


# --- 7.2.2: a missing right, logged with the right, the path, the operator and the address
r = weak.get("/operators")
check(r.status == 403 and "F2" in r.text, "an operator without F2 gets a 403 for /operators", r.status)
log = rows("access.denied", f"l.operator_id = {weak_id} AND l.object = '/operators'")
check(len(log) == 1 and log[0][2] == weak.login_name and log[0][3] == "127.0.0.1",
      "the refusal is in the operation log with the operator and the address", log)
a = after(log[0]) if log else {}
check(a.get("right") == "F2" and a.get("reason") == "right" and a.get("method") == "GET",
      "with the right missing, the reason and the method", a)
for _ in range(5):
    weak.get("/operators")
log = rows("access.denied", f"l.operator_id = {weak_id} AND l.object = '/operators'")
n = db_value(f"SELECT SUM(n) FROM oplog_refusals WHERE who = 'op:{weak_id}' AND path = '/operators' AND reason = 'right'")
check(len(log) == 1 and log[0][6] == "6" and n == "6",
      "six refusals in a minute are one row of the log, counted 6", (len(log), n))
r = weak.get("/roles")
check(r.status == 403 and len(rows("access.denied", f"l.operator_id = {weak_id} AND l.object = '/roles'")) == 1,
      "another path is a row of its own")
r = weak.get("/account", id="1")
check(r.status == 403 and len(rows("access.denied", f"l.operator_id = {weak_id} AND l.object = '/account'")) == 1
      and count("oplog", f"action = 'account.view' AND operator_id = {weak_id}") == 0,
      "an account page refused for F12 is logged as a refusal, not as a view")

# --- the form key and the origin
weak.get("/")
r = weak.post("/logout", {"csrf": "0" * 64})
log = rows("csrf.refused", f"l.operator_id = {weak_id} AND l.object = '/logout'")
check(r.status == 403 and len(log) == 1 and after(log[0]).get("reason") == "csrf" and after(log[0]).get("method") == "POST",
      "a POST with a wrong form key is refused and logged (reason csrf)", (r.status, log))
r = weak.request("POST", "/logout", ("csrf=" + weak.csrf_token).encode(),
                 {"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"})
log = rows("csrf.refused", f"l.operator_id = {weak_id} AND l.object = '/logout' AND l.after_val LIKE '%origin%'")
check(r.status == 403 and len(log) == 1, "a POST from another site's page is refused and logged (reason origin)",
      (r.status, log))
check(weak.get("/").status == 200, "and the operator is still signed in")

# --- 14.5.1: methods; by the operator when known, else by the address
r = weak.get("/logout")
log = rows("method.refused", f"l.operator_id = {weak_id} AND l.object = '/logout'")
check(r.status == 405 and len(log) == 1 and after(log[0]).get("method") == "GET",
      "a GET of a POST-only page is a 405, logged with the operator", (r.status, log))
before = count("oplog", "action = 'method.refused'")
for _ in range(20):
    r = Client().request("PUT", "/operators")
check(r.status == 405, "PUT is refused with 405", r.status)
log = rows("method.refused", "l.operator_id IS NULL AND l.object = '/operators' AND l.after_val LIKE '%PUT%'")
n = db_value("SELECT SUM(n) FROM oplog_refusals WHERE who = 'addr:127.0.0.1' AND path = '/operators' AND reason = 'method'"
             " AND minute >= UTC_TIMESTAMP() - INTERVAL 2 MINUTE")
check(1 <= len(log) <= 2 and log[-1][2] == "" and log[-1][3] == "127.0.0.1" and int(n or 0) >= 20,
      "twenty PUTs by nobody signed in: one row by the address, counted", (len(log), n))
for m in ("DELETE", "TRACE", "OPTIONS"):
    r = Client().request(m, "/t77-" + sfx + "<b>x")
    check(r.status == 405, f"{m} is refused with 405", r.status)
check(count("oplog", "action = 'method.refused'") - before <= 3,
      "the flood added a row per path and reason only", count("oplog", "action = 'method.refused'") - before)

# --- the operation log's page shows them, filtered, counted, escaped
r = staff.get("/oplog", action="access.denied", op=weak.login_name)
check(r.status == 200 and "拒绝访问" in r.text and "/operators" in r.text and "F2" in r.text and "没有权限" in r.text,
      "the operation log page lists the refusals in Chinese with the path and the right")
check("本分钟内共 6 次" in r.text, "with the count of the minute")
check("<td>/logout</td>" not in r.text and "<td>/operators</td>" in r.text, "the action filter keeps to access.denied")
r = staff.get("/oplog", action="method.refused")
check(f"<td>/t77-{sfx}&lt;b&gt;x</td>" in r.text and f"/t77-{sfx}<b>" not in r.text and "拒绝请求方法" in r.text,
      "a path with HTML in it is shown escaped", re.findall(r"<td>/t77[^<]*(?:<[^t][^<]*)?", r.text)[:3])
r = staff.get("/oplog", action="csrf.refused", op=weak.login_name)
check("来源不是本站" in r.text and "表单校验失败" in r.text, "CSRF and origin refusals are told apart")

# --- 7.1.2: phones masked in the log, shown whole to staff on the account page
B = db_value("SELECT id FROM buildings WHERE name = '4号楼'")
room = free_rooms(B, desc=True, profile=None)[0]
phone = "139" + str(int(sfx, 16) % 10000).zfill(4) + "9000"
holder = "审计" + sfx
r = staff.get("/account/open")
r = staff.post("/account/open", {"holder": holder, "holder_no": "A" + sfx, "phone": phone, "building_id": B,
                                 "room": room, "meters": "", "first": "", "idem": idem_of(r)})
check(r.status == 303 and "/account?id=" in r.location, "an account is opened with a phone", (r.status, r.text[:200]))
acct = re.search(r"id=(\d+)", r.location).group(1) if r.location else "0"
masked = phone[:3] + "****" + phone[-4:]
check(count("oplog", f"CONCAT_WS(' ', object, before_val, after_val) LIKE '%{phone}%'") == 0
      and count("oplog", f"action = 'account.open' AND object = 'account:{acct}' AND after_val LIKE '%{masked}%'") == 1,
      "the operation log has the phone masked (139****9000), never whole")
r = staff.get(f"/account?id={acct}")
check(r.status == 200 and phone in r.text, "the account page shows staff the whole phone")
r = staff.get("/oplog", action="account.open", op=staff.login_name)
check(masked in r.text and phone not in r.text, "the log's page shows it masked")
newp = "13800" + str(int(sfx, 16) % 1000000).zfill(6)
r = staff.post("/operator?id=" + weak_id, {"login": weak.login_name, "name": "弱" + sfx, "phone": newp, "role_id": rid})
log = db(f"SELECT before_val, after_val FROM oplog WHERE action = 'operator.edit' AND object = 'operator:{weak_id}'")
check(r.status == 303 and len(log) == 1 and newp not in log[0][1] and newp[:3] + "****" + newp[-4:] in log[0][1],
      "an operator's phone is masked in the edit's after too", (r.status, log))

# --- 8.3.5: reads of personal data
v0 = count("oplog", f"action = 'account.view' AND object = 'account:{acct}' AND operator_id IS NOT NULL")
staff.get(f"/account?id={acct}")
staff.get(f"/account?id={acct}")
log = rows("account.view", f"l.object = 'account:{acct}'")
check(count("oplog", f"action = 'account.view' AND object = 'account:{acct}'") == v0 + 2
      and log[-1][2] == staff.login_name and log[-1][3] == "127.0.0.1",
      "each opening of an account page is logged (account.view) with the operator and address")
r = staff.get("/account?id=99999999")
check(r.status == 404 and count("oplog", "action = 'account.view' AND object = 'account:99999999'") == 0,
      "an account that does not exist is no view")
r = staff.get(f"/account/student-password?account={acct}")
check(count("oplog", f"action = 'account.view' AND object = 'account:{acct}' AND after_val LIKE '%student-password%'") == 1,
      "the student-password page (name and room) is a view too")
r = staff.get("/oplog", action="account.view")
check("查看账户" in r.text and f"账户 {acct}" in r.text, "the views are on the log's page, in Chinese")

e0 = count("oplog", "action = 'export'")
r = staff.get("/accounts", q=holder, export="xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
log = rows("export", "l.object = '/accounts'")
a = after(log[-1]) if log else {}
check(r.status == 200 and ws.max_row == 2 and a.get("rows") == "1" and a.get("format") == "xlsx"
      and "q=" in a.get("filter", "") and "export=xlsx" in a.get("filter", "") and log[-1][2] == staff.login_name,
      "an xlsx export of accounts is logged with its filter and 1 row", a)
r = staff.get("/accounts", q=phone, export="xlsx")
a = after(rows("export", "l.object = '/accounts'")[-1])
check(r.status == 200 and a.get("rows") == "1" and "q=" + masked in a.get("filter", "") and phone not in str(a),
      "an export searched by phone is logged with the phone masked in its filter", a)
r = staff.get("/operators", export="xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
a = after(rows("export", "l.object = '/operators'")[-1])
check(int(a.get("rows", "-1")) == ws.max_row - 1, "the operators' export: the logged count is the sheet's rows",
      (a, ws.max_row))
r = staff.get("/accounts", q="<script>'" + sfx, export="xlsx")
a = after(rows("export", "l.object = '/accounts'")[-1])
check(r.status == 200 and a.get("rows") == "0" and "%3Cscript%3E" in a.get("filter", ""),
      "an export with nothing found is logged too, its filter as sent", a)
r = staff.get("/oplog", action="export", export="xlsx")
check(r.status == 200 and count("oplog", "action = 'export'") == e0 + 5, "every export is one row of the log",
      count("oplog", "action = 'export'") - e0)
r = staff.get("/oplog", action="export")
check("导出" in r.text and "行数" in r.text and "筛选条件" in r.text, "exports are on the log's page with filter and rows")
check(f"q={holder}&amp;export=xlsx" in r.text and "q=&lt;script&gt;" in r.text and "<script>" not in r.text,
      "the filter is shown as typed, decoded and escaped")
r = weak.get("/accounts", export="xlsx")
check(r.status == 403 and count("oplog", "action = 'export'") == e0 + 5, "a refused export is no export")
done()
