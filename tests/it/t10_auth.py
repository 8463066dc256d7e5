"""t10_auth.py - F1/F5: sign-in, first password, lockout, sessions, CSRF, sign-out, switch operator."""
import os
import hashlib
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

# The first sign-in of a new operator must set a new password.
login = "auth" + uuid.uuid4().hex[:8]
pw = admin("add-operator", login, "1")
c = Client()
r = c.get("/meters")
check(r.status == 303 and r.location.endswith("/login"), "signed out: a page redirects to the sign-in page", r.location)
r = c.get("/login")
check(r.status == 200 and "操作员登录" in r.text, "the sign-in page is Chinese by default")
check("HttpOnly" in r.headers.get("Set-Cookie", "") and "SameSite=Strict" in r.headers.get("Set-Cookie", ""),
      "the sign-in form's cookie is HttpOnly and SameSite=Strict")
r = c.post("/login", {"login": login, "password": "wrong-password1"})
check(r.status == 200 and "登录名或密码错误" in r.text, "a wrong password is refused with a Chinese message")
check(count("sessions s JOIN operators o ON o.id = s.operator_id", f"o.login = '{login}'") == 0,
      "a wrong password makes no session")
r = c.post("/login", {"login": login, "password": pw})
check(r.status == 303 and "/password?first=1" in r.location, "the first sign-in goes to the password change", r.location)
sc = r.headers.get_all("Set-Cookie") or []
sid = [x for x in sc if x.startswith("sid=")]
check(sid and "HttpOnly" in sid[0] and "SameSite=Strict" in sid[0], "the session cookie is HttpOnly and SameSite=Strict", str(sc))
token = sid[0].split(";")[0][4:] if sid else ""
check(count("sessions", f"token_hash = SHA2('{token}', 256)") == 1 and count("sessions", f"token_hash = '{token}'") == 0,
      "the session token is stored hashed, not in clear")
r = c.get("/meters")
check(r.status == 303 and "/password" in r.location, "until the password is changed every page leads to the change")
c.get("/password?first=1")
for bad, field, text in [("short1", "new", "至少12个字符"), ("password1234", "new", "太常见"), (login + "-2026x", "new", "登录名")]:
    r = c.post("/password?first=1", {"old": pw, "new": bad, "confirm": bad})
    check(r.status == 200 and text in (r.field_error(field) or ""), f"a weak new password '{bad[:12]}' is refused", r.field_error(field))
r = c.post("/password?first=1", {"old": pw, "new": "Harbor-lamp-42", "confirm": "Harbor-lamp-43"})
check("不一致" in (r.field_error("confirm") or ""), "a mismatched confirmation is refused")
r = c.post("/password?first=1", {"old": "not-the-old1", "new": "Harbor-lamp-42", "confirm": "Harbor-lamp-42"})
check("旧密码不正确" in (r.field_error("old") or ""), "a wrong old password is refused")
check(db_value(f"SELECT must_change FROM operators WHERE login = '{login}'") == "1", "refused changes leave the password as it was")
r = c.post("/password?first=1", {"old": pw, "new": "Harbor-lamp-42", "confirm": "Harbor-lamp-42"})
check(r.status == 303 and "password_changed" in r.location, "a good new password is taken")
r = c.get(r.location)
check(r.status == 200 and "密码已修改" in r.text and f'id="n-meters">{count("meters")}<' in r.text,
      "the home page says so and counts the meters")
check(count("oplog", f"login = '{login}' AND action = 'password.change'") == 1, "the change is in the operation log")

# The old password no longer works, the new one does.
c2 = Client()
r = c2.login(login, pw)
check(r.status == 200 and "登录名或密码错误" in r.text, "the old password no longer signs in")
r = c2.login(login, "Harbor-lamp-42")
check(r.status == 303 and r.location.endswith("/"), "the new password signs in straight to the home page", r.location)

# CSRF: a POST without the token, or with another session's, changes nothing.
before = db_value(f"SELECT pw_hash FROM operators WHERE login = '{login}'")
c.get("/password")
r = c.post("/password", {"old": "Harbor-lamp-42", "new": "Quiet-river-77", "confirm": "Quiet-river-77"}, csrf=False)
check(r.status == 403 and "表单校验失败" in r.text, "a POST without the CSRF token is refused (403)")
r = c.post("/password", {"old": "Harbor-lamp-42", "new": "Quiet-river-77", "confirm": "Quiet-river-77", "csrf": c2.csrf_token})
check(r.status == 403, "a POST with another session's CSRF token is refused")
r = c.post("/password", {"old": "Harbor-lamp-42", "new": "Quiet-river-77", "confirm": "Quiet-river-77", "csrf": "x" * 64})
check(r.status == 403, "a POST with a forged CSRF token is refused")
check(db_value(f"SELECT pw_hash FROM operators WHERE login = '{login}'") == before, "refused POSTs changed nothing")
r = Client().post("/login", {"login": login, "password": "Harbor-lamp-42", "csrf": "a" * 64})
check(r.status == 200 and "页面已过期" in r.text, "a sign-in without the form's own cookie is refused")

# Lockout: 5 wrong passwords lock the account for 15 minutes, even for the right password.
victim = "lock" + uuid.uuid4().hex[:8]
vpw = admin("add-operator", victim, "3")
v = Client()
for i in range(5):
    r = v.login(victim, "Wrong-pass%d" % i)
check("已锁定" in r.text, "the fifth wrong password locks the account")
r = v.login(victim, vpw)
check(r.status == 200 and "已锁定" in r.text, "a locked account refuses even the right password")
mins = int(db_value(f"SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), locked_until) FROM operators WHERE login = '{victim}'"))
check(13 <= mins <= 15, "the operators page shows it locked for 15 minutes", mins)
check(re.search(r"（1[45] 分钟后可再试）", r.text), "the message says when to try again, in Chinese")
check(count("oplog", f"action = 'login.lock' AND object = '{victim}'") == 1, "the operation log records the lock")
check(count("oplog", f"action = 'login.fail' AND object = '{victim}'") >= 5, "and each failed sign-in")
db(f"UPDATE login_failures SET at = at - INTERVAL 16 MINUTE WHERE login = '{victim}'")
r = v.login(victim, vpw)
check(r.status == 303, "after the lock time the right password signs in again")

# Unknown logins and hostile input are refused the same way, nothing breaks.
for bad in ["nobody", "' OR '1'='1", "<script>", "a" * 40, ""]:
    r = Client().login(bad, "x' OR '1'='1")
    check(r.status == 200 and ("登录名或密码错误" in r.text or "必填" in r.text or "过长" in r.text),
          f"sign-in with login {bad[:12]!r} is refused cleanly")

# Disabled operators cannot sign in.
db(f"UPDATE operators SET disabled = 1 WHERE login = '{victim}'")
r = Client().login(victim, vpw)
check("已停用" in r.text, "a disabled operator cannot sign in")

# Idle timeout: a session unused for longer than the limit ends.
c3 = Client()
c3.login(login, "Harbor-lamp-42")
db(f"UPDATE sessions s JOIN operators o ON o.id = s.operator_id SET s.last_seen = UTC_TIMESTAMP() - INTERVAL 31 MINUTE WHERE o.login = '{login}'")
r = c3.get("/")
check(r.status == 303 and "/login" in r.location, "a session idle for over 30 minutes has ended")
r = c2.get("/")
check(r.status == 303, "that ended every idle session of the operator (the other client too)")

# Absolute lifetime: a session in use all the time still ends 12 hours after its sign-in.
c5 = Client()
c5.login(login, "Harbor-lamp-42")
sid5 = [k.value for k in c5.jar if k.name == "sid"][0]
h5 = hashlib.sha256(sid5.encode()).hexdigest()
db(f"UPDATE sessions SET created_at = UTC_TIMESTAMP() - INTERVAL 11 HOUR - INTERVAL 59 MINUTE WHERE token_hash = '{h5}'")
r = c5.get("/")
check(r.status == 200, "a session in use 11 h 59 min after its sign-in still works", r.status)
db(f"UPDATE sessions SET created_at = UTC_TIMESTAMP() - INTERVAL 12 HOUR - INTERVAL 1 MINUTE WHERE token_hash = '{h5}'")
r = c5.get("/")
check(r.status == 303 and "/login" in r.location and count("sessions", f"token_hash = '{h5}'") == 0,
      "12 h 1 min after its sign-in it has ended, however busy", r.status)

# Switch operator: signing in as another ends the first session.
c4 = Client()
c4.login(login, "Harbor-lamp-42")
old_sid = [k.value for k in c4.jar if k.name == "sid"][0]
r = c4.get("/login?switch=1")
check(r.status == 200 and "当前操作员将退出" in r.text, "the switch page explains the switch")
other = operator(role=3)
r = c4.post("/login", {"login": other.login_name, "password": NEW_PASSWORD})
check(r.status == 303, "another operator signs in on the same browser")
r = c4.get("/")
check(other.login_name in r.text and login not in r.text.split("<main>")[0], "the page shows the new operator")
check(count("sessions", f"token_hash = SHA2('{old_sid}', 256)") == 0, "the previous operator's session is gone")

# Sign out.
c4.get("/")
r = c4.post("/logout", {})
check(r.status == 303 and "/login" in r.location, "sign-out goes to the sign-in page")
r = c4.get("/")
check(r.status == 303, "after sign-out the pages need a sign-in again")
r = c4.post("/logout", {})
check(r.status == 403, "a POST after sign-out is refused")

# Language.
e = Client()
e.get("/lang?to=en")
r = e.get("/login")
check("Operator sign-in" in r.text and 'lang="en"' in r.text, "English is available")
r = e.get("/lang?to=zh-CN&back=/login%3Fswitch%3D1")
check(r.status == 303 and r.location.endswith("/login?switch=1"), "the language switch goes back to the page it was on", r.location)
for bad in ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/x%0d%0aSet-Cookie:%20a=b"]:
    r = e.get("/lang?to=en&back=" + bad)
    check(r.status == 303 and r.location.endswith("/login") and "evil" not in r.location and "Set-Cookie" not in r.location,
          f"but never to another site ({bad[:20]})", r.location)

# Methods and unknown pages.
r = c.request("DELETE", "/operators")
check(r.status == 405, "an unknown method is refused with 405", r.status)
r = c.get("/no-such-page")
check(r.status == 404 and "不存在" in r.text, "an unknown page is a 404 in Chinese")
r = c.post("/operators", {})
check(r.status == 405, "a POST to a GET-only page is refused with 405")
done()
