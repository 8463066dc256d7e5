"""t73_asvs.py - the ASVS level 2 items of tests/security.md no other test proves: new session ids at sign-in, dead ids after sign-out and password change, password lengths, spaces and Unicode, no password in the operation log, no-store on money and personal pages, errors that leak nothing, failing closed, headers, no directory listing."""
import http.client
import os
import re
import stat
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

HOST = urllib.parse.urlparse(BASE)
LEAKS = ["SELECT", "INSERT", "UPDATE ", "denied", "MariaDB", "mysql", "SQL", "syntax", "ClearSilver",
         "Traceback", ".c:", "errno", "prepaid_", "nginx/", "token_hash"]


def raw(method, path, cookies=None, body=None, headers=None):
    """One request with exactly the cookies given (none of a jar): status, headers, text."""
    h = dict(headers or {})
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        body = body.encode() if isinstance(body, str) else body
        h.setdefault("Origin", BASE)
    conn = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=30)
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    resp = Response(r.status, r.headers, r.read())
    conn.close()
    return resp


def cookie(r, name):
    for c in r.headers.get_all("Set-Cookie") or []:
        if c.startswith(name + "="):
            return c.split(";")[0][len(name) + 1:]
    return None


def leaks(text):
    return [w for w in LEAKS if w in text]


def no_store(r):
    return "no-store" in (r.headers.get("Cache-Control") or "")


def grant(sql):
    """Grants and revokes on the instance's own server, as root."""
    db(sql)


# ---------------------------------------------------------------- V3.2.1 staff: a new session id at sign-in
login = "asvs" + uuid.uuid4().hex[:8]
pw = admin("add-operator", login, "1")
planted = "ab" * 32
r = raw("GET", "/login")
lcsrf = cookie(r, "lcsrf")
form = r.csrf()
r = raw("POST", "/login", {"lcsrf": lcsrf, "sid": planted}, {"login": login, "password": pw, "csrf": form})
sid1 = cookie(r, "sid")
check(r.status == 303 and sid1 and sid1 != planted and re.fullmatch(r"[0-9a-f]{64}", sid1 or ""),
      "staff: sign-in with a planted sid cookie sets a new random 256-bit id", (r.status, sid1))
check(count("sessions", f"token_hash = SHA2('{planted}', 256)") == 0, "staff: the planted id names no session")
r = raw("GET", "/", {"sid": planted})
check(r.status == 303 and r.location.endswith("/login"), "staff: the planted id signs nobody in", r.location)
check(sid1 not in r.location and sid1 not in (raw("GET", "/password?first=1", {"sid": sid1}).text),
      "staff: the session id is in no URL and no page")

# the first password, with a Unicode password with spaces (V2.1.3, V2.1.4)
UNI = " 电费 密码 Ab 12 😀 "
c = Client()
c.jar.set_cookie(http.cookiejar.Cookie(0, "sid", sid1, None, False, HOST.hostname, False, False, "/", True,
                                       False, None, False, None, None, {}))
c.get("/password?first=1")
r = c.post("/password?first=1", {"old": pw, "new": UNI, "confirm": UNI})
check(r.status == 303, "staff: a password of Chinese, an emoji and spaces (leading and trailing too) is taken",
      (r.status, r.field_error("new")))
r = Client().login(login, UNI.strip())
check(r.status == 200 and "登录名或密码错误" in r.text, "staff: the same password without its outer spaces does not sign in")
r = Client().login(login, UNI)
check(r.status == 303 and r.location.endswith("/"), "staff: the exact password signs in", r.location)

# V3.2.1 re-authentication on a signed-in browser: a new id, the old one dead
r = raw("GET", "/login?switch=1", {"sid": sid1})
lcsrf = cookie(r, "lcsrf")
r = raw("POST", "/login", {"sid": sid1, "lcsrf": lcsrf}, {"login": login, "password": UNI, "csrf": r.csrf()})
sid2 = cookie(r, "sid")
check(r.status == 303 and sid2 and sid2 != sid1, "staff: signing in again gives a new id")
check(raw("GET", "/", {"sid": sid1}).status == 303 and raw("GET", "/", {"sid": sid2}).status == 200,
      "staff: the id before it no longer works, the new one does")

# V2.1.1/V2.1.2/V2.1.3: 11 refused, 12 taken, 128 taken in full (no truncation), 129 refused
a = Client()
a.login(login, UNI)
a.get("/password")
r = a.post("/password", {"old": UNI, "new": "Kite 7 Ocea", "confirm": "Kite 7 Ocea"})
check(r.status == 200 and (r.field_error("new") or "").startswith("密码至少12个字符"),
      "staff: a password of 11 characters is refused", r.field_error("new"))
r = a.post("/password", {"old": UNI, "new": "Kite 7 Ocean", "confirm": "Kite 7 Ocean"})
check(r.status == 303, "staff: a password of exactly 12 characters is taken", r.field_error("new"))
LONG = ("Long pass 1 " * 11)[:128]
a.get("/password")
r = a.post("/password", {"old": "Kite 7 Ocean", "new": LONG + "x", "confirm": LONG + "x"})
check(r.status == 200 and r.field_error("new") == "密码最多128个字符", "staff: a password of 129 characters is refused",
      r.field_error("new"))
r = a.post("/password", {"old": "Kite 7 Ocean", "new": LONG, "confirm": LONG})
check(len(LONG) == 128 and r.status == 303, "staff: a password of 128 characters (with spaces) is taken")
r = Client().login(login, LONG[:127])
check(r.status == 200 and "登录名或密码错误" in r.text, "staff: its first 127 characters do not sign in (no truncation)")
r = Client().login(login, LONG)
check(r.status == 303, "staff: all 128 do")

# V3.3.3: a password change ends the operator's other sessions, not the one that changed it
b = Client()
b.login(login, LONG)
check(b.get("/").status == 200, "staff: a second browser is signed in")
a.get("/password")
r = a.post("/password", {"old": LONG, "new": "Changed 2nd 99", "confirm": "Changed 2nd 99"})
check(r.status == 303 and a.get("/").status == 200, "staff: the browser that changed the password stays signed in")
r = b.get("/")
check(r.status == 303 and r.location.endswith("/login"), "staff: the other browser's session ended with the change")

# V3.3.1: a signed-out id is dead on the server, whatever the browser keeps
s = Client()
s.login(login, "Changed 2nd 99")
sid = [k.value for k in s.jar if k.name == "sid"][0]
r = s.get("/")
csrf = s.csrf_token
r = s.post("/logout", {})
check(r.status == 303 and "Max-Age=0" in (r.headers.get("Set-Cookie") or ""), "staff: sign-out clears the cookie")
check(count("sessions", f"token_hash = SHA2('{sid}', 256)") == 0, "staff: sign-out deletes the session row")
r = raw("GET", "/", {"sid": sid})
check(r.status == 303 and r.location.endswith("/login"), "staff: the signed-out id replayed is sent to the sign-in page")
r = raw("POST", "/password", {"sid": sid}, {"old": "Changed 2nd 99", "new": "Replay pass 7", "confirm": "Replay pass 7",
                                            "csrf": csrf})
check(r.status == 403 and db_value(f"SELECT must_change FROM operators WHERE login = '{login}'") == "0"
      and Client().login(login, "Changed 2nd 99").status == 303,
      "staff: a POST with the signed-out id and its CSRF token is refused and changes nothing", r.status)

# ---------------------------------------------------------------- V8.2.1 no-store on money and personal pages
staff = operator(role=1)
B4 = db_value("SELECT id FROM buildings WHERE name = '4号楼'")
room = free_rooms(B4, desc=True)[0]
r = staff.get("/account/open")
r = staff.post("/account/open", {"holder": "安全检查" + uuid.uuid4().hex[:4], "holder_no": "S" + uuid.uuid4().hex[:6],
                                 "phone": "13900139001", "building_id": B4, "room": room, "meters": "", "first": "",
                                 "idem": idem_of(r)})
acc = re.search(r"id=(\d+)", r.location).group(1) if r.status == 303 else "0"
check(r.status == 303 and acc != "0", "an account is opened for the student site's checks", r.status)
meter = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {acc} AND active = 1")
for path in [f"/account?id={acc}", f"/sell?account={acc}", "/accounts", "/sales", "/operators", "/oplog",
             "/accounts?export=xlsx"]:
    r = staff.get(path)
    check(r.status == 200 and no_store(r), f"staff: {path} is sent Cache-Control: no-store",
          (r.status, r.headers.get("Cache-Control")))
r = staff.get(f"/account?id={acc}")
check("13900139001" in r.text and no_store(r), "staff: the account page with the holder's phone is not stored")
r = raw("GET", "/login")
check(r.status == 200 and no_store(r), "staff: the sign-in page is sent Cache-Control: no-store")

# ---------------------------------------------------------------- the student site: the same for msid
r = staff.post(f"/account/student-password?account={acc}", {"confirm": "1"})
m = re.search(r'id="new-password">([^<]+)<', r.text)
spw = m.group(1) if m else ""
db(f"UPDATE student_logins SET privacy_agreed_at = UTC_TIMESTAMP() WHERE account_id = {acc}")  # the notice agreed (t78_privacy asks it)
check(spw != "", "staff set the student's first password")


r = raw("GET", "/m/login")
lc = [(c.split("=")[0], c.split(";")[0].split("=", 1)[1]) for c in r.headers.get_all("Set-Cookie") or []]
check(len(lc) == 1, "the student sign-in page sets one form cookie", lc)
ck = dict(lc)
ck["msid"] = planted
r = raw("POST", "/m/login", ck, {"building": B4, "room": room, "password": spw, "csrf": r.csrf()})
msid1 = cookie(r, "msid")
check(r.status == 303 and msid1 and msid1 != planted and re.fullmatch(r"[0-9a-f]{64}", msid1 or ""),
      "students: sign-in with a planted msid cookie sets a new random 256-bit id", (r.status, msid1))
check(raw("GET", "/m/", {"msid": planted}).status == 303, "students: the planted id signs nobody in")
m1 = Client()
m1.jar.set_cookie(http.cookiejar.Cookie(0, "msid", msid1, None, False, HOST.hostname, False, False, "/m/", True,
                                        False, None, False, None, None, {}))
m1.get("/m/password?first=1")
SUNI = "我的 电表 Mi 34 😀 "
r = m1.post("/m/password", {"old": spw, "new": SUNI, "confirm": SUNI})
check(r.status == 303, "students: a password with Chinese, an emoji and spaces is taken", (r.status, r.field_error("new")))


def mlogin(c, password):
    c.get("/m/login")
    return c.post("/m/login", {"building": B4, "room": room, "password": password})


check(mlogin(Client(), SUNI.strip()).status == 200, "students: without its trailing space it does not sign in")
m2 = Client()
check(mlogin(m2, SUNI).status == 303 and m2.get("/m/").status == 200, "students: the exact password signs in")
r = m1.get("/m/")
check(r.status == 200 and no_store(r) and "¥" in r.text, "students: my account (money) is sent Cache-Control: no-store",
      r.headers.get("Cache-Control"))
# V3.3.3 and the lengths on the student site
m1.get("/m/password")
r = m1.post("/m/password", {"old": SUNI, "new": "x" * 129, "confirm": "x" * 129})
check(r.field_error("new") == "密码最多128个字符", "students: a password of 129 characters is refused", r.field_error("new"))
SLONG = ("Meter pass 9 " * 10)[:128]
r = m1.post("/m/password", {"old": SUNI, "new": SLONG, "confirm": SLONG})
check(r.status == 303, "students: a password of 128 characters is taken", r.field_error("new"))
r = m2.get("/m/")
check(r.status == 303 and "/m/login" in r.location, "students: the change ended the other phone's session")
check(mlogin(Client(), SLONG[:127]).status == 200 and mlogin(Client(), SLONG).status == 303,
      "students: 127 of the 128 characters do not sign in, all 128 do")
# V3.3.1 sign-out on the student site
msid = [k.value for k in m1.jar if k.name == "msid"][0]
m1.get("/m/")
mcsrf = m1.csrf_token
r = m1.post("/m/logout", {})
check(r.status == 303 and count("student_sessions", f"token_hash = SHA2('{msid}', 256)") == 0,
      "students: sign-out deletes the session row")
r = raw("GET", "/m/", {"msid": msid})
check(r.status == 303 and r.location.endswith("/m/login"), "students: the signed-out id replayed is sent to the sign-in page")
r = raw("POST", "/m/password", {"msid": msid}, {"old": SLONG, "new": "Replay pass 7", "confirm": "Replay pass 7",
                                                "csrf": mcsrf})
check(r.status in (303, 403) and mlogin(Client(), SLONG).status == 303,
      "students: a POST with the signed-out id and its form key changes nothing", r.status)

# ---------------------------------------------------------------- V7.1.1/V7.2.1 no password in the operation log
typed = [pw, UNI, UNI.strip(), "Kite 7 Ocean", LONG, LONG[:127], "Changed 2nd 99", "Replay pass 7", spw, SUNI, SLONG,
         NEW_PASSWORD]
rows = db("SELECT CONCAT_WS(' ', login, action, object, COALESCE(before_val, ''), COALESCE(after_val, ''))"
          " FROM oplog")
found = [p for p in typed if any(p in row[0] for row in rows)]
check(len(rows) > 20 and not found, "the operation log holds none of the passwords typed or shown",
      [f[:6] for f in found])
check(not any("scrypt$" in row[0] or "scrypt-hmac$" in row[0] for row in rows), "nor any password hash")
check(count("oplog", f"action = 'login' AND object = '{login}'") >= 4
      and count("oplog", f"action = 'login.fail' AND object = '{login}'") >= 2
      and count("oplog", "action = 'student.login' AND client_addr <> ''") >= 1,
      "sign-ins and failures are logged with the client address (V7.2.1)")

# ---------------------------------------------------------------- V7.4.1 errors say nothing of the inside
for what, r in [("404", staff.get("/no-such-page?x=%27%22%3Cscript%3E")),
                ("405", staff.request("PUT", "/operators")),
                ("403 without the right", operator(role=3).get("/settings")),
                ("403 CSRF", staff.post("/settings", {"csrf": "1' OR '1'='1"})),
                ("400 broken multipart", raw("POST", "/meters/import", None, b"--x\r\n",
                                             {"Content-Type": "multipart/form-data; boundary=x"})),
                ("415 XML", raw("POST", "/login", None, "<x/>", {"Content-Type": "text/xml"})),
                ("413", raw("POST", "/login", None, "a=" + "b" * 300000,
                            {"Content-Type": "application/x-www-form-urlencoded"})),
                ("student 404", raw("GET", "/m/nothing'\"<"))]:
    ct = r.headers.get("Content-Type") or ""
    check(r.status >= 400 and not leaks(r.text) and "charset=utf-8" in ct,
          f"a {what} answer has a charset and names no program, table or statement", (r.status, leaks(r.text), ct))

# a statement that fails (the database account loses a right for a moment): a 500 in Chinese, the reason logged only
c = Client()
mlogin(c, SLONG)
log = f"{VAR}/log/mobile.log"
size = os.path.getsize(log) if os.path.exists(log) else 0
grant("REVOKE SELECT ON daily_energy FROM 'prepaid_mobile'@'localhost'")
try:
    r = c.get("/m/")
finally:
    grant("GRANT SELECT ON daily_energy TO 'prepaid_mobile'@'localhost'")
check(r.status == 500 and "服务器内部错误，请稍后再试" in r.text and not leaks(r.text),
      "students: a failing statement is a 500 with a generic Chinese message", (r.status, leaks(r.text)))
tail = open(log, errors="replace").read()[size:] if os.path.exists(log) else ""
check("daily_energy" in tail or "denied" in tail, "and the reason is in the program's log", tail[-300:])
check(c.get("/m/").status == 200, "students: with the right back the page opens again")
log = f"{VAR}/log/staff.log"
size = os.path.getsize(log) if os.path.exists(log) else 0
grant("REVOKE SELECT ON sms_outbox FROM 'prepaid_staff'@'localhost'")
try:
    r = staff.get("/")
finally:
    grant("GRANT SELECT ON sms_outbox TO 'prepaid_staff'@'localhost'")
check(r.status == 500 and "服务器内部错误，请稍后再试" in r.text and not leaks(r.text),
      "staff: a failing statement is a 500 with a generic Chinese message", (r.status, leaks(r.text)))
tail = open(log, errors="replace").read()[size:] if os.path.exists(log) else ""
check("sms_outbox" in tail, "and the reason is in the program's log", tail[-300:])
check(staff.get("/").status == 200, "staff: with the right back the home page opens again")

# V4.1.5: a session lookup that fails signs nobody in
grant("REVOKE SELECT ON sessions FROM 'prepaid_staff'@'localhost'")
try:
    r = staff.get("/operators")
    r2 = staff.post("/settings", {"site_title": "x"})
finally:
    grant("GRANT SELECT ON sessions TO 'prepaid_staff'@'localhost'")
check(r.status == 503 and "数据库暂时不可用" in r.text and r2.status == 503,
      "staff: when the session cannot be read, pages and POSTs are refused (503), nobody is signed in",
      (r.status, r2.status))
check(staff.get("/operators").status == 200, "staff: the session works again afterwards")

# ---------------------------------------------------------------- V14.4, V14.3.3, V14.5.3, V4.3.2: headers, listings
for path in ["/login", "/no-such-page", "/m/login", "/static/style.css"]:
    r = raw("GET", path, None, None, {"Origin": "https://evil.example"})
    h = r.headers
    ok = (h.get("X-Content-Type-Options") == "nosniff" and h.get("X-Frame-Options") == "DENY"
          and "frame-ancestors 'none'" in (h.get("Content-Security-Policy") or "")
          and "default-src 'self'" in (h.get("Content-Security-Policy") or "")
          and h.get("Referrer-Policy") == "same-origin")
    check(ok, f"{path}: nosniff, frame-ancestors 'none', CSP and Referrer-Policy", dict(h))
    check(re.fullmatch(r"nginx", h.get("Server") or "nginx") and not h.get("X-Powered-By")
          and not h.get("Access-Control-Allow-Origin"), f"{path}: no version, no X-Powered-By, no CORS grant",
          (h.get("Server"), h.get("Access-Control-Allow-Origin")))
site = open(f"{TOP}/conf/nginx-site.conf").read()
for hdr in ["X-Content-Type-Options nosniff always", "X-Frame-Options DENY always", "frame-ancestors 'none'",
            "Referrer-Policy same-origin always", "server_tokens off"]:
    check(site.count(hdr) == 2, f"conf/nginx-site.conf: both sites have {hdr.split()[0]}")
for path in ["/static/", "/bootstrap5/", "/.git/HEAD", "/static/../Makefile", "/m/../Makefile", "/var/test/my.cnf"]:
    r = raw("GET", path)
    check(r.status in (403, 404, 400) and "Index of" not in r.text, f"{path} lists and serves nothing", r.status)

# V2.10.4, V6.4.1: the secrets are files of their owner only, none of them in the database or the sources
secrets = [f for f in os.listdir(VAR) if f.endswith(".password") or f in ("vending.key", "initial-admin-password",
                                                                             "prepaid.conf", "mobile.conf")]
modes = {f: oct(stat.S_IMODE(os.stat(f"{VAR}/{f}").st_mode)) for f in secrets}
check(len(secrets) >= 7 and all(m == "0o600" for m in modes.values()), "every secret file is mode 0600", modes)
key = open(f"{VAR}/vending.key").read().strip()
dump = subprocess.run(["mariadb-dump", f"--defaults-file={VAR}/my.cnf", "-uroot", "--skip-extended-insert", "prepaid"],
                      capture_output=True, text=True).stdout
check(len(key) >= 32 and len(dump) > 10000 and key not in dump, "the token key is nowhere in the database")
tracked = subprocess.run(["git", "-C", TOP, "grep", "-I", "-l", "-F", "-e", key, "-e",
                          open(f"{VAR}/staff.password").read().strip(), "--", "."], capture_output=True, text=True)
check(tracked.stdout == "", "no generated secret is in the sources", tracked.stdout)

# V7.3.3: no program's database account can change or delete the operation log or the ledger
conf = dict(l.split("=", 1) for l in open(f"{VAR}/prepaid.conf").read().splitlines() if "=" in l and l[0] != "#")
for acct in ["staff", "collector", "mobile"]:
    pwd = conf.get(f"{acct}_password ", "").strip()
    for sql in ["UPDATE oplog SET action = 'x' LIMIT 1", "DELETE FROM oplog LIMIT 1", "TRUNCATE oplog",
                "UPDATE ledger SET amount_fen = 0 LIMIT 1", "DELETE FROM ledger LIMIT 1"]:
        p = subprocess.run(["mariadb", f"--socket={VAR}/run/mysqld.sock", f"-uprepaid_{acct}", f"-p{pwd}", "prepaid",
                            "-e", sql], capture_output=True, text=True)
        check(pwd and p.returncode != 0 and "command denied" in p.stderr, f"prepaid_{acct} is refused {sql.split(' LIMIT')[0]}",
              p.stderr.strip()[:120])

# V8.3.1: credentials go in bodies only
for path in ["/login", "/m/login"]:
    r = raw("GET", path)
    check(re.search(r'<form[^>]*method="post"', r.text, re.I) and 'type="password"' in r.text,
          f"{path}: the password is posted in the body, in a password field")

# the wrong passwords typed here count against 127.0.0.1 for 15 minutes: not for the tests after this one
db(f"DELETE FROM login_failures WHERE login = '{login}'")
db(f"DELETE FROM student_login_failures WHERE client_addr = '127.0.0.1'")
done()
