"""t16_operators.py - F2 operators, F3 roles and F4 the operation log, through the pages."""
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
sfx = uuid.uuid4().hex[:6]

# F2: create an operator; the password is shown once and must be changed at first sign-in.
a.get("/operator")
n0 = count("operators")
for fields, field, why in [
        ({"login": "ab", "name": "x", "role_id": "2"}, "login", "3-32"),
        ({"login": "bad login!", "name": "x", "role_id": "2"}, "login", "3-32"),
        ({"login": "ok" + sfx, "name": "", "role_id": "2"}, "name", "必填"),
        ({"login": "ok" + sfx, "name": "名" * 33, "role_id": "2"}, "name", "过长"),
        ({"login": "ok" + sfx, "name": "x", "phone": "12345", "role_id": "2"}, "phone", "手机"),
        ({"login": "ok" + sfx, "name": "x", "role_id": "999999"}, "role_id", "选择"),
        ({"login": "ok" + sfx, "name": "x", "role_id": "abc"}, "role_id", "选择"),
        ({"login": "admin", "name": "x", "role_id": "2"}, "login", "已被使用")]:
    r = a.post("/operator", fields)
    check(r.status == 200 and why in (r.field_error(field) or ""), f"operator form: bad {field} {fields[field][:10]!r} is refused",
          r.field_error(field))
    check(field == "name" or f'value="{fields["name"]}"' in r.text, "and the form keeps what was typed")
check(count("operators") == n0, "refused forms created no operator")
login = "op" + sfx
r = a.post("/operator", {"login": login, "name": "张三<b>", "phone": "13800138000", "role_id": "2"})
m = re.search(r'id="new-password">([^<]+)<', r.text)
check(r.status == 200 and m, "a new operator's password is shown once")
pw = m.group(1) if m else ""
check("张三&lt;b&gt;" in a.get("/operators", q=login).text, "the list shows the new operator, escaped")
c = Client()
r = c.login(login, pw)
check(r.status == 303 and "/password" in r.location, "the new operator must change the password first")
check(count("oplog", f"action = 'operator.create' AND after_val LIKE '%{login}%'") == 1, "the creation is logged with its values")

# Edit: the login never changes; the log keeps before and after.
oid = db_value(f"SELECT id FROM operators WHERE login = '{login}'")
a.get(f"/operator?id={oid}")
r = a.post(f"/operator?id={oid}", {"login": "hacked" + sfx, "name": "李四", "phone": "", "role_id": "3"})
check(r.status == 303, "an operator is edited")
row = db(f"SELECT login, name, role_id FROM operators WHERE id = {oid}")[0]
check(row == [login, "李四", "3"], "name and role changed, the login did not", row)
log = db(f"SELECT before_val, after_val FROM oplog WHERE action = 'operator.edit' AND object = 'operator:{oid}'")
check(log and "张三" in log[-1][0] and "李四" in log[-1][1], "the edit is logged with before and after")
r = a.get("/operator?id=99999999")
check(r.status == 404, "editing an unknown operator is a 404")

# Disable: the operator cannot sign in, their sessions end; one cannot disable oneself.
c.get("/password?first=1")
c.post("/password?first=1", {"old": pw, "new": "Newpass12345", "confirm": "Newpass12345"})
check(c.get("/").status == 200, "the operator works after changing the password")
a.get("/operators")
r = a.post("/operator/disable", {"id": oid, "disabled": "1"})
check(r.status == 303 and db_value(f"SELECT disabled FROM operators WHERE id = {oid}") == "1", "an operator is disabled")
check(c.get("/").status == 303, "the disabled operator's session ended")
check("已停用" in Client().login(login, "Newpass12345").text, "the disabled operator cannot sign in")
r = a.post("/operator/disable", {"id": oid, "disabled": "0"})
check(db_value(f"SELECT disabled FROM operators WHERE id = {oid}") == "0", "and enabled again")
me = db_value(f"SELECT id FROM operators WHERE login = '{a.login_name}'")
r = a.post("/operator/disable", {"id": me, "disabled": "1"})
check(r.status == 400 and db_value(f"SELECT disabled FROM operators WHERE id = {me}") == "0", "one cannot disable oneself")
r = a.post("/operator/disable", {"id": "99999999", "disabled": "1"})
check(r.status == 404, "disabling an unknown operator is a 404")

# Reset password: a new one is shown, the old stops working, the first sign-in must change it.
r = a.post("/operator/reset", {"id": oid})
m = re.search(r'id="new-password">([^<]+)<', r.text)
check(m and m.group(1) != pw, "a reset shows a new password")
check(Client().login(login, "Newpass12345").status == 200, "the previous password no longer works")
r = Client().login(login, m.group(1) if m else "")
check(r.status == 303 and "/password" in r.location, "the reset password signs in and must be changed")

# F3 roles: create with rights; unknown rights refused; the rights take effect.
a.get("/role")
r = a.post("/role", [("name", "楼管" + sfx), ("right", "F6"), ("right", "F9"), ("right", "F5")])
check(r.status == 303, "a role with three rights is created")
rid = db_value(f"SELECT id FROM roles WHERE name = '楼管{sfx}'")
check(sorted(x[0] for x in db(f"SELECT right_code FROM role_rights WHERE role_id = {rid}")) == ["F5", "F6", "F9"],
      "the role holds exactly those rights")
n = count("role_rights")
r = a.post(f"/role?id={rid}", [("name", "楼管" + sfx), ("right", "F6"), ("right", "F99")])
check(r.status == 200 and count("role_rights") == n, "an unknown right is refused and nothing changes")
r = a.post("/role", [("name", "楼管" + sfx), ("right", "F6")])
check("已存在" in (r.field_error("name") or ""), "a duplicate role name is refused")
u = operator(role=int(rid))
check(u.get("/rooms").status == 200 and u.get("/meters").status == 403, "an operator of the role has its rights and no others")
r = a.post(f"/role?id={rid}", [("name", "楼管" + sfx), ("right", "F8"), ("right", "F5")])
check(u.get("/meters").status == 200 and u.get("/rooms").status == 403, "a change of the role applies at the next request")
check("楼管" + sfx in a.get("/roles").text, "the roles page lists the role")

# F4 the operation log: filters, bad dates, export.
r = a.get("/oplog", op=a.login_name, action="role.")
rows = re.findall(r'<td class="action" title="([^"]+)">([^<]+)</td>', r.text)
check(rows and all(code.startswith("role.") for code, _ in rows), "the log filters by operator and action", rows[:5])
check(rows and all(label in ("新增角色", "修改角色权限") for _, label in rows), "and names the actions in Chinese", rows[:5])
r = a.get("/oplog", **{"from": "2026-13-45"})
check("YYYY-MM-DD" in (r.field_error("from") or ""), "a bad date is refused next to the field")
today = db_value("SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'))")
r = a.get("/oplog", **{"from": today, "to": today, "action": "operator.edit"})
check(f"<td>操作员 {oid}</td>" in r.text, "a date range of today finds today's edit")
r = a.get("/oplog", **{"from": "2001-01-01", "to": "2001-01-02"})
check("没有记录" in r.text, "a range with nothing shows nothing")
r = a.get("/oplog", op=a.login_name, export="xlsx")
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
want = count("oplog", f"login = '{a.login_name}' AND action <> 'export'")  # the export logs itself after
check(ws.max_row - 1 == want and ws.cell(1, 1).value == "时间", "the log exports to .xlsx with every row of the filter",
      f"{ws.max_row - 1} vs {want}")
r = a.get("/operators", export="xlsx", q=login)
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
check(ws.max_row == 2 and ws.cell(2, 1).value == login, "the operators list exports to .xlsx")
done()
