"""t74_passwords.py - the password rules on both sites (ASVS 2.1.1-2.1.12, 2.3.1): 12 to 128 characters counted as characters, no composition rule, common passwords and patterns and the context's words refused with the reason next to the field, the 显示密码 box, first passwords that expire after 7 days unused."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

SITE = db_value("SELECT value FROM settings WHERE name = 'site_title'") or "远程预付费电能管理系统"
BOX = '<div class="showpw" hidden><label class="check"><input type="checkbox" id="f-showpw">'
SCRIPT = '<script src="/static/showpw.js" defer></script>'
ZH12 = "我家门前有两棵树都是枣树"            # 12 Chinese characters, 36 bytes
ZH128 = ("电表充值后记得看余额" * 13)[:128]    # 128 characters, 384 bytes


def scripts(r):
    return re.findall(r"<script[^>]*>", r.text)


# ---------------------------------------------------------------- staff: the first change, its rules
login = "pw" + uuid.uuid4().hex[:8]
first = admin("add-operator", login, "3")
check(len(first) >= 12, "staff: a new operator's first password has 12 characters or more", len(first))
c = Client()
r = c.login(login, first)
check(r.status == 303 and "/password?first=1" in r.location, "staff: the first sign-in asks for a new password")
r = c.get("/password?first=1")
check(r.status == 200 and "12到128个字符" in r.text and "不要求字母数字组合" in r.text and 'id="pw-rules"' in r.text,
      "staff: the form says the rule next to the new password (12 to 128, no mix required)")
check(BOX in r.text and SCRIPT in r.text and 'name="showpw"' not in r.text,
      "staff: the password form has the hidden 显示密码 box (shown by its script, never sent)")
hash0 = db_value(f"SELECT pw_hash FROM operators WHERE login = '{login}'")
for new, why, what in [
        ("", "必填", "empty"),
        ("Kite 7 Ocea", "至少12个字符", "11 characters"),
        (ZH12[:11], "至少12个字符", "11 Chinese characters"),
        ("123456789012", "太常见", "123456789012"),
        ("QwertyUiopAsdfgh", "太常见", "qwertyuiopasdfgh in mixed case"),
        ("Password2026!", "太常见", "Password2026!"),
        ("iloveyou1234", "太常见", "iloveyou1234"),
        ("1q2w3e4r5t6y", "太常见", "1q2w3e4r5t6y"),
        ("woaini1314520", "太常见", "woaini1314520"),
        ("7777777777777", "简单的规律", "one character repeated"),
        ("abcdefghijklmn", "简单的规律", "an ascending run"),
        ("0987654321098", "简单的规律", "a descending run of digits"),
        ("asdfghjkl;'", "至少12个字符", "a keyboard row of 11"),
        ("zaq1xsw2cde3vfr4", "简单的规律", "a keyboard walk"),
        (login.upper() + "-dorm-7", "登录名", "the login inside, in upper case"),
        (SITE + "2026", "系统名称", "the site's name inside"),
        (first + "!", "旧密码", "the first password with one more sign"),
        (ZH128 + "电", "最多128个字符", "129 Chinese characters"),
        ("x" * 129, "最多128个字符", "129 ASCII characters")]:
    r = c.post("/password?first=1", {"old": first, "new": new, "confirm": new})
    err = r.field_error("new") or ""
    check(r.status == 200 and why in err and "id=\"f-new\"" in r.text, f"staff: refused next to the field: {what}", err)
check(db_value(f"SELECT pw_hash FROM operators WHERE login = '{login}'") == hash0
      and db_value(f"SELECT must_change FROM operators WHERE login = '{login}'") == "1",
      "staff: the refused passwords changed nothing")
r = c.post("/password?first=1", {"old": first, "new": b"\xc3\x28 not UTF-8 at all", "confirm": b"\xc3\x28 not UTF-8 at all"})
check(r.status == 200 and "无法识别的字符" in (r.field_error("new") or ""),
      "staff: malformed UTF-8 is refused with a clear message", r.field_error("new"))
r = c.post("/password?first=1", {"old": first, "new": "<b>'\";--&x", "confirm": "<b>'\";--&x"})
check(r.status == 200 and "<b>'" not in r.text and "至少12个字符" in (r.field_error("new") or ""),
      "staff: HTML and SQL signs are neither echoed nor a fault", r.field_error("new"))

# twelve Chinese characters are a password; 128 of them too (384 bytes)
r = c.post("/password?first=1", {"old": first, "new": ZH12, "confirm": ZH12})
check(r.status == 303 and "password_changed" in r.location, "staff: 12 Chinese characters are taken", r.field_error("new"))
r = c.post("/password?first=1", {"old": first, "new": ZH12, "confirm": ZH12})
check(r.status == 200 and "旧密码不正确" in (r.field_error("old") or ""),
      "staff: the same change sent again is refused (the old password is no more)", r.field_error("old"))
r = Client().login(login, ZH12)
check(r.status == 303 and r.location.endswith("/"), "staff: the Chinese password signs in", r.location)
c.get("/password")
r = c.post("/password", {"old": ZH12, "new": ZH128, "confirm": ZH128})
check(r.status == 303, "staff: 128 Chinese characters (384 bytes) are taken", r.field_error("new"))
r = Client().login(login, ZH128)
check(r.status == 303 and r.location.endswith("/"), "staff: the 128 Chinese characters sign in", r.location)
check(Client().login(login, ZH128[:127]).status == 200, "staff: 127 of them do not")
EMOJI = "电费 ⚡ 充好了 🔋 wo men"
c.get("/password")
r = c.post("/password", {"old": ZH128, "new": EMOJI, "confirm": EMOJI})
check(r.status == 303 and Client().login(login, EMOJI).status == 303,
      "staff: emoji, spaces and no digit are taken and sign in", r.field_error("new"))

# ---------------------------------------------------------------- staff: a first password expires after 7 days unused
late = "pl" + uuid.uuid4().hex[:8]
lpw = admin("add-operator", late, "3")
db(f"UPDATE operators SET pw_set_at = UTC_TIMESTAMP() - INTERVAL 6 DAY WHERE login = '{late}'")
r = Client().login(late, lpw)
check(r.status == 303 and "/password?first=1" in r.location, "staff: a first password of 6 days still signs in")
db(f"UPDATE operators SET pw_set_at = UTC_TIMESTAMP() - INTERVAL 7 DAY - INTERVAL 1 MINUTE WHERE login = '{late}'")
sess0 = count("sessions s JOIN operators o ON o.id = s.operator_id", f"o.login = '{late}'")
r = Client().login(late, lpw)
check(r.status == 200 and "首次密码已超过7天未使用" in r.text and "重置" in r.text,
      "staff: a first password of 7 days and a minute is refused: ask for a reset", r.status)
check(count("sessions s JOIN operators o ON o.id = s.operator_id", f"o.login = '{late}'") == sess0,
      "staff: the refused first password makes no session")
check(count("oplog", f"action = 'login.fail' AND object = '{late}' AND after_val LIKE '%expired%'") == 1,
      "staff: the refusal is in the operation log")
r = Client().login(late, "Wrong-but-long-1")
check(r.status == 200 and "登录名或密码错误" in r.text and "首次密码" not in r.text,
      "staff: a wrong password on it says nothing of the expiry")
boss = operator(role=1)
oid = db_value(f"SELECT id FROM operators WHERE login = '{late}'")
boss.get("/operators")
r = boss.post("/operator/reset", {"id": oid})
m = re.search(r'id="new-password">([^<]+)<', r.text)
check(m is not None and len(m.group(1)) >= 12 and "7天内有效" in r.text,
      "staff: the reset shows a new first password of 12 and says it is good for 7 days")
r = Client().login(late, m.group(1) if m else "")
check(r.status == 303 and "/password?first=1" in r.location, "staff: the reset first password signs in again")
db(f"UPDATE operators SET pw_set_at = UTC_TIMESTAMP() - INTERVAL 30 DAY WHERE login = '{login}'")
check(Client().login(login, EMOJI).status == 303, "staff: an operator's own password does not expire (no rotation)")

# ---------------------------------------------------------------- students
rooms = db("SELECT r.building_id, r.number FROM rooms r JOIN buildings b ON b.id = r.building_id"
           " JOIN meters m ON m.room_id = r.id AND m.profile = 'ddsy1352nk'"
           # read at least once (a meter never read has unknown money: the opening asks to read it)
           " JOIN meter_state s ON s.meter_id = m.id AND s.read_at IS NOT NULL"
           " WHERE b.name <> '4号楼' AND CHAR_LENGTH(r.number) >= 3 AND NOT EXISTS"
           # meters never in an account (one closed earlier may hold money the opening asks about)
           " (SELECT 1 FROM account_meters x JOIN meters y ON y.id = x.meter_id WHERE y.room_id = r.id)"
           " AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.room_id = r.id)"
           # and nothing left for them by earlier tests (a price download waiting)
           " AND NOT EXISTS (SELECT 1 FROM commands c JOIN meters y ON y.id = c.meter_id WHERE y.room_id = r.id"
           "   AND c.status IN ('queued', 'sent', 'waiting', 'failed'))"
           " ORDER BY r.id DESC LIMIT 2")
assert len(rooms) == 2, rooms


def open_account(building, room):
    r = boss.get("/account/open")
    f = {"holder": "密码" + uuid.uuid4().hex[:4], "holder_no": "PW" + uuid.uuid4().hex[:6], "phone": "13900139000",
         "building_id": building, "room": room, "meters": "", "first": "", "idem": idem_of(r)}
    r = boss.post("/account/open", f)
    if r.status == 200:
        # money found on a meter (the opening asks what becomes of it): cleared
        f.update({"money_" + x: "clear" for x in re.findall(r'name="money_(\d+)"', r.text)})
        r = boss.post("/account/open", f)
    assert r.status == 303 and "/account?id=" in r.location, (r.status, re.findall(r'class="err"[^>]*>([^<]+)<', r.text))
    acc = re.search(r"id=(\d+)", r.location).group(1)
    boss.get(f"/account/student-password?account={acc}")
    r = boss.post(f"/account/student-password?account={acc}", {"confirm": "1"})
    m = re.search(r'id="new-password">([^<]+)<', r.text)
    return acc, m.group(1) if m else "", r


def mlogin(c, building, room, password):
    c.get("/m/login")
    return c.post("/m/login", {"building": str(building), "room": room, "password": password})


(bA, roomA), (bB, roomB) = rooms
A, pwA, r = open_account(bA, roomA)
check(len(pwA) == 12 and "7天内有效" in r.text, "students: the first password staff set has 12 characters, good for 7 days",
      pwA)
s = Client()
r = s.get("/m/login")
check(r.status == 200 and BOX in r.text and scripts(r) == [SCRIPT.replace("</script>", "")],
      "students: the sign-in form has the hidden 显示密码 box and that one script only", scripts(r))
r = mlogin(s, bA, roomA, pwA)
check(r.status == 303 and r.location.endswith("/m/password?first=1"), "students: the first sign-in asks for a new one")
r = s.get("/m/password?first=1")
check("12到128个字符" in r.text and "不要求字母数字组合" in r.text and BOX in r.text and SCRIPT in r.text,
      "students: the form says the rule and has the 显示密码 box")
for new, why, what in [
        ("Dorm-" + roomA + "-lights", "房间号", "the room number inside"),
        (SITE + "好用好用", "网站名称", "the site's name inside"),
        ("woaini5201314", "太常见", "woaini5201314"),
        ("Woaini2026!!", "太常见", "a pinyin word with digits and signs"),
        ("ababababababab", "简单的规律", "a short piece repeated"),
        (ZH12[:11], "至少12个字符", "11 Chinese characters"),
        (pwA.lower(), "不能是当前密码", "the first password in lower case")]:
    r = s.post("/m/password", {"old": pwA, "new": new, "confirm": new})
    err = r.field_error("new") or ""
    check(r.status == 200 and why in err, f"students: refused next to the field: {what}", err)
r = s.post("/m/password", {"old": pwA, "new": ZH12, "confirm": ZH12})
check(r.status == 303 and "password_changed" in r.location, "students: 12 Chinese characters are taken",
      r.field_error("new"))
check(mlogin(Client(), bA, roomA, ZH12).status == 303, "students: and sign in")
db(f"UPDATE student_logins SET set_at = UTC_TIMESTAMP() - INTERVAL 30 DAY WHERE account_id = {A}")
check(mlogin(Client(), bA, roomA, ZH12).status == 303, "students: their own password does not expire")

B, pwB, r = open_account(bB, roomB)
db(f"UPDATE student_logins SET set_at = UTC_TIMESTAMP() - INTERVAL 8 DAY WHERE account_id = {B}")
r = mlogin(Client(), bB, roomB, pwB)
check(r.status == 200 and "首次密码已超过7天未使用" in r.text and "重置" in r.text
      and count("student_sessions", f"account_id = {B}") == 0,
      "students: a first password 8 days old is refused with the way out, and no session", r.status)
check(f'value="{roomB}"' in r.text, "students: the room typed is kept on the refusal")
r = mlogin(Client(), bB, roomB, "Wrong-but-long-2")
check(r.status == 200 and "不正确" in r.text and "首次密码" not in r.text,
      "students: a wrong password on it says nothing of the expiry")
boss.get(f"/account/student-password?account={B}")
r = boss.post(f"/account/student-password?account={B}", {"confirm": "1"})
m = re.search(r'id="new-password">([^<]+)<', r.text)
pwB2 = m.group(1) if m else ""
r = mlogin(Client(), bB, roomB, pwB2)
check(r.status == 303 and r.location.endswith("/m/password?first=1"), "students: staff's reset gives 7 days again")

# ---------------------------------------------------------------- the script: same origin, allowed, the only one
r = Client().get("/static/showpw.js")
check(r.status == 200 and "showpw" in r.text and "javascript" in (r.headers.get("Content-Type") or ""),
      "the 显示密码 script is served as a static file", r.headers.get("Content-Type"))
csp = Client().get("/m/login").headers.get("Content-Security-Policy") or ""
check("script-src 'self'" in csp or ("script-src" not in csp and "default-src 'self'" in csp),
      "the student site's Content-Security-Policy lets a same-origin script run", csp)
site = open(os.path.join(TOP, "conf", "nginx-site.conf"), encoding="utf-8").read()
student = site[site.index("server_name dian."):]
policy = re.search(r'Content-Security-Policy "([^"]*)"', student).group(1)
check("location = /static/showpw.js" in student and "default-src 'self'" in policy
      and ("script-src" not in policy or "script-src 'self'" in policy),
      "the production student site serves the script, and its policy lets it run", policy)
done()
