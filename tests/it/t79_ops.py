"""t79_ops.py - operations: systemd sandboxing of every unit, the SBOM (prepaidctl sbom, in the backup) against dpkg, pending security updates on the health page, a production install without the demo, retention (prepaid-admin purge and its settings), and the rotation of the database passwords."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

PORT = int(os.environ.get("PREPAID_PORT", "18080"))


def ctl(*args, env=None):
    """conf/prepaidctl ARGS on this instance: (exit status, output)."""
    e = dict(os.environ, **(env or {}))
    p = subprocess.run(["sh", f"{TOP}/conf/prepaidctl", *args], env=e, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


_dpkg = {}


def dpkg_version(pkg):
    """The version dpkg has installed (asked once for all the packages)."""
    if not _dpkg:
        p = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Version}\t${Status}\n"], capture_output=True,
                           text=True)
        for ln in p.stdout.splitlines():
            n, v, st = ln.split("\t")
            if st.endswith(" installed"):
                _dpkg[n] = v
    return _dpkg.get(pkg)


# --- 14.2.6 systemd sandboxing ---------------------------------------------------------------------------------
NEED = ["NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=", "PrivateTmp=yes", "ProtectHome=yes",
        "SystemCallFilter=@system-service", "RestrictAddressFamilies=", "MemoryDenyWriteExecute=yes",
        "CapabilityBoundingSet=\n"]
units = sorted(glob.glob(f"{TOP}/conf/systemd/*.service"))
check(len(units) >= 8, "conf/systemd has the units", len(units))
for u in units:
    text = open(u, encoding="utf-8").read() + "\n"
    missing = [n.strip() for n in NEED if n not in text]
    check(not missing, f"{os.path.basename(u)}: NoNewPrivileges, ProtectSystem=strict, ReadWritePaths, PrivateTmp, "
          "ProtectHome, SystemCallFilter=@system-service, RestrictAddressFamilies, MemoryDenyWriteExecute, "
          "no capabilities", missing)
for u in ("prepaid-staff.service", "prepaid-pay.service"):
    text = open(f"{TOP}/conf/systemd/{u}", encoding="utf-8").read()
    check("RestrictAddressFamilies=AF_UNIX\n" in text, f"{u}: Unix sockets only, no network")
if shutil.which("systemd-analyze"):
    d = tempfile.mkdtemp(prefix="units.", dir=f"{VAR}/tmp")
    for f in glob.glob(f"{TOP}/conf/systemd/*"):
        with open(f"{d}/{os.path.basename(f)}", "w", encoding="utf-8") as out:
            out.write(open(f, encoding="utf-8").read().replace("/opt/prepaid/build", f"{TOP}/build"))
    p = subprocess.run(["systemd-analyze", "verify", "--man=no"] + sorted(glob.glob(f"{d}/*")),
                       capture_output=True, text=True)
    check(p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(),
          "systemd-analyze verify: every unit and timer, no unknown setting or system call group",
          (p.stdout + p.stderr)[:600])
    shutil.rmtree(d)

# --- 14.2.5 the SBOM ---------------------------------------------------------------------------------------------
f = f"{VAR}/tmp/t79-sbom.json"
rc, out = ctl("sbom", f)
check(rc == 0 and os.path.exists(f), "prepaidctl sbom FILE writes the file", out)
bom = json.load(open(f, encoding="utf-8"))
comps = {c["name"]: c["version"] for c in bom["components"]}
check(bom.get("bomFormat") == "CycloneDX" and len(comps) >= 20, "the SBOM is CycloneDX JSON with the packages",
      len(comps))
for pkg in ("libmariadb3", "libfcgi0ldbl", "libmodbus5", "libssl3", "libxlsxwriter4", "libcurl4", "zlib1g",
            "nginx-light", "mariadb-server"):
    check(pkg in comps and comps[pkg] == dpkg_version(pkg), f"the SBOM names {pkg} at the version dpkg has installed",
          (comps.get(pkg), dpkg_version(pkg)))
wrong = {n: v for n, v in comps.items() if dpkg_version(n) != v}
check(not wrong, "every package of the SBOM at dpkg's version", list(wrong.items())[:3])
want = open(f"{TOP}/VERSION").read().strip() if os.path.exists(f"{TOP}/VERSION") else subprocess.run(
    ["git", "-C", TOP, "describe", "--always", "--dirty", "--tags"], capture_output=True, text=True).stdout.strip()
got = bom["metadata"]["component"]
check(got["name"] == "prepaid" and got["version"] == want, "the SBOM gives the product's own version", (got, want))
purl = [c["purl"] for c in bom["components"] if c["name"] == "libssl3"]
check(purl and purl[0].startswith("pkg:deb/debian/libssl3@") and "distro=debian-12" in purl[0],
      "each package has its purl (pkg:deb/debian/NAME@VERSION)", purl)
b = f"{VAR}/tmp/t79-backup.tar.gz"
rc, out = ctl("backup", b)
names = subprocess.run(["tar", "-tzf", b], capture_output=True, text=True).stdout.split()
inner = subprocess.run(["tar", "-xOzf", b, "sbom.json"], capture_output=True, text=True).stdout
check(rc == 0 and "sbom.json" in names and '"name": "libmariadb3"' in inner, "prepaidctl backup holds the SBOM", names)
os.unlink(b)

# --- 14.2.1 security updates waiting, on the health page --------------------------------------------------------
a = operator(role=1)


def upgradable():
    """The packages apt's lists have a security update for."""
    p = subprocess.run(["apt", "list", "--upgradable"], capture_output=True, text=True)
    return {ln.split("/")[0] for ln in p.stdout.splitlines() if re.match(r"^[^/ ]+/[^ ]*-security ", ln)}


def health_updates():
    r = a.get("/health")
    return r, re.findall(r'<tr class="update err"><td class="pkg">([^<]*)</td><td class="installed">([^<]*)</td>'
                         r'<td class="new">([^<]*)</td>', r.text)


rc, out = ctl("sbom", "--check")
expect = upgradable() & {c["name"] for c in json.load(open(f"{VAR}/sbom.json", encoding="utf-8"))["components"]}
lines = open(f"{VAR}/security-updates").read().splitlines()
found = {ln.split()[0] for ln in lines[1:]}
check(found == expect and rc == (1 if expect else 0),
      "sbom --check lists exactly the product's packages apt has a security update for (exit 1 when any)",
      (rc, sorted(found ^ expect)))
r, rows = health_updates()
check(r.status == 200 and {x[0] for x in rows} == expect and (rows or 'id="updates-none"' in r.text),
      "the health page shows them, with the installed and the new version", rows[:3])
if "libssl3" in expect:
    check(any(x[0] == "libssl3" and x[1] == dpkg_version("libssl3") for x in rows),
          "libssl3's installed version as dpkg has it")
# apt said otherwise: one of ours from the security archive, one not ours, one of ours not a security update
fake = tempfile.mkdtemp(prefix="apt.", dir=f"{VAR}/tmp")
with open(f"{fake}/apt", "w") as fa:
    fa.write("#!/bin/sh\necho Listing...\n"
             "echo 'libmodbus5/stable-security 9.9.9-1 amd64 [upgradable from: 3.1.6-2.1+deb12u1]'\n"
             "echo 'notours/stable-security 1.0 amd64 [upgradable from: 0.9]'\n"
             "echo 'libfcgi0ldbl/stable-updates 9.9 amd64 [upgradable from: 2.4]'\n")
os.chmod(f"{fake}/apt", 0o755)
rc, out = ctl("sbom", "--check", env={"PATH": f"{fake}:" + os.environ["PATH"]})
r, rows = health_updates()
check(rc == 1 and rows == [("libmodbus5", "3.1.6-2.1+deb12u1", "9.9.9-1")],
      "a security update of libmodbus5 is shown; a package not ours and an update not for security are not", (rc, rows))
shutil.rmtree(fake)
with open(f"{VAR}/security-updates", "w") as fw:
    fw.write("<script>alert(1)</script>\n")
r, rows = health_updates()
check('id="updates-bad"' in r.text and "<script>alert(1)" not in r.text, "a garbled check file is said to be bad")
os.unlink(f"{VAR}/security-updates")
r, rows = health_updates()
check('id="updates-never"' in r.text and "prepaidctl sbom --check" in r.text, "no check yet: the page says how to run it")
ctl("sbom", "--check")

# --- 14.2.2 a production install: no demo ---------------------------------------------------------------------------
nd = f"{VAR}/nodemo"
env = {"PREPAID_VAR": nd, "PREPAID_PORT": str(PORT + 2), "PREPAID_PAYSIM_PORT": str(PORT + 3), "PREPAID_NO_DEMO": "1",
       "PREPAID_NO_METERS": ""}
ctl("stop", env=env)
shutil.rmtree(nd, ignore_errors=True)
rc, out = ctl("start", env=env)
check(rc == 0, "PREPAID_NO_DEMO=1: the site starts", out[-500:])


def nd_value(sql):
    return subprocess.run(["mariadb", f"--defaults-file={nd}/my.cnf", "-uroot", "-N", "-B", "prepaid", "-e", sql],
                          capture_output=True, text=True).stdout.strip()


counts = {t: nd_value(f"SELECT COUNT(*) FROM {t}") for t in ("buildings", "rooms", "meters", "gateways", "accounts",
                                                             "student_logins")}
check(all(v == "0" for v in counts.values()), "PREPAID_NO_DEMO=1: no reference site, no demo student", counts)
check(nd_value("SELECT GROUP_CONCAT(login) FROM operators") == "admin", "only the first administrator is made")
check(not os.path.exists(f"{nd}/demo-student-password") and "Demo student" not in out and "演示" not in out,
      "no demo student password, none announced")
st = subprocess.run(["sh", f"{TOP}/conf/prepaidctl", "status"], env=dict(os.environ, **env), capture_output=True,
                    text=True).stdout
check("meter-sim: stopped" in st and "paysim: stopped" in st, "no meter simulator, no payment sandbox", st)
check(Client().get(f"http://127.0.0.1:{PORT + 2}/login").status == 200, "its console answers")
ctl("stop", env=env)
shutil.rmtree(nd, ignore_errors=True)

# --- 8.3.8 retention: prepaid-admin purge -------------------------------------------------------------------------
meter = db_value("SELECT MIN(id) FROM meters")
opid = db_value(f"SELECT id FROM operators WHERE login = '{a.login_name}'")
sfx = uuid.uuid4().hex[:6]
db(f"INSERT INTO sessions (token_hash, operator_id, csrf, created_at, last_seen) VALUES"
   f" (SHA2('t79-old-{sfx}', 256), {opid}, 'x', UTC_TIMESTAMP() - INTERVAL 3 HOUR, UTC_TIMESTAMP() - INTERVAL 2 HOUR)")


def account(holder, no, phone, status, days):
    closed = f"UTC_TIMESTAMP() - INTERVAL {days} DAY" if status == "closed" else "NULL"
    db(f"INSERT INTO accounts (holder, holder_no, phone, status, closed_at, note) VALUES"
       f" ('{holder}', '{no}', '{phone}', '{status}', {closed}, 't79')")
    return db_value("SELECT MAX(id) FROM accounts")


old = account("李<b>旧户</b>''; --", f"S19{sfx}", "13900000791", "closed", 2000)
recent = account("王近户", f"S23{sfx}", "13900000792", "closed", 500)
live = account("赵在读", f"S24{sfx}", "13900000793", "open", 0)
for acct in (old, recent, live):
    db(f"INSERT INTO student_logins (account_id, pw_hash, must_change) VALUES ({acct}, 'scrypt$x', 0)")
    db(f"INSERT INTO student_alerts (account_id) VALUES ({acct})")
db(f"INSERT INTO ledger (account_id, meter_id, kind, amount_fen, channel, idem_key, created_at) VALUES"
   f" ({old}, {meter}, 'adjustment', 0, 'system', 't79-{sfx}', UTC_TIMESTAMP() - INTERVAL 2100 DAY)")
db(f"INSERT INTO student_sessions (token_hash, account_id, csrf, remember, created_at, last_seen) VALUES"
   f" (SHA2('t79-s-old-{sfx}', 256), {live}, 'x', 1, UTC_TIMESTAMP() - INTERVAL 8 DAY, UTC_TIMESTAMP() - INTERVAL 1 HOUR),"
   f" (SHA2('t79-s-new-{sfx}', 256), {live}, 'x', 1, UTC_TIMESTAMP() - INTERVAL 1 DAY, UTC_TIMESTAMP()),"
   f" (SHA2('t79-s-old2-{sfx}', 256), {old}, 'x', 0, UTC_TIMESTAMP(), UTC_TIMESTAMP())")
for t in ("login_failures", "student_login_failures"):
    db(f"INSERT INTO {t} (login, client_addr, at) VALUES ('t79old{sfx}', '192.0.2.79', UTC_TIMESTAMP() - INTERVAL 2 DAY),"
       f" ('t79new{sfx}', '192.0.2.79', UTC_TIMESTAMP())")
db(f"INSERT INTO student_codes (purpose, phone, code_hash, created_at) VALUES"
   f" ('login', '1390079{sfx[:4]}', REPEAT('a', 64), UTC_TIMESTAMP() - INTERVAL 2 DAY),"
   f" ('login', '1390079{sfx[:4]}', REPEAT('b', 64), UTC_TIMESTAMP())")
db(f"INSERT INTO readings (meter_id, read_at, energy) VALUES ({meter}, UTC_TIMESTAMP() - INTERVAL 1461 DAY, 7901),"
   f" ({meter}, UTC_TIMESTAMP() - INTERVAL 730 DAY, 7902)")
db(f"INSERT IGNORE INTO daily_energy (meter_id, day, first_energy, last_energy) VALUES"
   f" ({meter}, UTC_DATE() - INTERVAL 1461 DAY, 7900, 7901)")
db(f"INSERT INTO sms_outbox (phone, body, status, created_at) VALUES"
   f" ('13900000791', 't79 old sent {sfx}', 'sent', UTC_TIMESTAMP() - INTERVAL 730 DAY),"
   f" ('13900000791', 't79 old queued {sfx}', 'queued', UTC_TIMESTAMP() - INTERVAL 730 DAY),"
   f" ('13900000791', 't79 recent {sfx}', 'sent', UTC_TIMESTAMP() - INTERVAL 10 DAY)")


def reconcile():
    env = dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf")
    p = subprocess.run([f"{TOP}/build/prepaid-admin", "reconcile"], env=env, capture_output=True, text=True)
    m = re.search(r"reconcile: (\d+) mismatches", p.stdout)
    return m.group(1) if m else p.stdout + p.stderr


def purge():
    env = dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf")
    p = subprocess.run([f"{TOP}/build/prepaid-admin", "purge"], env=env, capture_output=True, text=True)
    return p.returncode, dict(re.findall(r"^purge: (\w+) (-?\d+)$", p.stdout, re.M))


ledger_sum = db("CHECKSUM TABLE ledger")[0][1]
n_ledger = count("ledger")
rec_before = reconcile()
rc, n = purge()
check(rc == 0 and len(n) == 7, "prepaid-admin purge runs every step", n)
check(count("sessions", f"token_hash = SHA2('t79-old-{sfx}', 256)") == 0, "a staff session idle for 2 hours is deleted")
r = a.get("/settings")
check(r.status == 200 and 'name="retain_readings_days"' in r.text, "a session in use stays (the console still answers)",
      r.status)
check(count("student_sessions", f"token_hash = SHA2('t79-s-old-{sfx}', 256)") == 0
      and count("student_sessions", f"token_hash = SHA2('t79-s-new-{sfx}', 256)") == 1,
      "a student's session past its 7 days is deleted, a day-old remembered one stays")
for t in ("login_failures", "student_login_failures"):
    check(count(t, f"login = 't79old{sfx}'") == 0 and count(t, f"login = 't79new{sfx}'") == 1,
          f"{t}: two days old deleted, a fresh one kept (the lockout still counts it)")
check(count("student_codes", f"phone = '1390079{sfx[:4]}'") == 1
      and count("student_codes", f"phone = '1390079{sfx[:4]}' AND code_hash = REPEAT('b', 64)") == 1,
      "SMS codes of two days ago deleted, the new one kept")
check(count("readings", f"meter_id = {meter} AND energy = 7901") == 0
      and count("readings", f"meter_id = {meter} AND energy = 7902") == 1,
      "a reading of 4 years ago is deleted (retention 3 years), one of 2 years ago kept")
check(count("daily_energy", f"meter_id = {meter} AND day = UTC_DATE() - INTERVAL 1461 DAY") == 1,
      "the day total of 4 years ago is kept")
check(count("sms_outbox", f"body = 't79 old sent {sfx}'") == 0 and count("sms_outbox", f"body = 't79 old queued {sfx}'") == 1
      and count("sms_outbox", f"body = 't79 recent {sfx}'") == 1,
      "an SMS sent 2 years ago is deleted; one still queued and a recent one are kept")
row = db(f"SELECT holder, holder_no, phone, anonymised_at IS NOT NULL, status FROM accounts WHERE id = {old}")[0]
check(row == ["已匿名", "", "", "1", "closed"], "an account closed 2000 days ago: name, number and phone anonymised", row)
check(count("student_logins", f"account_id = {old}") == 0 and count("student_alerts", f"account_id = {old}") == 0
      and count("student_sessions", f"account_id = {old}") == 0, "its sign-in, alert settings and sessions are deleted")
check(count("ledger", f"account_id = {old}") == 1 and count("ledger") == n_ledger
      and db("CHECKSUM TABLE ledger")[0][1] == ledger_sum, "the ledger is untouched: the closed account's entry stays")
check(reconcile() == rec_before, "the reconciliation gives what it gave before the purge", (rec_before, reconcile()))
check(db(f"SELECT holder, phone FROM accounts WHERE id = {recent}")[0] == ["王近户", "13900000792"]
      and db(f"SELECT holder, phone FROM accounts WHERE id = {live}")[0] == ["赵在读", "13900000793"],
      "an account closed 500 days ago and an open one keep their holder and phone")
log = db_value("SELECT after_val FROM oplog WHERE action = 'data.purge' ORDER BY id DESC LIMIT 1") or ""
check('"accounts":"' in log and '"readings":"' in log, "the purge is in the operation log with its counts", log)
rc, n = purge()
check(rc == 0 and n.get("accounts") == "0" and n.get("readings") == "0" and n.get("sessions") == "0",
      "a second purge finds nothing more", n)
staff_pw = open(f"{VAR}/staff.password").read().strip()
p = subprocess.run(["mariadb", f"--socket={VAR}/run/mysqld.sock", "-uprepaid_staff", f"-p{staff_pw}", "prepaid", "-e",
                    "DELETE FROM readings WHERE meter_id = -1"], capture_output=True, text=True)
check(p.returncode != 0 and "denied" in p.stderr, "the console's database account cannot delete readings itself",
      p.stderr)
db(f"INSERT INTO readings (meter_id, read_at, energy) VALUES ({meter}, UTC_TIMESTAMP() - INTERVAL 300 DAY, 7903)")
db("UPDATE settings SET value = '1' WHERE name = 'retain_readings_days'")
purge()
check(count("readings", f"meter_id = {meter} AND energy = 7903") == 1,
      "a retention of 1 day set behind the page's back: a reading of 300 days ago stays (the floor is 400)")
db("UPDATE settings SET value = '1095' WHERE name = 'retain_readings_days'")


# the retentions on the settings page
def value(r, name):
    m = re.search(r'<input id="f-%s" name="%s" type="[a-z]+" value="([^"]*)"' % (name, name), r.text)
    return m.group(1) if m else None


r = a.get("/settings")
check([value(r, k) for k in ("retain_readings_days", "retain_closed_days", "retain_sms_days")] == ["1095", "1825", "365"],
      "the settings page shows the retentions: 1095, 1825, 365 days")
for field, bad, what in [("retain_readings_days", "10", "under the 400-day floor"),
                         ("retain_closed_days", "", "empty"),
                         ("retain_sms_days", "<script>x</script>", "HTML"),
                         ("retain_closed_days", "1825; DROP TABLE accounts", "SQL"),
                         ("retain_readings_days", "9" * 30, "too long")]:
    a.get("/settings")
    r = a.post("/settings", {field: bad})
    err = r.field_error(field) or ""
    check(r.status == 200 and re.search(r"[\u4e00-\u9fff]", err) and value(r, field) == bad.replace("<", "&lt;")
          .replace(">", "&gt;") and "<script>x" not in r.text
          and db_value(f"SELECT value FROM settings WHERE name = '{field}'") in ("1095", "1825", "365"),
          f"{field} {what}: refused in Chinese next to the field, what was typed kept", (r.status, err, value(r, field)))
a.get("/settings")
r = a.post("/settings", {"retain_closed_days": "400"})
check(r.status == 303 and db_value("SELECT value FROM settings WHERE name = 'retain_closed_days'") == "400",
      "a retention of 400 days for closed accounts is saved", r.status)
check("retain_closed_days" in (db_value("SELECT after_val FROM oplog WHERE action = 'settings.edit' ORDER BY id DESC"
                                        " LIMIT 1") or ""), "the change is in the operation log")
rc, n = purge()
check(db(f"SELECT holder, phone FROM accounts WHERE id = {recent}")[0] == ["已匿名", ""] and n.get("accounts") == "1",
      "then the account closed 500 days ago is anonymised by the next purge", n)
a.get("/settings")
a.post("/settings", {"retain_closed_days": "1825"})

# --- 2.10.1 rotation of the database passwords ----------------------------------------------------------------------
ACCTS = ("staff", "collector", "mobile", "pay")
before = {x: open(f"{VAR}/{x}.password").read().strip() for x in ACCTS}
rc, out = ctl("rotate-db-passwords")
after = {x: open(f"{VAR}/{x}.password").read().strip() for x in ACCTS}
check(rc == 0 and all(before[x] != after[x] and len(after[x]) == 32 for x in ACCTS),
      "rotate-db-passwords: each program's account has a new random password", out[-400:])


def sign_in_db(acct, pw):
    return subprocess.run(["mariadb", f"--socket={VAR}/run/mysqld.sock", f"-uprepaid_{acct}", f"-p{pw}", "-N", "-e",
                           "SELECT 1"], capture_output=True, text=True)


for x in ACCTS:
    o, nw = sign_in_db(x, before[x]), sign_in_db(x, after[x])
    check(o.returncode != 0 and "denied" in o.stderr and nw.returncode == 0,
          f"prepaid_{x}: the old password is refused, the new one taken", (o.stderr, nw.stderr))
confs = "".join(open(f, encoding="utf-8").read() for f in glob.glob(f"{VAR}/*.conf"))
check(all(before[x] not in confs for x in ACCTS) and f"staff_password = {after['staff']}" in confs
      and f"mobile_password = {after['mobile']}" in confs and f"pay_password = {after['pay']}" in confs,
      "the configuration files hold the new passwords and none of the old")
check(all(os.stat(f"{VAR}/{x}.password").st_mode & 0o077 == 0 for x in ACCTS), "the password files stay mode 0600")
b2 = operator(role=1)
r = b2.get("/settings")
check(r.status == 200 and value(r, "retain_closed_days") == "1825",
      "the console works after the restart (prepaid-admin made an operator, who signed in and read the settings)")
c = Client()
c.get("/m/login")
B1 = db_value("SELECT MIN(id) FROM buildings")
r = c.post("/m/login", {"building": B1, "room": "101", "password": "wrong-t79"})
check(r.status == 200 and "不正确" in r.text, "the student site works after the restart (a wrong password is told)",
      r.status)
n_notices = count("pay_notices")
r = Client().request("POST", BASE + "/m/pay/alipay/notify", b"out_trade_no=t79&sign_type=RSA2&sign=AAAA",
                     {"Content-Type": "application/x-www-form-urlencoded"})
check(r.text == "fail" and count("pay_notices") == n_notices + 1,
      "pay.fcgi works after the restart: a forged notice is stored and refused", (r.status, r.text[:80]))
done()
