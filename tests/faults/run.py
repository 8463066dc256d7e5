"""run.py - make faults: a fault campaign under a mixed load (staff selling, refunding and reversing, students reading and paying online, tokens in flight); after each fault the money, tokens, sales, online payments and SMS are checked against what the meters and the modem show; prints a table of faults, recovery times and invariant violations."""
import http.client
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VAR = os.path.join(TOP, "var", "faults")
IMAGE = os.path.join(TOP, "var", "faults.img")  # a small file system of its own for var/faults (the disk-full fault)
PORT = int(os.environ.get("FAULTS_PORT", "18094"))
ROUNDS = int(os.environ.get("FAULTS_ROUNDS", "3"))
SEED = int(os.environ.get("FAULTS_SEED", str(int(time.time()))))
HOLD = int(os.environ.get("FAULTS_HOLD_S", "20"))  # how long a bus talks garbage, the modem is gone, the disk full
RECOVER = 120  # seconds a program has to recover by itself
STAFF, STUDENTS = 20, 200
BUSES, PER_BUS = 4, 10
OUT = os.path.join(TOP, "tests", "out")
# the payment sandbox: the gateway's address the instance has (a port that the fault closes) and the sandbox's own
GW_PORT = int(os.environ.get("PREPAID_PAYSIM_PORT", str(PORT + 13)))
SIM_PORT = int(os.environ.get("FAULTS_PAYSIM_PORT", str(GW_PORT + 1)))
os.environ.update(PREPAID_PAYSIM_PORT=str(GW_PORT))
os.environ.update(PREPAID_VAR=VAR, PREPAID_PORT=str(PORT), BASE=f"http://127.0.0.1:{PORT}", TOP=TOP,
                  PREPAID_NO_METERS="1", PREPAID_WORKERS="3")
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
import elib  # noqa: E402  (it puts tests/it and tests/collector on the path)
import clib  # noqa: E402
import lib  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import payments  # noqa: E402

# our simulators on 16200-16239: apart from the collector tests (16020+) and the end-to-end tests (16100+)
elib.PORTS = range(16200, 16240)
elib.WORK = clib.WORK = os.path.join(VAR, "rig")
CTL = ["sh", os.path.join(TOP, "conf", "prepaidctl")]
rng = random.Random(SEED)


def say(*a):
    print("faults:", *a, flush=True)


def utcnow():
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:23]


# --- the instance, on a file system of its own when a loop mount is allowed
def mounted():
    with open("/proc/mounts") as f:
        return any(line.split()[1] == VAR for line in f)


def instance():
    """A fresh instance under var/faults; True when it is a loop file system of its own (else var/ full is skipped)."""
    subprocess.run(CTL + ["stop"], capture_output=True)
    if mounted() and subprocess.run(["umount", VAR], capture_output=True).returncode != 0:
        say(f"{VAR} is mounted and busy (a program of an earlier run still has files open): stop it first")
        sys.exit(2)
    shutil.rmtree(VAR, ignore_errors=True)
    os.makedirs(VAR)
    loop = False
    try:
        if os.path.exists(IMAGE):
            os.unlink(IMAGE)
        with open(IMAGE, "wb") as f:
            f.truncate(768 << 20)
        subprocess.run(["mkfs.ext4", "-q", "-F", IMAGE], check=True, capture_output=True)
        loop = subprocess.run(["mount", "-o", "loop", IMAGE, VAR], capture_output=True).returncode == 0
    except (OSError, subprocess.CalledProcessError):
        pass
    if not loop and os.path.exists(IMAGE):
        os.unlink(IMAGE)
    r = subprocess.run(CTL + ["start"], capture_output=True, text=True)
    if r.returncode != 0:
        say(r.stdout, r.stderr)
        sys.exit(1)
    return loop


def teardown(loop):
    dest = os.path.join(OUT, "faults-logs")
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(os.path.join(VAR, "log"), dest, ignore_dangling_symlinks=True)
    for name in os.listdir(elib.WORK) if os.path.isdir(elib.WORK) else []:
        if name.endswith(".log"):
            shutil.copy(os.path.join(elib.WORK, name), dest)
    if os.path.isdir(os.path.join(VAR, "tmp", "load")):
        shutil.copytree(os.path.join(VAR, "tmp", "load"), os.path.join(dest, "load"), dirs_exist_ok=True)
    for name in ("sim.log", "sms.out"):
        p = os.path.join(elib.WORK, "sim-F", name)
        if os.path.exists(p):
            shutil.copy(p, dest)
    subprocess.run(CTL + ["stop"], capture_output=True)
    if loop:
        subprocess.run(["umount", VAR], capture_output=True)
        os.unlink(IMAGE)


# --- the piece of site: 4 buses x 10 meters, the simulator with its modem, the collector every 10 s
class Site(elib.Rig):
    def start(self):
        d = os.path.join(elib.WORK, f"sim-{self.tag}")
        self.modem, self.sms = os.path.join(d, "modem"), os.path.join(d, "sms.out")
        super().start(poll_s=10, sim_args=["--modem", self.modem, "--sms-out", self.sms])

    def start_collector(self, poll_s=10):
        # the demo's supervisor: started again at once; production has systemd's Restart=always
        # (conf/systemd/prepaid-collector.service)
        self.collector = clib.Collector(f"collector-{self.tag}", key=elib.KEY, modem=self.modem, extra={
            "db_name": elib.DBNAME, "gateways": str(self.gateway), "poll_interval_s": str(poll_s),
            "collector_name": "faults", "command_retry_s": "1", "command_retry_max_s": "4",
            "settings_check_s": "2", "sms_retry_s": "2", "modem_check_s": "2", "modem_answer_s": "3"})


def opening():
    """Per bus: 10 meters; the first two of each bus below alarm 1 (their holders have a phone: SMS)."""
    buses = []
    for b in range(BUSES):
        buses.append([(1500 + 10 * a if a < 2 else 4000 + 37 * (b * PER_BUS + a), (b + a) % 5)
                      for a in range(PER_BUS)])
    return buses


def open_accounts(op, site):
    """An open account per meter (the money found carried over); the first two of each bus with a phone."""
    for m in site.meters:
        phone = f"139{m['id']:08d}" if m["address"] <= 2 else ""
        r = op.get("/account/open")
        r = elib.open_form(op, {"holder": "故障" + m["room"], "holder_no": "F" + uuid.uuid4().hex[:6], "phone": phone,
                                "building_id": str(site.building), "room": m["room"], "meters": "", "first": "",
                                "idem": lib.idem_of(r)})
        mm = re.search(r"id=(\d+)", r.location or "")
        if r.status != 303 or not mm:
            raise RuntimeError(f"could not open an account for room {m['room']}: {r.status} {r.text[:300]}")
        m["account"], m["phone"] = int(mm.group(1)), phone


def students(op, site):
    """The student site's password of each account, set through the staff page; a signed-in client each."""
    out = []
    for m in site.meters:
        r = op.post(f"/account/student-password?account={m['account']}", {"confirm": "1"})
        pw = re.search(r'id="new-password">([^<]+)<', r.text)
        if not pw:
            continue
        lib.db(f"UPDATE student_logins SET privacy_agreed_at = UTC_TIMESTAMP() WHERE account_id = {m['account']}")  # the notice agreed
        s = lib.Client()
        s.get("/m/login")
        s.post("/m/login", {"building": site.building, "room": m["room"], "password": pw.group(1)})
        s.get("/m/password?first=1")
        new = "Fault2pass-" + str(m["account"])
        s.post("/m/password", {"old": pw.group(1), "new": new, "confirm": new})
        if s.get("/m/").status == 200:
            s.msid = [k.value for k in s.jar if k.name == "msid"][0]
            out.append(s)
    return out


# --- the load: wrk with Lua, one connection a staff client (so each answer is its request's)
STAFF_LUA = """
local pairs_ = {%(pairs)s}
local sales = {%(sales)s}
local n, last, out = 0, "", nil
local count = 0
function setup(thread) count = count + 1; thread:set("tid", count) end
function init(args)
	math.randomseed(os.time() + tid * 7919)
	out = io.open("%(dir)s/staff-" .. tid .. ".out", "a")
	out:setvbuf("line")
end
function delay() return math.random(400, 1600) end
function request()
	n = n + 1
	local idem = string.format("flt%%d-%%x-%%d", tid, math.random(0, 0x7fffffff), n)
	local r, path, body = math.random(100), nil, nil
	local p = pairs_[math.random(#pairs_)]
	if r <= 60 then
		path = "/sell"
		body = "account=" .. p[1] .. "&meter=" .. p[2] .. "&amount=0.0" .. math.random(1, 5) .. "&confirm=1"
	elseif r <= 85 then
		path = "/refund"
		body = "account=" .. p[1] .. "&meter=" .. p[2] .. "&amount=0.0" .. math.random(1, 2) .. "&confirm=1"
	else
		path = "/reversal"
		body = "id=" .. sales[math.random(#sales)] .. "&reason=%%E6%%B5%%8B%%E8%%AF%%95"
	end
	last = path .. " " .. idem
	-- the key in the address too: nginx's log then pairs each key with the status it answered
	return wrk.format("POST", path .. "?k=" .. idem, { ["Content-Type"] = "application/x-www-form-urlencoded",
		["Cookie"] = "sid=%(sid)s", ["Origin"] = "%(base)s" }, body .. "&csrf=%(csrf)s&idem=" .. idem)
end
function response(status, headers, body)
	out:write(last .. " " .. status .. " " .. (headers["Location"] or "-") .. "\\n")
end
"""

STUDENT_LUA = """
local cookies = {%(cookies)s}
errors = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) math.randomseed(os.time() + math.floor(os.clock() * 1000000)) end
function delay() return math.random(3000, 7000) end
function request()
	return wrk.format("GET", "/m/", { ["Cookie"] = "msid=" .. cookies[math.random(#cookies)] })
end
function response(status, headers, body) if status ~= 200 then errors = errors + 1 end end
function done(summary, latency, requests)
	local e = 0
	for _, t in ipairs(threads) do e = e + t:get("errors") end
	io.write(string.format("ERRORS %%d\\n", e))
end
"""


def load_start(op, site, kids, sales):
    d = os.path.join(VAR, "tmp", "load")
    os.makedirs(d, exist_ok=True)
    sid = [k.value for k in op.jar if k.name == "sid"][0]
    staff = os.path.join(d, "staff.lua")
    with open(staff, "w") as f:
        f.write(STAFF_LUA % {"pairs": ",".join("{%d,%d}" % (m["account"], m["id"]) for m in site.meters),
                             "sales": ",".join(str(x) for x in sales), "dir": d, "sid": sid, "base": lib.BASE,
                             "csrf": op.csrf_token})
    student = os.path.join(d, "student.lua")
    with open(student, "w") as f:
        f.write(STUDENT_LUA % {"cookies": ",".join('"%s"' % s.msid for s in kids)})
    procs = []
    for script, t, c in ((staff, STAFF, STAFF), (student, 4, STUDENTS)):
        procs.append(subprocess.Popen(["wrk", f"-t{t}", f"-c{c}", "-d3600s", "--timeout", "10s", "-s", script,
                                       lib.BASE], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    return procs, d


def load_stop(procs):
    outs = []
    for p in procs:
        p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            outs.append(p.communicate(timeout=30)[0])
        except subprocess.TimeoutExpired:
            p.kill()
            outs.append(p.communicate()[0])
    return outs


# --- the invariants, against what the meters and the modem show
def sim_state(site):
    return {m["id"]: site.meter(m) for m in site.meters}


def tokens(site):
    rows = lib.db("SELECT meter_id, purchase_count, kind, amount_fen, status FROM commands WHERE kind IN"
                  f" ('credit', 'debit') AND meter_id IN ({elib.ids(site.by_id)})")
    by = {}
    for mid, pc, kind, amt, st in rows:
        by.setdefault(int(mid), []).append((int(pc), kind, int(amt), st))
    return by


def check_meters(site, strict):
    """Every meter: money = opening + the tokens it took (credits - debits), to the fen; its purchase count =
    opening + those tokens, each count once; a token the meter took is never booked back as failed; STRICT (at
    rest): every token confirmed and the ledger equal to the meter's money."""
    bad = []
    before = sim_state(site)  # the meters first: a token is in the database before it reaches a meter
    cmds = tokens(site)
    after = sim_state(site)
    for m in site.meters:
        s, mine = before[m["id"]], cmds.get(m["id"], [])
        took = [c for c in mine if m["open_count"] < c[0] <= s["count"]]
        counts = sorted(c[0] for c in took)
        if counts != list(range(m["open_count"] + 1, s["count"] + 1)):
            bad.append(f"meter {m['number']}: count {s['count']} from {m['open_count']}, tokens {counts}")
        want = m["open_fen"] + sum(a if k == "credit" else -a for _, k, a, _ in took)
        if s["remaining"] != want:
            bad.append(f"meter {m['number']}: money {s['remaining']}, opening + its tokens {want}")
        failed = [c[0] for c in took if c[3] == "failed"]
        if failed:
            bad.append(f"meter {m['number']}: took tokens marked failed {failed}")
        early = [c[0] for c in mine if c[3] == "confirmed" and c[0] > after[m["id"]]["count"]]
        if early:
            bad.append(f"meter {m['number']}: confirmed tokens {early} the meter never took")
        if strict:
            open_ = [c for c in mine if c[3] in ("queued", "sent", "waiting")]
            conf = [c for c in mine if c[3] == "confirmed"]
            if open_:
                bad.append(f"meter {m['number']}: tokens still in flight at rest {[c[0] for c in open_]}")
            if s["count"] != m["open_count"] + len(conf):
                bad.append(f"meter {m['number']}: count {s['count']} != {m['open_count']} + {len(conf)} confirmed")
            if s["remaining"] - m["open_fen"] != site.ledger_sum(m["id"]):
                bad.append(f"meter {m['number']}: ledger {site.ledger_sum(m['id'])}, meter moved"
                           f" {s['remaining'] - m['open_fen']}")
    if strict:
        applied = site.sim.stats()["tokens_applied"]
        moved = sum(after[m["id"]]["count"] - m["open_count"] for m in site.meters)
        if applied != moved:
            bad.append(f"the simulator applied {applied} tokens, the counts moved {moved}: a token taken twice")
    return bad


def selftest(site):
    """The meter check can fail: one fen put on a meter behind the ledger's back is seen, and only that."""
    m = site.meters[-1]
    was = site.meter(m)["remaining"]
    site.sim.ctl(f"set {m['number']} remaining={was + 1}")
    caught = check_meters(site, False)
    site.sim.ctl(f"set {m['number']} remaining={was}")
    clean = check_meters(site, False)
    return len(caught) == 1 and str(m["number"]) in caught[0] and not clean


def check_sales(d):
    """Each staff request's idempotency key, as nginx logged it with its answer: a key answered 303 has its
    entry; no key has two. (nginx's log, not wrk's: after a broken connection wrk may pair an answer with the
    next request.) Returns (violations, requests, answered 303)."""
    seen = {}
    with open(os.path.join(VAR, "log", "nginx-access.log"), errors="replace") as f:
        for line in f:
            m = re.search(r'"POST (/\w+)\?k=(flt[\w-]+) HTTP/[\d.]+" (\d+)', line)
            if m:
                seen.setdefault(m.group(2), []).append((m.group(1), m.group(3)))
    rows = lib.db("SELECT idem_key, COUNT(*) FROM ledger WHERE idem_key LIKE 'flt%' GROUP BY idem_key")
    have = {k.split(":")[0]: int(n) for k, n in rows}
    bad = [f"key {k}: {n} entries" for k, n in have.items() if n > 1]
    for key, answers in seen.items():
        if len(answers) > 1:
            bad.append(f"key {key} reached the site {len(answers)} times: {answers}")
        if any(st == "303" for _, st in answers) and key not in have:
            bad.append(f"{answers[0][0]} {key} answered 303 but has no entry")
    ok = sum(1 for a in seen.values() if any(st == "303" for _, st in a))
    return bad, len(seen), ok


def unescape(s):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), s)


def check_sms(site, strict):
    """The modem's messages against the outbox: none twice (unless marked possibly sent), none sent and missing;
    STRICT: nothing queued or failed."""
    got = {}
    if os.path.exists(site.sms):
        with open(site.sms, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"to=(\S+) full=(.*)$", line.rstrip("\n"))
                if m:
                    k = (m.group(1).lstrip("+"), unescape(m.group(2)))
                    got[k] = got.get(k, 0) + 1
    box = {}
    for phone, body, st, ps in lib.db("SELECT phone, HEX(body), status, possibly_sent FROM sms_outbox"):
        k = (phone.lstrip("+"), bytes.fromhex(body).decode("utf-8", "replace"))
        b = box.setdefault(k, {"sent": 0, "queued": 0, "failed": 0, "possibly": 0})
        b[st] += 1
        b["possibly"] += int(ps)
    bad = []
    for k in set(got) | set(box):
        n, b = got.get(k, 0), box.get(k, {"sent": 0, "queued": 0, "failed": 0, "possibly": 0})
        if n > b["sent"] + b["queued"] + b["possibly"]:
            bad.append(f"SMS to {k[0]} sent {n} times, outbox {b}")
        if n < b["sent"]:
            bad.append(f"SMS to {k[0]} marked sent {b['sent']} times, the modem has it {n} times")
        if strict and (b["queued"] or b["failed"]):
            bad.append(f"SMS to {k[0]} left {b['queued']} queued, {b['failed']} failed")
    return bad, sum(got.values()), sum(b["sent"] for b in box.values())


def reconcile(tries=1):
    """prepaid-admin reconcile clean; under load a token in flight may make a balance differ for a moment,
    so a mismatch counts only when it is still there after TRIES runs 10 s apart."""
    env = dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf")
    for i in range(tries):
        r = subprocess.run([f"{TOP}/build/prepaid-admin", "reconcile"], env=env, capture_output=True, text=True)
        if r.returncode == 0:
            return []
        if i + 1 < tries:
            time.sleep(10)
    return ["reconcile: " + (r.stdout + r.stderr).strip()[:300]]


def invariants(site, d, strict=False):
    """The checks above; a database that does not answer for 30 s is a violation of its own."""
    err = None
    for _ in range(30):
        try:
            return checks(site, d, strict)
        except subprocess.CalledProcessError as e:
            err = (e.stderr or "").strip()[:200]
            time.sleep(1)
    return [f"the database did not answer the checks for 30 s: {err}"]


PAY = None  # the online top-up's sandbox, payer and payments-sync loop


def checks(site, d, strict):
    bad = check_meters(site, strict)
    if PAY is not None:
        bad += payments.check_payments(PAY, strict)
    bad += check_sales(d)[0]
    bad += check_sms(site, strict)[0]
    bad += reconcile(1 if strict else 3)
    return bad


# --- recovery: the staff page, the student page and a fresh collector read all work again
def recovered(op, kid, site, since, meters=None):
    """Seconds from SINCE (a time.time()) until all three work again, or None after RECOVER seconds; each
    part's own time is kept in LAST for the log."""
    t0 = utcnow()
    meters = meters or [next(m for m in site.meters if m["port"] == p) for p in sorted({m["port"] for m in site.meters})]
    asked, when = 0.0, {}
    LAST.clear()
    while time.time() - since < RECOVER:
        try:
            if "staff" not in when and op.get("/").status == 200:
                when["staff"] = time.time() - since
            if "student" not in when and kid.get("/m/").status == 200:
                when["student"] = time.time() - since
            if "read" not in when:
                if time.time() - asked > 3:
                    lib.db("INSERT INTO read_requests (meter_id) VALUES (NULL)")
                    asked = time.time()
                n = int(lib.db_value(f"SELECT COUNT(*) FROM meter_state WHERE read_at > '{t0}'"
                                     f" AND meter_id IN ({elib.ids(m['id'] for m in meters)})"))
                if n == len(meters):
                    when["read"] = time.time() - since
        except (OSError, http.client.HTTPException, subprocess.CalledProcessError):
            pass  # a page cut short or refused, a database not answering: not yet
        LAST.update(when)
        if len(when) == 3:
            return max(when.values())
        time.sleep(0.25)
    return None


LAST = {}


# --- the faults: each returns (seconds of recovery or None, [violations of its own])
def pids_of(name):
    sup = open(os.path.join(VAR, "run", name + ".pid")).read().strip()
    r = subprocess.run(["ps", "-o", "pid=", "--ppid", sup], capture_output=True, text=True).stdout
    return [int(x) for x in r.split()]


def kill_worker(name):
    def fault(ctx):
        before = pids_of(name)
        victim = rng.choice(before)
        os.kill(victim, signal.SIGKILL)
        t = time.time()
        rec = recovered(ctx["op"], ctx["kid"], ctx["site"], t)
        back = clib.wait(lambda: len(pids_of(name)) == len(before) and victim not in pids_of(name), 30, 0.2)
        return rec, [] if back else [f"{name}: {len(pids_of(name))} workers after the kill, {len(before)} before"]
    return fault


def kill_collector(ctx):
    site = ctx["site"]
    site.collector.kill()  # SIGKILL, mid-cycle, tokens in flight
    t = time.time()
    time.sleep(2)  # systemd's RestartSec=2
    site.collector = None
    site.start_collector()
    return recovered(ctx["op"], ctx["kid"], site, t), []


def kill_mariadb(ctx):
    pid = int(open(os.path.join(VAR, "run", "mariadb.pid")).read())
    os.kill(pid, signal.SIGKILL)
    t = time.time()
    time.sleep(3)
    r = subprocess.run(CTL + ["start"], capture_output=True, text=True)
    ctx["note"] = f"MariaDB answering again after {time.time() - t:.1f} s; "
    bad = [] if r.returncode == 0 else [f"prepaidctl start after the kill: {r.stdout[-200:]} {r.stderr[-200:]}"]
    return recovered(ctx["op"], ctx["kid"], ctx["site"], t), bad


def bus_garbage(ctx):
    site = ctx["site"]
    port = rng.choice(sorted({m["port"] for m in site.meters}))
    mine = [m for m in site.meters if m["port"] == port]
    for m in mine:
        site.sim.ctl(f"fault {m['number']} garbage")
    time.sleep(HOLD)
    for m in mine:
        site.sim.ctl(f"fault {m['number']} none")
    return recovered(ctx["op"], ctx["kid"], site, time.time(), mine), []


def sms_wanted(ctx):
    """A money action that opens a balance episode of a meter with a phone, so an SMS waits for the modem:
    a refund down into the alarm 2 band, or (already there) a sale up into the alarm 1 band."""
    site, op = ctx["site"], ctx["op"]
    m = rng.choice([x for x in site.meters if x["phone"]])
    have = site.meter(m)["remaining"]
    path, amt = ("/refund", have - 400) if have >= 600 else ("/sell", 1200)
    _, rs = elib.money_form(op, path, m["account"], m["id"], elib.yuan(amt))
    return [] if rs[0].status == 303 else [f"{path} {amt} on {m['number']}: {rs[0].status}"]


def modem_gone(ctx):
    """The modem without a network for a while (CSQ 99, every text refused with CMS ERROR 331)."""
    site = ctx["site"]
    site.sim.ctl(f"modem error 331 {HOLD + 30}")
    n0 = lib.count("sms_outbox")
    t = time.time()
    bad = sms_wanted(ctx)
    lib.db("INSERT INTO read_requests (meter_id) VALUES (NULL)")
    waiting = elib.wait(lambda: lib.count("sms_outbox") > n0, HOLD + 15, 0.5)
    time.sleep(max(0.0, HOLD - (time.time() - t)))
    ctx["note"] = (f"{lib.count('sms_outbox', 'status = %s' % repr('queued'))} SMS waiting for the modem; "
                   if waiting else "no SMS was waiting for the modem; ")
    site.sim.ctl("modem ok")
    t = time.time()
    rec = recovered(ctx["op"], ctx["kid"], site, t)
    if not elib.wait(lambda: lib.count("sms_outbox", "status = 'queued'") == 0, RECOVER, 0.5):
        bad.append("SMS still queued two minutes after the modem came back")
    return (time.time() - t if rec is not None else None), bad


def disk_full(ctx):
    """var/ (its own file system) full but for 256 kB, for a while."""
    filler = os.path.join(VAR, "filler")
    st = os.statvfs(VAR)
    free = st.f_bfree * st.f_frsize - (256 << 10)
    if free > 0:
        subprocess.run(["fallocate", "-l", str(free), filler], capture_output=True)
    time.sleep(HOLD)
    os.unlink(filler)
    t = time.time()
    bad = []
    pid = int(open(os.path.join(VAR, "run", "mariadb.pid")).read())
    if not os.path.exists(f"/proc/{pid}"):
        # MariaDB's own reaction to a full disk (its error log on the same disk says nothing): it is
        # started again as its systemd unit does (Restart=on-abort); our programs must then reconnect.
        ctx["note"] = "MariaDB exited on the full disk, started again; "
        ctx.setdefault("notes", []).append("var/ nearly full: MariaDB exited (not our program; restarted)")
        r = subprocess.run(CTL + ["start"], capture_output=True, text=True)
        if r.returncode != 0:
            bad.append(f"prepaidctl start after the full disk: {r.stdout[-200:]} {r.stderr[-200:]}")
    return recovered(ctx["op"], ctx["kid"], ctx["site"], t), bad


FAULTS = [
    ("staff worker kill -9", kill_worker("staff")),
    ("mobile worker kill -9", kill_worker("mobile")),
    ("collector kill -9", kill_collector),
    ("MariaDB kill -9", kill_mariadb),
    ("bus answering garbage", bus_garbage),
    ("modem gone (no network)", modem_gone),
    ("var/ nearly full", disk_full),
    ("payment sync job kill -9", payments.kill_sync(recovered)),
    ("gateway port closed", payments.gateway_closed(recovered, HOLD)),
]


def main():
    global PAY
    loop = instance()
    lib.VAR, lib.BASE = VAR, os.environ["BASE"]
    say(f"instance on {lib.BASE} ({'own file system' if loop else 'no loop mount'}), seed {SEED}, rounds {ROUNDS}")
    op = lib.operator(role=1)
    lib.db("UPDATE settings SET value = '100000000000' WHERE name = 'hoard_cap_fen'")
    site = Site("F", opening())
    results = {name: {"n": 0, "rec": [], "bad": []} for name, _ in FAULTS}
    final, seen, procs, notes = [], set(), [], []
    try:
        site.start()
        if not site.first_reads(60):
            say("the collector did not read the meters:\n" + site.collector_log())
            return 1
        open_accounts(op, site)
        if not selftest(site):
            say("the meter check did not see one fen put on a meter behind the ledger's back")
            return 1
        kids = students(op, site)
        sales = []
        for m in site.meters:
            _, rs = elib.money_form(op, "/sell", m["account"], m["id"], "0.05")
            if elib.loc_id(rs[0]):
                sales.append(elib.loc_id(rs[0]))
        say(f"{len(site.meters)} meters and accounts, {len(kids)} students signed in, {len(sales)} sales to reverse;"
            f" {STAFF} staff and {STUDENTS} student connections")
        procs, d = load_start(op, site, kids, sales)
        # students paying online meanwhile (notices sent, repeated, some lost), payments-sync in a loop
        # (their logs beside the campaign's, not on var/: it is filled on purpose)
        paylogs = os.path.join(OUT, "faults-pay")
        shutil.rmtree(paylogs, ignore_errors=True)
        os.makedirs(paylogs)
        PAY = payments.Payments(VAR, TOP, GW_PORT, SIM_PORT, kids, paylogs, rng)
        PAY.start()
        ctx = {"op": op, "kid": kids[0], "site": site, "notes": notes, "pay": PAY}
        plan = [(n, f) for n, f in FAULTS if loop or n != "var/ nearly full"] * ROUNDS
        rng.shuffle(plan)
        for i, (name, fault) in enumerate(plan, 1):
            time.sleep(rng.uniform(3, 12))
            rec, bad = fault(ctx)
            parts = ctx.pop("note", "") + ", ".join(f"{k} {v:.1f} s" for k, v in LAST.items())
            time.sleep(3)
            # each violation once, against the fault after which it was first seen
            bad = [b for b in bad + invariants(site, d) if b not in seen]
            seen.update(bad)
            if rec is None:
                bad.append(f"not recovered within {RECOVER} s")
            r = results[name]
            r["n"] += 1
            r["bad"] += bad
            if rec is not None:
                r["rec"].append(rec)
            say(f"{i}/{len(plan)} {name}: recovered in {'-' if rec is None else '%.1f s' % rec} ({parts}),"
                f" {len(bad)} violations" + "".join("\n    " + b for b in bad))
        outs, procs = load_stop(procs), []
        # the payments at rest: no more paying, one last payments-sync asking every open order
        PAY.stop_ev.set()
        for t in PAY.threads:
            t.join(90)
        cfg0 = os.path.join(VAR, "sync0.conf")
        with open(PAY.sync_conf) as f, open(cfg0, "w") as g:
            os.fchmod(g.fileno(), 0o600)
            g.write(f.read() + "\npay_sync_after_s = 0\n")
        if PAY.sync_once(cfg0) != 0:
            final.append("the last payments-sync at rest failed (tests/out/faults-pay/payments-sync.log)")
        # at rest: every token delivered, every SMS gone, then the strict invariants
        if not site.tokens_done(timeout=120):
            final.append("tokens still in flight two minutes after the load")
        elib.wait(lambda: lib.count("sms_outbox", "status = 'queued'") == 0, 60, 0.5)
        final += [b for b in invariants(site, d, strict=True) if b not in seen]
        sbad, asked, ok = check_sales(d)
        modem, sent = check_sms(site, True)[1:]
        st = site.sim.stats()
        say(f"staff requests {asked} ({ok} answered 303), entries {lib.count('ledger', 'idem_key LIKE %s' % repr('flt%'))};"
            f" tokens applied {st['tokens_applied']}, repeated {st['tokens_repeated']}, refused {st['tokens_refused']};"
            f" SMS by the modem {modem}, sent in the outbox {sent}")
        for o in outs:
            m = re.search(r"(\d+) requests in", o)
            e = re.search(r"ERRORS (\d+)", o)
            s = re.search(r"Socket errors:.*", o)
            say(f"wrk: {m.group(1) if m else '?'} requests" + (f", {e.group(1)} not 200" if e else "")
                + (f", {s.group(0)}" if s else ""))
        st = PAY.stats
        say(f"payments: {st['orders']} orders, {st['paid']} paid with their notice ({st['repeated']} sent again twice"
            f" at once), {st['lost']} notices lost, {st['refused']} order forms refused; payments-sync ran"
            f" {len(PAY.runs)} times; {lib.count('pay_orders', 'state = %s' % repr('credited'))} orders credited,"
            f" {lib.count('ledger', 'kind = %s' % repr('online'))} online entries")
    finally:
        load_stop(procs)
        if PAY is not None:
            PAY.stop()
        site.stop()
        teardown(loop)
    lines = [f"{'fault':<26} {'injected':>8} {'recovery max (s)':>17} {'violations':>10}"]
    for name, _ in FAULTS:
        r = results[name]
        if name == "var/ nearly full" and not loop:
            lines.append(f"{name:<26} {'skipped: no loop mount allowed here':>37}")
            continue
        rec = "%.1f" % max(r["rec"]) if r["rec"] else "-"
        lines.append(f"{name:<26} {r['n']:>8} {rec:>17} {len(r['bad']):>10}")
    lines.append(f"{'at the end (at rest)':<26} {'':>8} {'':>17} {len(final):>10}")
    for n in sorted(set(notes)):
        lines.append(f"note: {n} x{notes.count(n)}")
    for b in final:
        lines.append("    " + b)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "faults.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)
    total = sum(len(r["bad"]) for r in results.values()) + len(final)
    say(f"{total} invariant violations; table in {OUT}/faults.txt, logs in {OUT}/faults-logs/")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
