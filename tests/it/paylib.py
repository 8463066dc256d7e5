"""paylib.py - what the online payment tests share: the payment sandbox (tests/paysim) on its own port with the instance's keys, plain HTTP to it, and a student signed in to an account of their own."""
import atexit
import hashlib
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request

from lib import TOP, VAR, Client, db, db_value

PAYSIM_PORT = int(os.environ.get("PAYSIM_PORT", "18093"))
PAYSIM = f"http://127.0.0.1:{PAYSIM_PORT}"


def conf(path):
    """A configuration file's keys and values."""
    out = {}
    for line in open(path, encoding="utf-8"):
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


PAYCONF = conf(f"{VAR}/pay.conf")


def http(url, data=None, headers=None, method=None):
    """(status, text) of a request, an HTTP error's too."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def sandbox(log, wechat=False):
    """Starts the sandbox (Alipay; WeChat Pay too when WECHAT), logging to tests/out/LOG, until it answers."""
    ali = conf(f"{VAR}/prepaid.conf")
    args = [sys.executable, f"{TOP}/tests/paysim/paysim.py", "--port", str(PAYSIM_PORT),
            "--key", f"{VAR}/pay/alipay-sandbox.key", "--app-pub", f"{VAR}/pay/app.pub",
            "--app-id", ali["alipay_app_id"], "--seller-id", ali["alipay_seller_id"]]
    if wechat:
        args += ["--wx-key", f"{VAR}/pay/wechat-platform.key", "--wx-merchant-pub", f"{VAR}/pay/wechat-merchant.pub",
                 "--wx-apiv3-key", f"{VAR}/pay/wechat-apiv3.key", "--wx-appid", PAYCONF["wechat_appid"],
                 "--wx-mchid", PAYCONF["wechat_mchid"]]
    sim = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(f"{TOP}/tests/out/{log}", "w"))
    atexit.register(sim.terminate)
    for _ in range(100):
        try:
            http(PAYSIM + "/")
            break
        except OSError:
            time.sleep(0.1)
    return sim


def student(room_id, holder, tag="P"):
    """An open account in ROOM_ID holding its meter, and a student signed in to it: (client, account, meter)."""
    db(f"INSERT INTO accounts (holder, holder_no, room_id) VALUES ('{holder}', '{tag}{secrets.token_hex(3)}', {room_id})")
    acc = db_value(f"SELECT MAX(id) FROM accounts WHERE room_id = {room_id}")
    db(f"INSERT INTO account_meters (account_id, meter_id, active, open_meter_id) SELECT {acc}, id, 1, id"
       f" FROM meters WHERE room_id = {room_id} AND profile = 'ddsy1352nk'")
    meter = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {acc}")
    pw = tag + "ay" + secrets.token_hex(5) + "x1"
    salt = secrets.token_bytes(16)
    h = hashlib.scrypt(pw.encode(), salt=salt, n=16384, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
    db(f"INSERT INTO student_logins (account_id, pw_hash, must_change, privacy_agreed_at) VALUES"
       f" ({acc}, 'scrypt$16384$8$1${salt.hex()}${h.hex()}', 0, UTC_TIMESTAMP())")
    building, number = db("SELECT building_id, number FROM rooms WHERE id = %s" % room_id)[0]
    c = Client()
    c.get("/m/login")
    r = c.post("/m/login", {"building": building, "room": number, "password": pw})
    assert r.status == 303 and r.location.endswith("/m/"), (r.status, r.location, r.text[:300])
    c.get("/m/")
    return c, acc, meter
