"""t71_restore.py - make backup and make restore: a site backed up (database, token key, a note of what to keep offline) restores into an empty instance that starts, signs its operator in, sells, and reconciles clean."""
import os
import re
import shutil
import stat
import subprocess
import tarfile

import lib
from lib import check, done

TOP = lib.TOP
PORT = int(os.environ.get("PREPAID_PORT", "18080"))
A_VAR, B_VAR = os.path.join(lib.VAR, "bk-a"), os.path.join(lib.VAR, "bk-b")
A_PORT, B_PORT = PORT + 30, PORT + 31
FILE = os.path.join(lib.VAR, "tmp", "site-backup.tar.gz")


def ctl(var, port, *args):
    env = dict(os.environ, PREPAID_VAR=var, PREPAID_PORT=str(port), PREPAID_NO_METERS="1", PREPAID_WORKERS="1")
    return subprocess.run(["sh", os.path.join(TOP, "conf", "prepaidctl"), *args], env=env,
                          capture_output=True, text=True)


def use(var, port):
    """Points lib's client, database and admin calls at the instance in VAR."""
    lib.VAR, lib.BASE = var, f"http://127.0.0.1:{port}"


def sell(c, account, meter, amount):
    r = c.get(f"/sell?account={account}")
    f = {"account": account, "meter": meter, "amount": amount, "idem": lib.idem_of(r), "confirm": "1"}
    r = c.post("/sell", f)
    m = re.search(r"/sale\?id=(\d+)", r.location or "")
    return m.group(1) if m else None


def reconcile():
    env = dict(os.environ, PREPAID_CONF=f"{lib.VAR}/prepaid.conf")
    r = subprocess.run([f"{TOP}/build/prepaid-admin", "reconcile"], env=env, capture_output=True, text=True)
    return r.returncode, r.stdout.strip()


def checksums():
    tables = [t[0] for t in lib.db("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")]
    return {t: lib.db(f"CHECKSUM TABLE `{t}`")[0][1] for t in tables}


for v, p in ((A_VAR, A_PORT), (B_VAR, B_PORT)):
    ctl(v, p, "stop")
    shutil.rmtree(v, ignore_errors=True)
try:
    # --- a site of its own: an operator, an account, a sale the meter confirmed
    r = ctl(A_VAR, A_PORT, "start")
    check(r.returncode == 0, "a new site starts", r.stderr[-300:])
    use(A_VAR, A_PORT)
    op = lib.operator(role=1)
    login = op.login_name
    room = lib.db_value("SELECT r.id FROM rooms r JOIN meters m ON m.room_id = r.id ORDER BY r.id LIMIT 1")
    number, building = lib.db("SELECT number, building_id FROM rooms WHERE id = %s" % room)[0]
    for (mid,) in lib.db(f"SELECT id FROM meters WHERE room_id = {room}"):
        lib.meter_read(mid, 0, 0)  # read, empty: nothing found on it to decide
    r = op.get("/account/open")
    r = op.post("/account/open", {"holder": "备份<测试>", "holder_no": "BK1", "building_id": building, "room": number,
                                  "idem": lib.idem_of(r)})
    m = re.search(r"id=(\d+)", r.location or "")
    assert m, (r.status, re.findall(r"class=\"(?:err|field-error)[^>]*>([^<]+)", r.text), r.text[-1500:])
    acc = m.group(1)
    meter = lib.db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {acc} AND active = 1 LIMIT 1")
    s1 = sell(op, acc, meter, "12.34")
    check(s1 is not None, "a sale of 12.34 is written")
    lib.meter_read(meter, 1234, 1)
    rc, out = reconcile()
    check(rc == 0, "the site reconciles clean before the backup", out)
    before = checksums()

    # --- the backup: one file, private, with the dump, the token key and the note
    r = ctl(A_VAR, A_PORT, "backup", FILE)
    check(r.returncode == 0 and os.path.exists(FILE), "make backup writes one file", r.stdout + r.stderr)
    check(stat.S_IMODE(os.stat(FILE).st_mode) == 0o600, "the backup file is readable by its owner only",
          oct(os.stat(FILE).st_mode))
    with tarfile.open(FILE) as t:
        names = t.getnames()
        key = t.extractfile("secrets/vending.key").read()
        note = t.extractfile("KEEP-OFFLINE.txt").read().decode()
        dump = t.extractfile("prepaid.sql").read().decode()
    check({"prepaid.sql", "secrets/vending.key", "KEEP-OFFLINE.txt"} <= set(names), "it holds the dump, the key and the note",
          names)
    check(key == open(os.path.join(A_VAR, "vending.key"), "rb").read(), "the token key in it is the site's")
    check("offline" in note and "vending.key" in note, "the note says what to keep offline")
    check("CREATE TABLE `ledger`" in dump and "备份<测试>" in dump, "the dump has the ledger and the account")
    stamp = open(os.path.join(A_VAR, "last-backup")).read().split()
    check(stamp[2] == FILE and int(stamp[1]) == os.path.getsize(FILE), "var/last-backup names it for the health page",
          stamp)
    rc = ctl(A_VAR, A_PORT, "restore", FILE)
    check(rc.returncode != 0 and "empty" in rc.stdout + rc.stderr, "a restore over a site with a database is refused",
          rc.stdout[-200:])
    ctl(A_VAR, A_PORT, "stop")

    # --- a restore into an instance whose token key differs is refused
    os.makedirs(B_VAR)
    with open(os.path.join(B_VAR, "vending.key"), "w") as f:
        f.write("00" * 32 + "\n")
    rc = ctl(B_VAR, B_PORT, "restore", FILE)
    check(rc.returncode != 0 and "vending.key" in rc.stdout + rc.stderr, "a restore beside another token key is refused",
          rc.stdout[-300:])
    check(not os.path.exists(os.path.join(B_VAR, "db")), "and touched nothing")
    shutil.rmtree(B_VAR)

    # --- restore into an empty instance: it starts, the data and the key are back
    rc = ctl(B_VAR, B_PORT, "restore", FILE)
    check(rc.returncode == 0 and "staff console" in rc.stdout, "make restore brings the site up in an empty instance",
          (rc.stdout + rc.stderr)[-400:])
    use(B_VAR, B_PORT)
    check(open(os.path.join(B_VAR, "vending.key"), "rb").read() == key, "the token key is restored")
    check(checksums() == before, "every table has the same rows as when it was backed up")
    c = lib.Client()
    r = c.login(login, lib.NEW_PASSWORD)
    check(r.status == 303 and "/login" not in (r.location or ""), "the operator signs in with the same password",
          r.location)
    r = c.get(f"/account?id={acc}")
    check(r.status == 200 and "备份&lt;测试&gt;" in r.text, "the account is there, escaped as before")
    s2 = sell(c, acc, meter, "0.66")
    check(s2 is not None and int(s2) > int(s1), "a sale on the restored site is written", s2)
    n = lib.db_value(f"SELECT purchase_count FROM commands WHERE id = (SELECT command_id FROM ledger WHERE id = {s2})")
    check(n == "2", "its token carries the next purchase count (2)", n)
    lib.meter_read(meter, 1300, 2)
    rc, out = reconcile()
    check(rc == 0, "the restored site reconciles clean after the sale", out)
    r = ctl(B_VAR, B_PORT, "restore", "/nonexistent.tar.gz")
    check(r.returncode != 0, "a restore of a missing file is refused")
finally:
    for v, p in ((A_VAR, A_PORT), (B_VAR, B_PORT)):
        ctl(v, p, "stop")
        shutil.rmtree(v, ignore_errors=True)
    if os.path.exists(FILE):
        os.unlink(FILE)
done()
