"""t9k_pay_kill.py - M3 exactly once across a crash: for Alipay and WeChat Pay, the pay.fcgi worker killed -9 while its notice waits for a row its credit needs (the account's row, then the credit's idempotency key after its token command was written), with real parts and no hook in the product: nothing credited, no success for the gateway, the worker started again; the next notice credits once (one entry, one token, the student's money up to the fen) and a third answers success with nothing more."""
import json
import re
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

from paylib import PAYSIM, http, sandbox  # noqa: E402,F401
from paylib import student as _student  # noqa: E402

sim = sandbox("paysim-t9k.log", wechat=True)
rooms = [x[0] for x in db("SELECT r.id FROM rooms r JOIN meters m ON m.room_id = r.id AND m.profile = 'ddsy1352nk'"
                          " WHERE NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                          " AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.room_id = r.id)"
                          " ORDER BY r.building_id DESC, r.number DESC LIMIT 3")]
assert len(rooms) == 3, rooms
A, accA, meterA = _student(rooms[0], "崩溃甲", "K")
W, accW, meterW = _student(rooms[1], "崩溃乙", "K")
_, accS, meterS = _student(rooms[2], "备用丙", "K")   # the row the test's own entry names
for m in (meterA, meterW, meterS):
    meter_read(m, 1000, 0)
db("UPDATE settings SET value = '100000' WHERE name = 'hoard_cap_fen'")


class Holder:
    """A connection of the test's own, as root, holding locks in an open transaction."""

    def __init__(self):
        self.p = subprocess.Popen(["mariadb", f"--defaults-file={VAR}/my.cnf", "-uroot", "-N", "-B", "--unbuffered",
                                   "prepaid"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def run(self, sql):
        self.p.stdin.write(sql + "\nSELECT 'held';\n")
        self.p.stdin.flush()
        out = []
        for line in self.p.stdout:
            if line.strip() == "held":
                return out
            out.append(line.strip())
        raise RuntimeError("the holding connection ended")

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)


def workers():
    sup = open(f"{VAR}/run/pay.pid").read().strip()
    return [int(x) for x in subprocess.run(["pgrep", "-P", sup], capture_output=True, text=True).stdout.split()]


def busy_worker():
    """The pay.fcgi worker not waiting in accept(2) for a request: the one whose notice waits for the lock."""
    out = []
    for p in workers():
        try:
            if open(f"/proc/{p}/syscall").read().split()[0] not in ("43", "288"):
                out.append(p)
        except OSError:
            pass
    return out


def waiting():
    return int(db_value("SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'"))


def until(cond, secs=15):
    end = time.time() + secs
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    return cond()


def money(c):
    r = c.get("/m/")
    m = re.search(r'id="money">¥([^<]*)<', r.text)
    return m.group(1) if m else (r.status, r.text[:200])


def yuan(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def order(c, ch, custom):
    c.get("/m/pay")
    r = c.post("/m/pay", {"channel": ch, "custom": custom})
    m = re.search(r'id="go-no">([0-9a-f]{32})<', r.text)
    go = re.search(r'id="go" href="([^"]+)"', r.text)
    assert m and go, (r.status, r.text[:300])
    if ch == "alipay":  # the payer at the gateway: the sandbox knows the order from its signed redirect
        http(go.group(1).replace("&amp;", "&"))
    return m.group(1)


def alipay_send(no):
    body = http(f"{PAYSIM}/ctl/body?no={no}&status=TRADE_SUCCESS")[1]
    return http(BASE + "/m/pay/alipay/notify", body.encode(),
                {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, "POST")


def wechat_send(no):
    js = json.loads(http(f"{PAYSIM}/ctl/wx/body?" + urllib.parse.urlencode({"no": no}))[1])
    return http(BASE + "/m/pay/wechat/notify", js["body"].encode(),
                dict(js["headers"], **{"Content-Type": "application/json"}), "POST")


def taken(ch, res):
    """The gateway was told the notice is taken: Alipay's text success, WeChat Pay's 204."""
    return res == (200, "success") if ch == "alipay" else res[0] == 204


def credits(meter):
    return count("commands", f"meter_id = {meter} AND kind = 'credit'")


def one_channel(ch, c, acc, meter, custom, send):
    fen = int(round(float(custom) * 100))
    no = order(c, ch, custom)
    idem = f"{ch}:{no}"
    before = money(c)
    check(before == "10.00", f"{ch}: the student's money before: 10.00", before)
    # the lock the credit needs: the account's row (its first step), then the
    # entry's idempotency key (its last, after its token command was written)
    points = [("the account's row", f"BEGIN; SELECT id FROM accounts WHERE id = {acc} FOR UPDATE;"),
              ("the entry's key", "BEGIN; INSERT INTO ledger (account_id, meter_id, kind, amount_fen, idem_key)"
               f" VALUES ({accS}, {meterS}, 'adjustment', 0, '{idem}');")]
    for what, sql in points:
        h = Holder()
        h.run(sql)
        n0 = count("pay_notices", f"channel = '{ch}'")
        pids = workers()
        res = {}
        t = threading.Thread(target=lambda: res.update(r=send(no)))
        t.start()
        victim = until(lambda: waiting() >= 1 and busy_worker())
        stored = count("pay_notices", f"channel = '{ch}'") == n0 + 1
        check(victim and len(victim) == 1 and stored,
              f"{ch}, {what} held: the notice is stored and its worker waits for the lock", (victim, stored))
        if victim:
            os.kill(victim[0], signal.SIGKILL)
        t.join(60)
        h.run("ROLLBACK;")
        h.close()
        back = until(lambda: len(workers()) == len(pids) and victim and victim[0] not in workers())
        check(back, f"{ch}, {what}: the supervisor starts a new worker", (pids, workers()))
        # the killed connection's transaction is rolled back by the server
        until(lambda: waiting() == 0 and count("information_schema.innodb_trx",
                                               "trx_mysql_thread_id IN (SELECT id FROM information_schema.processlist"
                                               " WHERE user = 'prepaid_pay')") == 0, 10)
        time.sleep(0.5)
        r = res.get("r", (0, ""))
        check(not taken(ch, r), f"{ch}, {what}: the gateway got no success (it sends the notice again)", r)
        check(count("ledger", f"idem_key = '{idem}'") == 0 and credits(meter) == 0
              and db_value(f"SELECT CONCAT(state, ':', COALESCE(ledger_id, 0)) FROM pay_orders"
                           f" WHERE out_trade_no = '{no}'") in ("created:0", "paid:0"),
              f"{ch}, {what}: nothing credited: no entry, no token command, the order not credited",
              (count("ledger", f"idem_key = '{idem}'"), credits(meter),
               db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{no}'")))
        check(money(c) == before, f"{ch}, {what}: the student's money unchanged", money(c))
    # the gateway sends it again: credited once
    r = send(no)
    check(taken(ch, r), f"{ch}: the next notice is taken", r)
    rows = db(f"SELECT kind, amount_fen, command_id FROM ledger WHERE idem_key = '{idem}'")
    check(len(rows) == 1 and rows[0][:2] == ["online", str(fen)], f"{ch}: one entry of {fen} fen", rows)
    check(credits(meter) == 1 and rows and count("commands", f"id = {rows[0][2]} AND kind = 'credit'"
                                                 f" AND amount_fen = {fen} AND meter_id = {meter}") == 1,
          f"{ch}: one token command of {fen} fen for the meter", credits(meter))
    check(db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{no}'") == "credited",
          f"{ch}: the order is credited")
    after = money(c)
    check(after == yuan(1000 + fen), f"{ch}: the student's money up by {yuan(fen)} to the fen", after)
    # and once more: success, nothing more
    r = send(no)
    check(taken(ch, r) and count("ledger", f"idem_key = '{idem}'") == 1 and credits(meter) == 1
          and money(c) == after, f"{ch}: a third notice is taken with nothing more", r)
    outs = [x[0] for x in db(f"SELECT outcome FROM pay_notices WHERE channel = '{ch}'"
                              f" AND (out_trade_no = '{no}' OR outcome = 'pending') ORDER BY id")]
    check(outs == ["pending", "pending", "credited", "duplicate"],
          f"{ch}: four notices stored: the two cut short still pending, credited, duplicate", outs)


one_channel("alipay", A, accA, meterA, "12.34", alipay_send)
one_channel("wechat", W, accW, meterW, "23.45", wechat_send)
check(count("ledger", f"account_id = {accS}") == 0, "the test's own held entries left nothing behind")
done()
