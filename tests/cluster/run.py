"""run.py - make test-cluster: the site on a three-node MariaDB Galera cluster (var/cluster/): staff workers on nodes 1 and 2, the student site and the payment notices on node 3, two collectors on nodes 1 and 2; sales on both staff nodes and payments at once while node 2 is killed -9 and rejoins by IST and a collector is killed -9; then the fault campaign's invariants and the three nodes' agreement; prints a table, exits 1 on any violation."""
import http.client
import importlib.util
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
CVAR = os.path.join(TOP, "var", "cluster")
WEB = {1: 18152, 2: 18153}  # web host 1 (staff on node 1, the student site and pay.fcgi on node 3), web host 2
PAYSIM_PORT = 18160
LOAD_S = int(os.environ.get("CLUSTER_LOAD_S", "20"))  # load before and after each fault
THREADS = 3  # selling threads per staff node
LEASE_S = 10  # the bus leases' period: a dead collector's buses are read again within two of them
OUT = os.path.join(TOP, "tests", "out")
sys.path.insert(0, HERE)
import galera  # noqa: E402

# the fault campaign's invariants, by import; then our instance in place of its own
_spec = importlib.util.spec_from_file_location("faults", os.path.join(TOP, "tests", "faults", "run.py"))
faults = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(faults)
elib, clib, lib = faults.elib, faults.clib, faults.lib
os.environ.update(PREPAID_VAR=CVAR, BASE=f"http://127.0.0.1:{WEB[1]}")
lib.VAR = clib.VAR = faults.VAR = CVAR
lib.BASE = os.environ["BASE"]
elib.WORK = clib.WORK = os.path.join(CVAR, "rig")
elib.KEY = os.path.join(CVAR, "vending.key")
elib.PORTS = range(16400, 16440)
PAYSIM = f"http://127.0.0.1:{PAYSIM_PORT}"
cluster = galera.Cluster(CVAR)
procs = {}  # name -> Popen of what we started (besides the nodes)
RIGS = []  # the simulators and collectors, stopped at the end whatever happens


def say(*a):
    print("cluster:", *a, flush=True)


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


# --- secrets and configuration files: what prepaidctl writes, with each program's node as db_host/db_port
ALI_APP, ALI_SELLER, WX_APPID, WX_MCHID = "2021000000000001", "2088000000000001", "wx00000000000000a1", "1900000001"


def secrets():
    os.makedirs(os.path.join(CVAR, "pay"), exist_ok=True)
    for a in ("staff", "collector", "mobile", "pay"):
        with open(os.path.join(CVAR, a + ".password"), "w") as f:
            f.write(uuid.uuid4().hex + "\n")
    for name in ("vending.key", "code.key", "pepper.key"):
        with open(os.path.join(CVAR, name), "w") as f:
            f.write(os.urandom(32).hex() + "\n")
    p = os.path.join(CVAR, "pay")
    for k in ("app", "alipay-sandbox", "wechat-merchant", "wechat-platform"):
        sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", f"{p}/{k}.key")
        sh("openssl", "pkey", "-in", f"{p}/{k}.key", "-pubout", "-out", f"{p}/{k}.pub")
    shutil.copy(f"{p}/alipay-sandbox.pub", f"{p}/alipay.pub")
    with open(f"{p}/wechat-merchant.serial", "w") as f:
        f.write(os.urandom(20).hex().upper() + "\n")
    with open(f"{p}/wechat-apiv3.key", "w") as f:
        f.write(os.urandom(16).hex() + "\n")
    for f in os.listdir(p):
        os.chmod(os.path.join(p, f), 0o600)
    os.chmod(os.path.join(CVAR, "vending.key"), 0o600)
    os.chmod(os.path.join(CVAR, "pepper.key"), 0o600)


def read(path):
    return open(os.path.join(CVAR, path)).read().strip()


def conf(name, node, web, body):
    """CVAR/NAME: the database node NODE by TCP, the site at web host WEB, BODY's own lines."""
    pay = os.path.join(CVAR, "pay")
    common = {
        "db_host": "127.0.0.1", "db_port": str(3310 + node),
        "templates": os.path.join(TOP, "templates"), "tmp_dir": os.path.join(CVAR, "tmp"),
        "pay_site_url": f"http://127.0.0.1:{WEB[1]}", "alipay_app_id": ALI_APP, "alipay_seller_id": ALI_SELLER,
        "alipay_gateway": f"http://127.0.0.1:{PAYSIM_PORT}/gateway.do", "alipay_app_key_file": f"{pay}/app.key",
        "alipay_public_key_file": f"{pay}/alipay.pub", "wechat_appid": WX_APPID, "wechat_mchid": WX_MCHID,
        "wechat_serial": read("pay/wechat-merchant.serial"), "wechat_gateway": f"http://127.0.0.1:{PAYSIM_PORT}",
        "wechat_private_key_file": f"{pay}/wechat-merchant.key",
        "wechat_platform_key_file": f"{pay}/wechat-platform.pub",
        "wechat_apiv3_key_file": f"{pay}/wechat-apiv3.key",
        "metrics_file": os.path.join(CVAR, f"web{web}", "run", name.split(".")[0] + ".metrics"),
    }
    common.update(body)
    if not name.startswith("staff"):
        common["db_name"] = "prepaid"
    path = os.path.join(CVAR, name)
    with open(path, "w") as f:
        if name.startswith("staff"):
            f.write(open(os.path.join(TOP, "conf", "prepaid.conf.example")).read())
        else:
            f.write("tz_offset = +08:00\nsession_idle_min = 30\n")
        for k, v in common.items():
            f.write(f"{k} = {v}\n")
    os.chmod(path, 0o600)
    return path


def configs():
    os.makedirs(os.path.join(CVAR, "tmp"), exist_ok=True)
    staff = {"staff_password": read("staff.password"), "collector_password": read("collector.password"),
             "mobile_password": read("mobile.password"), "vending_key_file": os.path.join(CVAR, "vending.key"),
             "password_pepper_file": os.path.join(CVAR, "pepper.key")}
    for web in (1, 2):
        conf(f"staff{web}.conf", web, web, dict(staff, staff_log=os.path.join(CVAR, f"web{web}", "log", "staff.log")))
    # prepaid-admin (reconcile, payments-sync) on node 1, as lib's checks
    shutil.copy(os.path.join(CVAR, "staff1.conf"), os.path.join(CVAR, "prepaid.conf"))
    conf("mobile.conf", 3, 1, {"mobile_user": "prepaid_mobile", "mobile_password": read("mobile.password"),
                               "code_key": read("code.key"), "mobile_log": os.path.join(CVAR, "web1", "log", "mobile.log"),
                               "password_pepper_file": os.path.join(CVAR, "pepper.key")})
    conf("pay.conf", 3, 1, {"pay_user": "prepaid_pay", "pay_password": read("pay.password"),
                            "pay_log": os.path.join(CVAR, "web1", "log", "pay.log")})
    # lib.db: root on node 1, reads that wait for the cluster's last write set as the programs' do
    with open(os.path.join(CVAR, "my.cnf"), "w") as f:
        f.write(f"[client]\nsocket={cluster.nodes[0].sock}\ninit-command=SET SESSION wsrep_sync_wait = 1\n")


def load_schema(n1):
    sh("sh", os.path.join(TOP, "sql", "migrate.sh"), "prepaid", CVAR, "--", f"--defaults-file={n1.cnf}", "-uroot")


# --- web hosts: nginx of make run (conf/nginx-dev.conf) and the FastCGI workers under spawn-fcgi
def spawn(web, prog, confname, workers=2):
    run = os.path.join(CVAR, f"web{web}", "run")
    sock, pid = os.path.join(run, prog + ".sock"), os.path.join(run, prog + ".pid")
    if os.path.exists(sock):
        os.unlink(sock)
    sh("spawn-fcgi", "-s", sock, "-M", "0660", "-P", pid, "--", os.path.join(TOP, "build", prog + ".fcgi"),
       "-w", str(workers), env=dict(os.environ, PREPAID_CONF=os.path.join(CVAR, confname)))
    procs[f"{prog}@web{web}"] = pid


def web_start(web):
    d = os.path.join(CVAR, f"web{web}")
    for sub in ("run", "log", "nginx"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    spawn(web, "staff", f"staff{web}.conf")
    if web == 1:
        spawn(web, "mobile", "mobile.conf")
        spawn(web, "pay", "pay.conf")
    text = open(os.path.join(TOP, "conf", "nginx-dev.conf")).read()
    text = (text.replace("@TOP@", TOP).replace("@VAR@", d).replace("@PORT@", str(WEB[web]))
            .replace("@USER@", "user root;" if os.getuid() == 0 else ""))
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(text)
    sh("nginx", "-p", os.path.join(d, "nginx"), "-c", os.path.join(d, "nginx.conf"))
    procs[f"nginx@web{web}"] = os.path.join(d, "run", "nginx.pid")


def stop_pidfiles():
    for name, pidf in procs.items():
        if isinstance(pidf, str) and os.path.exists(pidf):
            try:
                os.kill(int(open(pidf).read()), 15)
            except (OSError, ValueError):
                pass


# --- collectors: one function starts a collector for a node (its gateways a preference once buses are leased)
def start_collector(rig, node, name):
    """The collector NAME reading RIG's gateway with its database connection on NODE."""
    rig.collector = clib.Collector(f"collector-{name}", key=elib.KEY, extra={
        "db_name": "prepaid", "db_socket": "", "db_host": "127.0.0.1", "db_port": str(3310 + node),
        "gateways": str(rig.gateway), "poll_interval_s": "5", "collector_name": name,
        "command_retry_s": "1", "command_retry_max_s": "4", "settings_check_s": "2"})
    rig.node, rig.name = node, name
    return rig.collector


class Site(elib.Rig):
    def start_collector(self, poll_s=5):
        pass  # started by start_collector() on its node


# --- the load: staff selling on both web hosts, students paying through the sandbox
class Staff(threading.Thread):
    """Sells 0.01-0.05 yuan to random meters through web host WEB as operator OP (its session), each with its
    own idempotency key; one sale in ten is sent again through the other web host (a double submission that
    lands on the other node). Every answer is kept: (key, web, status)."""

    def __init__(self, web, op, pairs, stop, rec):
        super().__init__(daemon=True)
        self.web, self.op, self.pairs, self.stop_, self.rec = web, op, pairs, stop, rec
        self.sid = [k.value for k in op.jar if k.name == "sid"][0]

    def post(self, web, body):
        try:
            c = http.client.HTTPConnection("127.0.0.1", WEB[web], timeout=20)
            c.request("POST", "/sell", body, {"Content-Type": "application/x-www-form-urlencoded",
                                             "Cookie": f"sid={self.sid}", "Origin": f"http://127.0.0.1:{WEB[web]}"})
            st = c.getresponse().status
            c.close()
            return st
        except (OSError, http.client.HTTPException):
            return 0

    def run(self):
        rng = random.Random()
        while not self.stop_.is_set():
            acc, mid = rng.choice(self.pairs)
            key = "clu-" + uuid.uuid4().hex[:16]
            body = urllib.parse.urlencode({"account": acc, "meter": mid, "amount": "0.0%d" % rng.randint(1, 5),
                                           "confirm": "1", "csrf": self.op.csrf_token, "idem": key})
            self.rec.append((key, self.web, self.post(self.web, body)))
            if rng.random() < 0.1:
                other = 3 - self.web
                self.rec.append((key, other, self.post(other, body)))
            time.sleep(rng.uniform(0.1, 0.4))


class Payer(threading.Thread):
    """Students top up 1.00-3.00 yuan by Alipay through the sandbox, one after another; every order kept."""

    def __init__(self, kids, stop, orders):
        super().__init__(daemon=True)
        self.kids, self.stop_, self.orders = kids, stop, orders

    def run(self):
        rng = random.Random()
        while not self.stop_.is_set():
            c = rng.choice(self.kids)
            try:
                c.get("/m/pay")
                r = c.post("/m/pay", {"channel": "alipay", "custom": "%d.00" % rng.randint(1, 3)})
                no = re.search(r'id="go-no">([0-9a-f]{32})<', r.text)
                go = re.search(r'id="go" href="([^"]+)"', r.text)
                if no and go:
                    http_get(go.group(1).replace("&amp;", "&"))
                    http_get(f"{PAYSIM}/ctl/pay?no={no.group(1)}")
                    self.orders.append(no.group(1))
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(rng.uniform(0.5, 1.5))


def http_get(url):
    """(status, text) of a GET (paylib's, which wants the test instance's files at import)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def paysim():
    p = subprocess.Popen([sys.executable, os.path.join(TOP, "tests", "paysim", "paysim.py"), "--port", str(PAYSIM_PORT),
                          "--key", f"{CVAR}/pay/alipay-sandbox.key", "--app-pub", f"{CVAR}/pay/app.pub",
                          "--app-id", ALI_APP, "--seller-id", ALI_SELLER], stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(CVAR, "paysim.log"), "w"))
    procs["paysim"] = p
    galera.wait(lambda: _answers(), 10, 0.1)


def _answers():
    try:
        http_get(PAYSIM + "/")
        return True
    except OSError:
        return False


# --- the checks
def check_sales(rec):
    """Each key answered 303 (by either web host) has exactly one ledger entry; no key has two."""
    rows = lib.db("SELECT idem_key, COUNT(*) FROM ledger WHERE idem_key LIKE 'clu-%' GROUP BY idem_key")
    have = {k.split(":")[0]: int(n) for k, n in rows}
    bad = [f"sale {k}: {n} entries" for k, n in have.items() if n > 1]
    ok = {k for k, _, st in rec if st == 303}
    bad += [f"sale {k} answered 303 but has no entry" for k in sorted(ok - set(have))]
    answers, webs = {}, {}
    for k, web, st in rec:
        answers[st] = answers.get(st, 0) + 1
        webs.setdefault(k, []).append(st)
    both = sum(1 for v in webs.values() if v == [303, 303])
    return bad, {"requests": len(rec), "keys answered 303": len(ok), "entries": len(have),
                 "sent to both web hosts and answered 303 by both": both,
                 "answers": " ".join(f"{st or 'none'}:{n}" for st, n in sorted(answers.items()))}


def check_payments(orders):
    """Every order the sandbox paid is credited once: one ledger entry alipay:NO and the order credited."""
    sims = {}
    try:
        sims = __import__("json").loads(http_get(f"{PAYSIM}/ctl/orders")[1])
    except (OSError, ValueError):
        return ["the sandbox did not list its orders"], {}
    paid = [no for no in orders if sims.get(no, {}).get("status") in ("TRADE_SUCCESS", "TRADE_FINISHED")]
    rows = lib.db("SELECT idem_key, COUNT(*) FROM ledger WHERE idem_key LIKE 'alipay:%' GROUP BY idem_key")
    have = {k[len("alipay:"):]: int(n) for k, n in rows}
    st = dict(lib.db("SELECT out_trade_no, state FROM pay_orders"))
    bad = [f"order {no}: {have.get(no, 0)} credits, state {st.get(no)}" for no in paid
           if have.get(no, 0) != 1 or st.get(no) != "credited"]
    bad += [f"order {no}: {n} credits" for no, n in have.items() if n > 1]
    return bad, {"orders": len(orders), "paid": len(paid), "credited": sum(1 for no in paid if have.get(no) == 1)}


SUMS = [("ledger", "COUNT(*), SUM(amount_fen), BIT_XOR(CRC32(CONCAT_WS('|', id, kind, amount_fen, account_id,"
                   " meter_id, idem_key, command_id)))"),
        ("commands", "COUNT(*), SUM(purchase_count), BIT_XOR(CRC32(CONCAT_WS('|', id, meter_id, kind,"
                     " purchase_count, amount_fen, status)))"),
        ("accounts", "COUNT(*), BIT_XOR(CRC32(CONCAT_WS('|', id, status, holder)))"),
        ("pay_orders", "COUNT(*), SUM(amount_fen), BIT_XOR(CRC32(CONCAT_WS('|', out_trade_no, state, amount_fen)))"),
        ("pay_notices", "COUNT(*), BIT_XOR(CRC32(CONCAT_WS('|', id, out_trade_no, outcome)))")]


def node_sums(nd):
    q = "SET SESSION wsrep_sync_wait = 1; " + " UNION ALL ".join(
        f"SELECT '{t}', CONCAT_WS('/', {cols}) FROM {t}" for t, cols in SUMS)
    return dict(nd.sql(q))


def check_agree():
    """The money tables' counts, sums and checksums are the same on the three nodes (tried 5 times, a second
    apart, while a last write set may still be applied)."""
    for _ in range(5):
        sums = [node_sums(nd) for nd in cluster.nodes]
        if sums[0] == sums[1] == sums[2]:
            return [], sums[0]
        time.sleep(1)
    return [f"{t}: node1 {sums[0].get(t)}, node2 {sums[1].get(t)}, node3 {sums[2].get(t)}"
            for t, _ in SUMS if not sums[0].get(t) == sums[1].get(t) == sums[2].get(t)], sums[0]


def meters_read_since(rig, t0):
    n = int(lib.db_value(f"SELECT COUNT(*) FROM meter_state WHERE read_at > '{t0}'"
                         f" AND meter_id IN ({elib.ids(rig.by_id)})"))
    return n == len(rig.meters)


def lease_owners(rig):
    """The collectors holding the leases of RIG's buses."""
    return {r[0] for r in lib.db(f"SELECT IFNULL(l.owner, '') FROM bus_leases l JOIN buses b ON b.id = l.bus_id"
                                 f" WHERE b.gateway_id = {int(rig.gateway)}")}


def read_your_writes(op, pairs, seconds):
    """Sales through web host 1 (node 1), each shown at once through web host 2 (node 2), under the load: a
    session that reads without waiting for the cluster's last write set would not find some of them.
    Returns (sales, [ids not found])."""
    sid = [k.value for k in op.jar if k.name == "sid"][0]
    n, stale, end = 0, [], time.time() + seconds
    while time.time() < end:
        acc, mid = random.choice(pairs)
        body = urllib.parse.urlencode({"account": acc, "meter": mid, "amount": "0.01", "confirm": "1",
                                       "csrf": op.csrf_token, "idem": "ryw-" + uuid.uuid4().hex[:16]})
        c = http.client.HTTPConnection("127.0.0.1", WEB[1], timeout=20)
        c.request("POST", "/sell", body, {"Content-Type": "application/x-www-form-urlencoded",
                                         "Cookie": f"sid={sid}", "Origin": f"http://127.0.0.1:{WEB[1]}"})
        r = c.getresponse()
        r.read()
        m = re.search(r"/sale\?id=(\d+)", r.getheader("Location") or "")
        c.close()
        if r.status != 303 or not m:
            continue
        c = http.client.HTTPConnection("127.0.0.1", WEB[2], timeout=20)
        c.request("GET", f"/sale?id={m.group(1)}", headers={"Cookie": f"sid={sid}"})
        g = c.getresponse()
        g.read()
        c.close()
        n += 1
        if g.status != 200:
            stale.append(int(m.group(1)))
    return n, stale


def write_stall(nd):
    """Seconds until a write commits on ND."""
    t = time.time()
    while time.time() - t < 60:
        try:
            nd.sql("INSERT INTO read_requests (meter_id) VALUES (NULL)", timeout=10)
            return time.time() - t
        except subprocess.SubprocessError:
            time.sleep(0.05)
    return None


# --- the campaign
def main():
    t_all = time.time()
    rows, bad_all = [], []

    def row(phase, figures, took, bad):
        rows.append((phase, figures, took, bad))
        bad_all.extend(f"{phase}: {b}" for b in bad)
        say(f"{phase}: {figures}" + ("" if took is None else f", {took}") + f", {len(bad)} violations"
            + "".join("\n    " + b for b in bad))

    for nd in cluster.nodes:
        if os.path.exists(nd.pidfile):
            say(f"a node of an earlier run may still be running ({nd.pidfile}): stop it first")
            return 2
    os.makedirs(CVAR, exist_ok=True)
    t = time.time()
    joined = cluster.create(lambda n1: (secrets(), configs(), load_schema(n1)))
    row("cluster formed", "3 nodes, schema through node 1, nodes 2 and 3 by SST (rsync)",
        f"{time.time() - t:.1f} s in all, joins {joined:.1f} s", [])
    web_start(1)
    web_start(2)
    paysim()
    lib.db("UPDATE settings SET value = '100000000000' WHERE name = 'hoard_cap_fen'")
    lib.db("UPDATE settings SET value = '30000' WHERE name = 'pay_max_fen'")
    lib.db(f"INSERT INTO settings (name, value) VALUES ('lease_s', '{LEASE_S}')"
           f" ON DUPLICATE KEY UPDATE value = '{LEASE_S}'")
    op1 = lib.operator(role=1)
    rigs = []
    # each gateway's simulator listening before the next one picks its free ports
    for tag, node, fen in (("A", 1, 3000), ("B", 2, 5000)):
        rig = Site(tag, [[(fen + 11 * i, i % 3) for i in range(8)] for _ in range(2)])
        RIGS.append(rig)
        rig.start()
        start_collector(rig, node, "cluster-" + tag.lower())
        rigs.append(rig)
    for rig in rigs:
        if not rig.first_reads(90):
            say(f"collector {rig.name} did not read its meters:\n" + rig.collector_log())
            return 1
        faults.open_accounts(op1, rig)
    kids = faults.students(op1, rigs[0])[:6]
    # a second operator for web host 2 (its own session; both are in the database, either host takes them)
    op2 = lib.operator(role=1)
    pairs = [(m["account"], m["id"]) for rig in rigs for m in rig.meters]
    say(f"{len(pairs)} meters with accounts on 2 gateways, {len(kids)} students; web hosts on {WEB[1]} and {WEB[2]}")
    stop, rec, orders = threading.Event(), [], []
    load = [Staff(1, op1, pairs, stop, rec) for _ in range(THREADS)]
    load += [Staff(2, op2, pairs, stop, rec) for _ in range(THREADS)]
    load.append(Payer(kids, stop, orders))
    for th in load:
        th.start()
    try:
        t = time.time()
        n, stale = read_your_writes(op1, pairs, LOAD_S)
        row("read your writes", f"{n} sales through web host 1 (node 1), each at once on web host 2 (node 2):"
            f" {len(stale)} not found", None, [f"sale {x} not found on node 2 right after it was made" for x in stale])
        time.sleep(max(0.0, LOAD_S - (time.time() - t)))
        row("load", f"{len(rec)} sales requests, {len(orders)} payments", f"{time.time() - t:.0f} s", [])

        # node 2 (staff on web host 2, collector B) killed -9; it rejoins by IST
        n2 = cluster.nodes[1]
        n0 = len(rec)
        n2.kill9()
        t = time.time()
        stall = write_stall(cluster.nodes[0])
        time.sleep(5)
        took, pos, how = cluster.rejoin(n2)
        down = time.time() - t
        bad = [] if took is not None else ["node 2 did not rejoin within 180 s"]
        if stall is None:
            bad.append("node 1 took no write for 60 s after node 2 was lost")
        if how != "IST":
            bad.append(f"node 2 rejoined by {how}, not IST")
        t0 = faults.utcnow()
        back = galera.wait(lambda: meters_read_since(rigs[1], t0), 60, 0.5)
        bad += [] if back else ["collector B (node 2) did not read its meters within 60 s of the rejoin"]
        row("node 2 kill -9, rejoin", f"write stall on node 1 {'-' if stall is None else '%.1f' % stall} s, down {down:.1f} s, position {pos},"
            f" {len(rec) - n0} sales requests meanwhile", f"rejoin {'-' if took is None else '%.1f s' % took} ({how})",
            bad)
        time.sleep(LOAD_S / 2)

        # collector A killed -9 and left down: collector B (node 2) takes its buses when their leases run
        # out; A started again asks for them back
        rigs[0].collector.kill()
        t = time.time()
        t0 = faults.utcnow()
        back = galera.wait(lambda: meters_read_since(rigs[0], t0), 2 * LEASE_S + 30, 0.5)
        took = time.time() - t
        bad = [] if back else [f"collector A's meters not read within {2 * LEASE_S + 30} s of its death"]
        if back and took > 2 * LEASE_S:
            bad.append(f"collector A's buses read again after {took:.1f} s, over 2 lease periods ({2 * LEASE_S} s)")
        start_collector(rigs[0], 1, "cluster-a")
        t = time.time()
        home = galera.wait(lambda: lease_owners(rigs[0]) == {"cluster-a"}, 3 * LEASE_S, 0.5)
        if not home:
            bad.append(f"collector A started again holds not its buses: {lease_owners(rigs[0])}")
        row("collector A kill -9", f"lease {LEASE_S} s; its buses read by collector B, then handed back",
            f"read again {took:.1f} s, back {time.time() - t:.1f} s", bad)
        time.sleep(LOAD_S / 2)
    finally:
        stop.set()
        for th in load:
            th.join(30)
    # at rest: tokens delivered, then the invariants
    t = time.time()
    bad = []
    for rig in rigs:
        if not rig.tokens_done(timeout=120):
            bad.append(f"gateway {rig.tag}: tokens still in flight two minutes after the load")
    for rig in rigs:
        bad += faults.check_meters(rig, True)
    row("meters at rest", f"{sum(len(r.meters) for r in rigs)} meters: money = opening + confirmed tokens = ledger,"
        f" counts once", f"{time.time() - t:.1f} s", bad)
    sbad, sfig = check_sales(rec)
    row("sales", ", ".join(f"{k} {v}" for k, v in sfig.items()), None, sbad)
    pbad, pfig = check_payments(orders)
    row("payments", ", ".join(f"{k} {v}" for k, v in pfig.items()), None, pbad)
    abad, sums = check_agree()
    row("nodes agree", "; ".join(f"{k} {v}" for k, v in sums.items())[:160], None, abad)
    row("reconcile", "prepaid-admin reconcile on node 1", None, faults.reconcile(3))
    rss = ", ".join(f"node{nd.n} {nd.rss_mb()} MB" for nd in cluster.nodes)
    cert = ", ".join(f"node{nd.n} {nd.status('wsrep_local_cert_failures')}/{nd.status('wsrep_local_bf_aborts')}"
                     for nd in cluster.nodes)
    row("resources", f"RSS {rss}; write sets that lost certification / transactions aborted by one: {cert}",
        None, [])
    for rig in rigs:
        rig.stop()
    return report(rows, bad_all, time.time() - t_all)


def report(rows, bad_all, took):
    lines = [f"{'phase':<24} {'violations':>10}  figures / time"]
    for phase, figures, t, bad in rows:
        lines.append(f"{phase:<24} {len(bad):>10}  {figures}" + ("" if t is None else f" [{t}]"))
    lines.append(f"{'in all':<24} {len(bad_all):>10}  {took:.0f} s")
    lines += ["    " + b for b in bad_all]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "cluster.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)
    return 1 if bad_all else 0


def teardown():
    dest = os.path.join(OUT, "cluster-logs")
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest, exist_ok=True)
    for rig in RIGS:
        rig.stop()
    for p in procs.values():
        if isinstance(p, subprocess.Popen):
            p.terminate()
    stop_pidfiles()
    cluster.stop()
    for root, _, files in os.walk(CVAR):
        for f in files:
            if f.endswith((".log", ".err")):
                shutil.copy(os.path.join(root, f), os.path.join(dest, os.path.relpath(root, CVAR).replace("/", "-")
                                                                  + "-" + f))


if __name__ == "__main__":
    try:
        rc = main()
    finally:
        teardown()
    sys.exit(rc)
