"""payments.py - the fault campaign's online top-up: the payment sandbox behind a port that can be closed, students paying orders (notices sent and repeated, some lost), payments-sync in a loop, and the payment invariants against the sandbox's own record of what was paid."""
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import lib  # noqa: E402  (tests/it, put on the path by the caller)


def conf(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def fetch(url, data=None, headers=None, method=None, timeout=30):
    """(status, text); an HTTP error's too; (0, reason) when there is no answer."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as e:
        return 0, str(e)


class Proxy:
    """The gateway's address as the site knows it: a TCP relay to the sandbox that can be closed (connections
    refused, those open cut) and opened again, while the sandbox keeps its orders."""

    def __init__(self, port, to):
        self.port, self.to = port, to
        self.ls, self.conns, self.lock = None, set(), threading.Lock()

    def open(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self.ls = s
        threading.Thread(target=self.accept, args=(s,), daemon=True).start()

    def close(self):
        s, self.ls = self.ls, None
        if s:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        with self.lock:
            for c in list(self.conns):
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def accept(self, s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            threading.Thread(target=self.relay, args=(c,), daemon=True).start()

    def relay(self, c):
        try:
            b = socket.create_connection(("127.0.0.1", self.to), timeout=10)
        except OSError:
            c.close()
            return
        with self.lock:
            self.conns.update((c, b))

        def one(a, z):
            try:
                while True:
                    d = a.recv(65536)
                    if not d:
                        break
                    z.sendall(d)
            except OSError:
                pass
            for x in (a, z):
                try:
                    x.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        t = threading.Thread(target=one, args=(b, c), daemon=True)
        t.start()
        one(c, b)
        t.join(30)
        with self.lock:
            self.conns.discard(c)
            self.conns.discard(b)
        c.close()
        b.close()


class Payments:
    """The sandbox (its own port SIM_PORT) behind the proxy on GW_PORT (the instance's gateway address), a payer
    thread and the payments-sync loop."""

    def __init__(self, var, top, gw_port, sim_port, kids, log_dir, rng):
        self.var, self.top, self.gw_port, self.sim_port = var, top, gw_port, sim_port
        self.kids, self.log_dir, self.rng = kids, log_dir, random.Random(rng.random())
        self.sim_url = f"http://127.0.0.1:{sim_port}"
        self.stop_ev = threading.Event()
        self.sync = None            # the payments-sync run under way
        self.runs = []              # (started, ended, returncode) of every payments-sync run
        self.stats = {"orders": 0, "paid": 0, "lost": 0, "repeated": 0, "refused": 0}
        self.proxy = Proxy(gw_port, sim_port)
        self.threads = []
        self.mu = threading.Lock()

    def start(self):
        ali, pc = conf(f"{self.var}/prepaid.conf"), conf(f"{self.var}/pay.conf")
        v = self.var
        args = [sys.executable, f"{self.top}/tests/paysim/paysim.py", "--port", str(self.sim_port),
                "--key", f"{v}/pay/alipay-sandbox.key", "--app-pub", f"{v}/pay/app.pub",
                "--app-id", ali["alipay_app_id"], "--seller-id", ali["alipay_seller_id"],
                "--wx-key", f"{v}/pay/wechat-platform.key", "--wx-merchant-pub", f"{v}/pay/wechat-merchant.pub",
                "--wx-apiv3-key", f"{v}/pay/wechat-apiv3.key", "--wx-appid", pc["wechat_appid"],
                "--wx-mchid", pc["wechat_mchid"]]
        self.sim = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                    stderr=open(os.path.join(self.log_dir, "paysim.log"), "w"))
        for _ in range(100):
            if fetch(self.sim_url + "/")[0]:
                break
            time.sleep(0.1)
        self.proxy.open()
        # the job's configuration: the instance's, orders asked 3 s after they were made
        self.sync_conf = f"{v}/sync.conf"
        with open(f"{v}/prepaid.conf") as f, open(self.sync_conf, "w") as g:
            os.fchmod(g.fileno(), 0o600)
            g.write(f.read() + "\npay_sync_after_s = 3\npay_expire_s = 3600\n")
        for fn in (self.payer, self.sync_loop):
            t = threading.Thread(target=fn, daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(90)
        self.proxy.close()
        if getattr(self, "sim", None):
            self.sim.terminate()
            self.sim.wait(10)

    # --- payments-sync every second, as its timer would run it (every minute in make run)
    def sync_once(self, cfg=None):
        env = dict(os.environ, PREPAID_CONF=cfg or self.sync_conf)
        t0 = time.time()
        p = subprocess.Popen([f"{self.top}/build/prepaid-admin", "payments-sync"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with self.mu:
            self.sync = p
        out = p.communicate()[0]
        with self.mu:
            self.sync = None
            self.runs.append((t0, time.time(), p.returncode))
        self.log("payments-sync.log", f"rc {p.returncode}: {out}")
        return p.returncode

    def log(self, name, text):
        try:
            with open(os.path.join(self.log_dir, name), "a") as f:
                f.write(f"{time.strftime('%H:%M:%S')} {text}\n")
        except OSError:
            pass

    def sync_loop(self):
        while not self.stop_ev.is_set():
            try:
                self.sync_once()
            except Exception as e:  # e.g. no process left to start: the loop goes on, as its timer would
                self.log("payments-sync.log", f"not started: {e}")
            self.stop_ev.wait(1)

    def running_sync(self, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            with self.mu:
                if self.sync and self.sync.poll() is None:
                    return self.sync
            time.sleep(0.02)
        return None

    # --- students paying
    def ctl(self, ch, what, **q):
        st, body = fetch(f"{self.sim_url}/ctl/{'wx/' if ch == 'wechat' else ''}{what}?" + urllib.parse.urlencode(q),
                        timeout=60)
        try:
            return json.loads(body) if st == 200 else None
        except ValueError:
            return None

    def order(self, kid, ch, fen):
        """A new order of the student KID, the payer at the gateway; its number, or None."""
        try:
            kid.get("/m/pay")
            r = kid.post("/m/pay", {"channel": ch, "custom": "%d.%02d" % (fen // 100, fen % 100)})
        except (OSError, http.client.HTTPException):
            return None
        m = re.search(r'id="go-no">([0-9a-f]{32})<', r.text or "")
        go = re.search(r'id="go" href="([^"]+)"', r.text or "")
        if not m or not go:
            self.stats["refused"] += 1
            return None
        self.stats["orders"] += 1
        if ch == "alipay" and fetch(go.group(1).replace("&amp;", "&"))[0] != 200:
            return None  # the gateway's page did not open: never paid
        return m.group(1)

    def pay(self, ch, no, lost=False):
        """The payer pays; its notice sent (and sent again, twice at once) or LOST."""
        if lost:
            r = self.ctl(ch, "pay", no=no, silent=1)
            self.stats["lost"] += r is not None
            return r is not None
        r = self.ctl(ch, "pay", no=no)
        if r is None:
            return False
        self.stats["paid"] += 1
        if self.rng.random() < 0.7:
            q = {"no": no, "times": 2, "parallel": 1}
            if ch == "alipay":
                q["status"] = "TRADE_SUCCESS"
            self.stats["repeated"] += self.ctl(ch, "notice", **q) is not None
        return True

    def payer(self):
        kids = self.kids[2:] or self.kids   # the first is the recovery probe's, the second the faults'
        while not self.stop_ev.is_set():
            kid = self.rng.choice(kids)
            ch = self.rng.choice(("alipay", "wechat"))
            try:
                no = self.order(kid, ch, self.rng.randint(100, 300))
                if no:
                    self.pay(ch, no, lost=self.rng.random() < 0.25)
            except Exception as e:  # a page cut short by a fault: the next student pays
                self.log("payer.log", f"{ch}: {e}")
            self.stop_ev.wait(self.rng.uniform(0.5, 2.0))

    # --- the gateway's record: every order it has, and whether paid
    def gateway_orders(self):
        out = {}
        for ch in ("alipay", "wechat"):
            got = self.ctl(ch, "orders") or {}
            for no, o in got.items():
                st = o.get("status") or o.get("state")
                out[(ch, no)] = st in ("TRADE_SUCCESS", "TRADE_FINISHED", "SUCCESS")
        return out


def check_payments(pay, strict):
    """Every order credited has exactly one entry (its key channel:number), pointed at by the order, of its
    amount; no entry for an order not credited (but for a moment between the entry and the order's mark); every
    online entry one order; STRICT (at rest, after a last payments-sync): none left paid but not credited, every
    order the gateway has as paid credited (or set for refund), none credited the gateway does not have paid."""
    bad = []
    rows = lib.db("SELECT o.channel, o.out_trade_no, o.state, COALESCE(o.ledger_id, 0), o.amount_fen,"
                  " (SELECT COUNT(*) FROM ledger l WHERE l.idem_key = CONCAT(o.channel, ':', o.out_trade_no)),"
                  " (SELECT COALESCE(MAX(l.id), 0) FROM ledger l WHERE l.idem_key = CONCAT(o.channel, ':', o.out_trade_no)),"
                  " (SELECT COALESCE(MAX(l.amount_fen), 0) FROM ledger l"
                  "   WHERE l.idem_key = CONCAT(o.channel, ':', o.out_trade_no))"
                  " FROM pay_orders o")
    ours = {}
    for ch, no, st, lid, fen, n, eid, efen in rows:
        ours[(ch, no)] = st
        n, lid, eid = int(n), int(lid), int(eid)
        if n > 1:
            bad.append(f"order {ch}:{no} credited {n} times")
        if st == "credited" and not (n == 1 and lid == eid and efen == fen):
            bad.append(f"order {ch}:{no} credited with {n} entries (order's entry {lid}, amount {fen}, entry's {efen})")
        if st in ("created", "closed", "needs_refund") and n:
            bad.append(f"order {ch}:{no} {st} but has an entry")
        if st == "paid" and strict:
            bad.append(f"order {ch}:{no} paid but not credited at rest ({n} entries)")
    orphans = lib.db("SELECT l.id, l.idem_key FROM ledger l WHERE l.kind = 'online' AND NOT EXISTS"
                     " (SELECT 1 FROM pay_orders o WHERE l.idem_key = CONCAT(o.channel, ':', o.out_trade_no)"
                     "  AND (o.ledger_id = l.id OR o.state = 'paid'))")
    bad += [f"online entry {i} ({k}) has no order credited by it" for i, k in orphans]
    if strict:
        gw = pay.gateway_orders()
        for key, paid in gw.items():
            st = ours.get(key)
            if paid and st not in ("credited", "needs_refund", "refunded") and st is not None:
                bad.append(f"order {key[0]}:{key[1]} paid at the gateway, here {st}")
            if not paid and st == "credited":
                bad.append(f"order {key[0]}:{key[1]} credited, the gateway has it unpaid")
        for key, st in ours.items():
            if st == "credited" and key not in gw:
                bad.append(f"order {key[0]}:{key[1]} credited, the gateway never had it")
    return bad


# --- the faults
def kill_sync(recovered):
    """kill -9 of payments-sync while it runs (at a random moment of its run); the loop's next run completes."""
    def fault(ctx):
        pay = ctx["pay"]
        p = pay.running_sync()
        if p is None:
            return None, ["no payments-sync run to kill within 30 s"]
        time.sleep(pay.rng.uniform(0, 0.3))
        try:
            os.kill(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        t = time.time()
        rec = recovered(ctx["op"], ctx["kid"], ctx["site"], t)
        end = time.time() + 120
        while time.time() < end and not any(s > t and rc == 0 for s, _, rc in pay.runs):
            time.sleep(0.2)
        done = [e for s, e, rc in pay.runs if s > t and rc == 0]
        killed = [rc for s, e, rc in pay.runs if s <= t <= e + 1 and rc == -signal.SIGKILL]
        ctx["note"] = f"run killed ({'yes' if killed else 'it had ended'}), next clean run after " \
                      f"{(min(done) - t) if done else -1:.1f} s; "
        if not done:
            return rec, ["payments-sync did not complete a run within 120 s of the kill"]
        return (max(rec, min(done) - t) if rec is not None else None), []
    return fault


def gateway_closed(recovered, hold):
    """The gateway's port closed for HOLD s (the sandbox keeps its orders): an order paid meanwhile whose notice
    is lost is credited by payments-sync once the port is open again."""
    def fault(ctx):
        pay = ctx["pay"]
        kid = pay.kids[1] if len(pay.kids) > 1 else pay.kids[0]
        no = pay.order(kid, "alipay", 123)
        pay.proxy.close()
        t0 = time.time()
        bad = []
        if no is None or not pay.pay("alipay", no, lost=True):
            bad.append("gateway closed: no order to pay with its notice lost")
        time.sleep(hold)
        fails = sum(1 for s, _, rc in pay.runs if s > t0 and rc != 0)
        pay.proxy.open()
        t = time.time()
        rec = recovered(ctx["op"], ctx["kid"], ctx["site"], t)
        got = None
        end = time.time() + 120
        while no and time.time() < end:
            if lib.db_value(f"SELECT state FROM pay_orders WHERE out_trade_no = '{no}'") == "credited":
                got = time.time() - t
                break
            time.sleep(0.25)
        ctx["note"] = f"payments-sync failed {fails} times while closed, the lost notice's order credited after " \
                      f"{'-' if got is None else '%.1f s' % got}; "
        if no and got is None:
            bad.append(f"order {no} paid while the gateway was closed: not credited 120 s after it opened")
        return (max(rec, got) if rec is not None and got is not None else rec if no is None else None), bad
    return fault
