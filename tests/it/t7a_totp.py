"""t7a_totp.py - staff TOTP (RFC 6238): enrolment on 动态口令, the code step of sign-in (wrong, replayed, too late, counted in the lockout), turning it off, the setting that makes administrators enrol, an administrator's reset, other operators' ids, CSRF."""
import base64
import hashlib
import hmac
import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401


def code_at(secret, step):
    """The RFC 6238 code of STEP for the base32 SECRET, computed here (not by the product)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[19] & 15
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7fffffff) % 1000000)


def now_step():
    return int(time.time()) // 30


def wrong_code(secret):
    """A code that is none of the steps around now."""
    near = {code_at(secret, now_step() + d) for d in range(-3, 4)}
    c = int(code_at(secret, now_step()))
    while "%06d" % c in near:
        c = (c + 137) % 1000000
    return "%06d" % c



def fresh_code(secret, login):
    """A current code of a step after the last one LOGIN used (waits for the next step if need be)."""
    last = int(db_value(f"SELECT totp_step FROM operators WHERE login = '{login}'"))
    while last >= now_step() + 1:
        time.sleep(1)
    return code_at(secret, max(last + 1, now_step()))


def cookie(c, name):
    return next((k.value for k in c.jar if k.name == name), None)


def sessions_of(login):
    return count("sessions s JOIN operators o ON o.id = s.operator_id", f"o.login = '{login}'")


def enrol(c):
    """Turns TOTP on for the operator of C; returns the secret."""
    r = c.get("/totp")
    secret = re.search(r'id="totp-secret">([A-Z2-7]{32})<', r.text).group(1)
    r = c.post("/totp", {"secret": secret, "code": code_at(secret, now_step())})
    assert r.status == 303 and "ok=on" in r.location, (r.status, r.text[:400])
    return secret


def password_step(login, pw, client=None):
    c = client or Client()
    r = c.login(login, pw)
    return c, r


# --- Enrolment on 动态口令 -------------------------------------------------
a = operator()
r = a.get("/totp")
check(r.status == 200 and "动态口令" in r.text and "未启用" in r.text, "the 动态口令 page says TOTP is off")
m = re.search(r'id="totp-secret">([A-Z2-7]{32})<', r.text)
check(m is not None, "it shows a new secret of 32 base32 characters")
secret = m.group(1) if m else ""
uri = re.search(r'id="totp-uri">([^<]*)<', r.text)
check(uri and uri.group(1).startswith("otpauth://totp/") and f"secret={secret}" in uri.group(1)
      and a.login_name in uri.group(1) and "period=30" in uri.group(1) and "digits=6" in uri.group(1),
      "and its otpauth:// URI with the login, 6 digits, 30 s", uri.group(1) if uri else "")
r2 = a.get("/totp")
check(secret not in r2.text, "each visit shows another secret (none is stored before a code proves it)")
bad = wrong_code(secret)
r = a.post("/totp", {"secret": secret, "code": bad})
check(r.status == 200 and "动态口令错误" in (r.field_error("code") or ""), "a wrong code is refused next to the field",
      r.field_error("code"))
check(f'id="totp-secret">{secret}<' in r.text and f'value="{bad}"' in r.text,
      "the secret and the code typed stay on the page")
check(db_value(f"SELECT totp_secret IS NULL FROM operators WHERE login = '{a.login_name}'") == "1",
      "a wrong code turns nothing on")
for val, what in (("", "an empty code"), ("12345", "a code of 5 digits"), ("1234567", "a code of 7 digits"),
                  ("12a456", "a code with a letter"), ("<b>1'--", "HTML and SQL metacharacters")):
    r = a.post("/totp", {"secret": secret, "code": val})
    check(r.status == 200 and r.field_error("code") and "<b>1'" not in r.text,
          f"{what} is refused next to the field, escaped", r.field_error("code"))
r = a.post("/totp", {"secret": "<script>alert(1)</script>", "code": code_at(secret, now_step())})
check(r.status == 200 and "密钥无效" in (r.field_error("code") or "") and "<script>alert" not in r.text,
      "a secret changed in the form is refused (a new one is shown, escaped)")
check(db_value(f"SELECT totp_secret IS NULL FROM operators WHERE login = '{a.login_name}'") == "1",
      "and turns nothing on")
enrol_step = now_step()
enrol_code = code_at(secret, enrol_step)
other = operator()
oid = db_value(f"SELECT id FROM operators WHERE login = '{other.login_name}'")
r = a.post("/totp", {"secret": secret, "code": enrol_code, "id": oid})
check(r.status == 303 and "ok=on" in r.location, "the right code turns TOTP on", f"{r.status} {r.location}")
row = db(f"SELECT totp_secret, totp_step FROM operators WHERE login = '{a.login_name}'")[0]
check(row[0].startswith("g1$") and secret not in row[0].upper() and
      base64.b32decode(secret).hex() not in row[0], "the secret is stored sealed, not in clear", row[0][:20])
check(int(row[1]) >= enrol_step - 1, "the step of the enrolment code is used up", row[1])
check(db_value(f"SELECT totp_secret IS NULL FROM operators WHERE id = {oid}") == "1",
      "another operator's id sent with the form changes nobody else")
check(count("oplog", f"action = 'totp.enable' AND login = '{a.login_name}'") == 1, "turning it on is logged")
r = a.get("/totp")
check("已启用" in r.text and 'id="totp-secret"' not in r.text, "the page then says it is on and shows no secret")

# --- The code step of sign-in ------------------------------------------------
c, r = password_step(a.login_name, NEW_PASSWORD)
check(r.status == 303 and r.location.endswith("/login/code"), "the right password leads to the code step", r.location)
sc = " ".join(r.headers.get_all("Set-Cookie") or [])
check("sid=" not in sc and sessions_of(a.login_name) == 1, "no session is made by the password alone",
      f"{sc} {sessions_of(a.login_name)}")
check("lpend=" in sc and "HttpOnly" in sc and "SameSite=Strict" in sc, "the step's cookie is HttpOnly, SameSite=Strict")
pend = cookie(c, "lpend") or ""
check(count("login_pending", f"token_hash = SHA2('{pend}', 256)") == 1 and count("login_pending", f"token_hash = '{pend}'") == 0,
      "the step's token is stored hashed")
r = c.get("/meters")
check(r.status == 303 and r.location.endswith("/login"), "between the steps no page opens")
r = c.get("/login/code")
check(r.status == 200 and "输入动态口令" in r.text and 'autocomplete="one-time-code"' in r.text, "the code form is shown")
r = c.post("/login/code", {"code": enrol_code})
check(r.status == 200 and "已使用过" in (r.field_error("code") or ""), "the code used to enrol is not taken again (replay)",
      r.field_error("code"))
r = c.post("/login/code", {"code": wrong_code(secret)})
check(r.status == 200 and "动态口令错误" in (r.field_error("code") or ""), "a wrong code is refused next to the field")
check(sessions_of(a.login_name) == 1, "and makes no session")
r = c.post("/login/code", {"code": "12<a>"})
check(r.status == 200 and "6 位数字" in (r.field_error("code") or "") and "12<a>" not in r.text,
      "a code that is not 6 digits is refused, escaped")
r = c.post("/login/code", {"code": code_at(secret, now_step()), "csrf": "0" * 64})
check(r.status == 200 and "页面已过期" in r.text and sessions_of(a.login_name) == 1,
      "a code posted without the form's token is refused (CSRF)")
check(count("login_failures", f"login = '{a.login_name}'") == 2,
      "the replayed and the wrong code were counted as failures (not the malformed one)",
      count("login_failures", f"login = '{a.login_name}'"))
spy = From("127.0.0.5")
for k in list(c.jar):
    if k.name in ("lpend", "lcsrf"):
        spy.jar.set_cookie(k)
r = spy.post("/login/code", {"code": fresh_code(secret, a.login_name), "csrf": cookie(c, "lcsrf")})
check(r.status == 200 and "超时" in r.text and sessions_of(a.login_name) == 1,
      "the step's cookies taken to another address are of no use")
code1 = fresh_code(secret, a.login_name)
c.get("/login/code")
r = c.post("/login/code", {"code": code1})
check(r.status == 303 and r.location.endswith("/"), "the right code signs in", f"{r.status} {r.location} {r.text[:200]}")
check(count("login_failures", f"login = '{a.login_name}'") == 0, "a sign-in with the code clears the failures")
check(sessions_of(a.login_name) == 2 and count("login_pending", f"token_hash = SHA2('{pend}', 256)") == 0,
      "the session is made and the step ends")
r = c.get("/meters")
check(r.status == 200, "the console opens")
c.post("/logout", {})
c, r = password_step(a.login_name, NEW_PASSWORD)
c.get("/login/code")
r = c.post("/login/code", {"code": code1})
check(r.status == 200 and "已使用过" in (r.field_error("code") or ""), "the same code signs in only once")
check(count("oplog", f"action = 'login.fail' AND object = '{a.login_name}' AND after_val LIKE '%code used%'") == 2,
      "each replayed code is logged", count("oplog", f"action = 'login.fail' AND object = '{a.login_name}'"))
r = c.post("/login/code", {"code": fresh_code(secret, a.login_name)})
check(r.status == 303, "a later step's code signs in", f"{r.status} {r.field_error('code')}")

# --- The step is valid 5 minutes --------------------------------------------
c, r = password_step(a.login_name, NEW_PASSWORD)
pend = cookie(c, "lpend")
db(f"UPDATE login_pending SET created_at = UTC_TIMESTAMP() - INTERVAL 301 SECOND WHERE token_hash = SHA2('{pend}', 256)")
c.get("/login/code")
r = c.post("/login/code", {"code": fresh_code(secret, a.login_name)})
check(r.status == 200 and "超时" in r.text and 'name="password"' in r.text, "at 5 min 1 s the code is refused, back to the password")
check(count("login_pending", f"token_hash = SHA2('{pend}', 256)") == 0, "and the step is removed")
c, r = password_step(a.login_name, NEW_PASSWORD)
pend = cookie(c, "lpend")
db(f"UPDATE login_pending SET created_at = UTC_TIMESTAMP() - INTERVAL 290 SECOND WHERE token_hash = SHA2('{pend}', 256)")
c.get("/login/code")
r = c.post("/login/code", {"code": fresh_code(secret, a.login_name)})
check(r.status == 303, "at 4 min 50 s it is taken", f"{r.status} {r.field_error('code')}")

# --- Wrong codes count with wrong passwords in the lockout -------------------
b = operator()
bsecret = enrol(b)
b.post("/logout", {})
lc = Client()
for i in range(2):
    lc.login(b.login_name, "Wrong-pass%d" % i)
lc, r = password_step(b.login_name, NEW_PASSWORD, lc)
check(r.status == 303 and "/login/code" in r.location, "two wrong passwords, then the right one: the code step")
lc.get("/login/code")
for i in range(2):
    r = lc.post("/login/code", {"code": wrong_code(bsecret)})
check("动态口令错误" in (r.field_error("code") or ""), "two wrong codes are refused")
r = lc.post("/login/code", {"code": wrong_code(bsecret)})
check(r.status == 200 and "已锁定" in r.text and 'name="password"' in r.text,
      "the fifth failure (2 passwords, 3 codes) locks the login, back to the password")
r = lc.login(b.login_name, NEW_PASSWORD)
check(r.status == 200 and "已锁定" in r.text, "then even the right password is refused")
check(count("login_pending", f"operator_id = (SELECT id FROM operators WHERE login = '{b.login_name}')") == 0,
      "no step is left waiting")
db(f"DELETE FROM login_failures WHERE login = '{b.login_name}'")
db(f"UPDATE operators SET locked_until = NULL WHERE login = '{b.login_name}'")

# --- Turning it off: the password and a current code --------------------------
c, r = password_step(b.login_name, NEW_PASSWORD)
c.get("/login/code")
used = fresh_code(bsecret, b.login_name)
r = c.post("/login/code", {"code": used})
check(r.status == 303, "the operator signs in with a code")
c.get("/totp")
r = c.post("/totp", {"password": "Wrong-pass9", "code": code_at(bsecret, now_step())})
check(r.status == 200 and r.field_error("password"), "turning off with a wrong password is refused next to it")
r = c.post("/totp", {"password": NEW_PASSWORD, "code": wrong_code(bsecret)})
check(r.status == 200 and "动态口令错误" in (r.field_error("code") or ""), "with a wrong code too")
r = c.post("/totp", {"password": NEW_PASSWORD, "code": ""})
check(r.status == 200 and r.field_error("code"), "with no code too")
r = c.post("/totp", {"password": NEW_PASSWORD, "code": used})
check(r.status == 200 and "已使用过" in (r.field_error("code") or ""), "with the code used to sign in too")
r = c.post("/totp", {"password": NEW_PASSWORD, "code": fresh_code(bsecret, b.login_name)}, csrf=False)
check(r.status == 403, "without the form's token (CSRF) it is refused")
check(db_value(f"SELECT totp_secret IS NOT NULL FROM operators WHERE login = '{b.login_name}'") == "1", "it is still on")
r = c.post("/totp", {"password": NEW_PASSWORD, "code": fresh_code(bsecret, b.login_name)})
check(r.status == 303 and "ok=off" in r.location, "the password and a current code turn it off")
check(db_value(f"SELECT totp_secret IS NULL FROM operators WHERE login = '{b.login_name}'") == "1"
      and count("oplog", f"action = 'totp.disable' AND login = '{b.login_name}'") == 1, "it is off and logged")
r = Client().login(b.login_name, NEW_PASSWORD)
check(r.status == 303 and r.location.endswith("/"), "then the password alone signs in again")

# --- An administrator resets another operator's TOTP (lost phone) -------------
d = operator()
dsecret = enrol(d)
check(d.get("/meters").status == 200, "the operator is signed in")
r = a.get("/operators", q=d.login_name)
check('action="/operator/totp-reset"' in r.text, "the operators list offers the reset for an operator with TOTP")
did = db_value(f"SELECT id FROM operators WHERE login = '{d.login_name}'")
aid = db_value(f"SELECT id FROM operators WHERE login = '{a.login_name}'")
clerk = operator(role=3)
r = clerk.post("/operator/totp-reset", {"id": did})
check(r.status == 403, "an operator without F2 cannot reset it", r.status)
r = a.post("/operator/totp-reset", {"id": did}, csrf=False)
check(r.status == 403, "nor an administrator's form without its token (CSRF)")
r = a.request("POST", "/operator/totp-reset", urllib.parse.urlencode({"id": did, "csrf": a.csrf_token}).encode(),
              {"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"})
check(r.status == 403, "nor from another site's page")
r = a.post("/operator/totp-reset", {"id": aid})
check(r.status == 400, "an administrator cannot reset their own (that is turning it off)", r.status)
r = a.post("/operator/totp-reset", {"id": "999999"})
check(r.status == 404, "an unknown id is a 404", r.status)
r = a.post("/operator/totp-reset", {"id": "1 OR 1=1"})
check(r.status == 404, "an id with SQL in it is a 404", r.status)
check(db_value(f"SELECT totp_secret IS NOT NULL FROM operators WHERE login = '{d.login_name}'") == "1",
      "none of these reset anything")
r = a.post("/operator/totp-reset", {"id": did})
check(r.status == 303 and "ok=totp_reset" in r.location, "the administrator resets it")
check(db_value(f"SELECT totp_secret IS NULL FROM operators WHERE login = '{d.login_name}'") == "1",
      "the secret is gone")
check(count("oplog", f"action = 'operator.reset_totp' AND object = 'operator:{did}' AND login = '{a.login_name}'") == 1,
      "the reset is logged with who did it")
check(sessions_of(d.login_name) == 0 and d.get("/meters").status == 303, "the operator's sessions ended")
r = a.get("/operators?ok=totp_reset")
check("已重置动态口令" in r.text, "the list says so")
r = a.get("/oplog")
check(r.status == 200 and "重置动态口令" in r.text and "启用动态口令" in r.text and "停用动态口令" in r.text,
      "the operation log names the TOTP actions in words")
check(db_value(f"SELECT totp_secret IS NOT NULL FROM operators WHERE login = '{a.login_name}'") == "1",
      "the administrator's own TOTP stays")
d2 = Client()
r = d2.login(d.login_name, NEW_PASSWORD)
check(r.status == 303 and r.location.endswith("/"), "the operator signs in with the password and can enrol again")
enrol(d2)
check(db_value(f"SELECT totp_secret IS NOT NULL FROM operators WHERE login = '{d.login_name}'") == "1", "enrolled again")

# --- The setting: administrators must use TOTP --------------------------------
adm = operator()  # role 1: F2, F3, F10, ADJ; no TOTP
try:
    a.get("/settings")
    r = a.post("/settings", {"admin_totp_required": "1"})
    check(r.status in (200, 303) and db_value("SELECT value FROM settings WHERE name = 'admin_totp_required'") == "1",
          "an administrator turns on 管理员必须使用动态口令 on the settings page", r.status)
    r = adm.get("/meters")
    check(r.status == 303 and "/totp" in r.location, "an administrator without TOTP is sent to 动态口令", r.location)
    r = adm.post("/operator/reset", {"id": did})
    check(r.status == 303 and "/totp" in r.location and
          count("oplog", f"action = 'operator.reset_password' AND login = '{adm.login_name}'") == 0,
          "and can do nothing else, not even a POST")
    r = adm.get("/totp")
    check(r.status == 200 and "要求管理员使用动态口令" in r.text, "the page says why")
    fresh = Client()
    r = fresh.login(adm.login_name, NEW_PASSWORD)
    r = fresh.get(r.location)
    check(r.status == 303 and "/totp" in r.location, "right after sign-in the administrator lands on 动态口令")
    check(clerk.get("/").status == 200, "an operator of a role without F2, F3, F10 or ADJ is not held")
    asecret = enrol(adm)
    check(adm.get("/meters").status == 200, "once enrolled the console opens")
    r = adm.post("/totp", {"password": NEW_PASSWORD, "code": fresh_code(asecret, adm.login_name)})
    check(r.status == 200 and "不能停用" in r.text and
          db_value(f"SELECT totp_secret IS NOT NULL FROM operators WHERE login = '{adm.login_name}'") == "1",
          "while the setting is on an administrator cannot turn it off")
finally:
    db("UPDATE settings SET value = '0' WHERE name = 'admin_totp_required'")
check(adm.get("/meters").status == 200 and Client().login(clerk.login_name, NEW_PASSWORD).status == 303,
      "with the setting off again nobody is held")
done()
