"""soak.py - make soak: the demo site with its collector under a steady load of staff and students for SOAK_MINUTES (default 30): errors, p50/p99 per page, each program's memory, MariaDB's connections and InnoDB history length, minute by minute; a table and an SVG chart in tests/out/."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VAR = os.path.join(TOP, "var", "soak")
PORT = int(os.environ.get("SOAK_PORT", "18096"))
MINUTES = int(os.environ.get("SOAK_MINUTES", "30"))
STAFF = int(os.environ.get("SOAK_STAFF", "50"))
STUDENTS = int(os.environ.get("SOAK_STUDENTS", "2000"))
ACCOUNTS = int(os.environ.get("SOAK_ACCOUNTS", "200"))
SLICE = int(os.environ.get("SOAK_SLICE_S", "60"))
# think time between two requests of one connection, ms (uniform from half to one and a half of
# it): people click, read and click again; wrk without it is a flood that measures the queue
STAFF_THINK = int(os.environ.get("SOAK_STAFF_THINK_MS", "2000"))
STUDENT_THINK = int(os.environ.get("SOAK_STUDENT_THINK_MS", "20000"))
OUT = os.path.join(TOP, "tests", "out")
os.environ.update(PREPAID_VAR=VAR, PREPAID_PORT=str(PORT), BASE=f"http://127.0.0.1:{PORT}", TOP=TOP)
sys.path.insert(0, os.path.join(TOP, "tests", "it"))
import lib  # noqa: E402

CTL = ["sh", os.path.join(TOP, "conf", "prepaidctl")]
PROGRAMS = ["staff", "mobile", "nginx", "mariadb", "collector", "meter-sim"]


def say(*a):
    print(*a, flush=True)


def start():
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", 15020)) == 0:
            say("soak: the meter simulator's ports (15020-15035) are taken: stop `make run` first (make stop)")
            sys.exit(2)
    subprocess.run(CTL + ["stop"], capture_output=True)
    shutil.rmtree(VAR, ignore_errors=True)
    env = dict(os.environ, PREPAID_POLL_S="10", PREPAID_WORKERS=os.environ.get("PREPAID_WORKERS", "4"))
    r = subprocess.run(CTL + ["start"], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        say(r.stdout, r.stderr)
        sys.exit(1)


def wait_reads(n, timeout=180):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if int(lib.db_value("SELECT COUNT(*) FROM meter_state WHERE read_at > UTC_TIMESTAMP() - INTERVAL 5 MINUTE")) >= n:
            return True
        time.sleep(2)
    return False


def open_accounts(op):
    """ACCOUNTS rooms with a household meter opened (money found carried over); [(account, meter)]."""
    rooms = lib.db("SELECT r.building_id, r.number, m.id FROM rooms r JOIN meters m ON m.room_id = r.id"
                   " WHERE m.profile = 'ddsy1352nk' AND NOT EXISTS (SELECT 1 FROM account_meters x"
                   " WHERE x.meter_id = m.id AND x.active = 1) ORDER BY r.id LIMIT %d" % ACCOUNTS)
    out = []
    for b, number, mid in rooms:
        r = op.get("/account/open")
        f = {"holder": "压测" + number, "holder_no": f"S{b}{number}", "phone": "", "building_id": b, "room": number,
             "meters": "", "first": "", "idem": lib.idem_of(r)}
        for _ in range(3):
            r = op.post("/account/open", f)
            if r.status == 303:
                break
            for m in re.findall(r'name="money_(\d+)" value="carry"', r.text):
                f[f"money_{m}"] = "carry"
            for m in re.findall(r'name="other_(\d+)"', r.text):
                f[f"other_{m}"] = "1"
            for m, amt in re.findall(r'name="amt_(\d+)" value="(-?\d+)"', r.text):
                f[f"amt_{m}"] = amt
            if 'name="confirm" value="1"' in r.text:
                f["confirm"] = "1"
        m = re.search(r"id=(\d+)", r.location or "")
        if m:
            out.append((m.group(1), mid, b, number))
    return out


def student_sessions(op, accounts):
    cookies = []
    for aid, _, b, number in accounts:
        r = op.post(f"/account/student-password?account={aid}", {"confirm": "1"})
        m = re.search(r'id="new-password">([^<]+)<', r.text)
        if not m:
            continue
        s = lib.Client()
        s.get("/m/login")
        s.post("/m/login", {"building": b, "room": number, "password": m.group(1)})
        s.get("/m/password?first=1")
        s.post("/m/password", {"old": m.group(1), "new": "Soak2password" + aid, "confirm": "Soak2password" + aid})
        c = [k.value for k in s.jar if k.name == "msid"]
        if c and s.get("/m/").status == 200:
            cookies.append(c[0])
    return cookies


LUA_COMMON = """
errors = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
	local e = 0
	for _, t in ipairs(threads) do e = e + t:get("errors") end
	io.write(string.format("ERRORS %d\\n", e))
end
"""


def lua(name, body):
    p = os.path.join(VAR, "tmp", name + ".lua")
    think = STUDENT_THINK if name.startswith("student") else STAFF_THINK
    with open(p, "w") as f:
        f.write(LUA_COMMON + body)
        if think > 0:
            f.write("function delay() return math.random(%d, %d) end\n" % (think // 2, think * 3 // 2))
    return p


def scripts(sid, csrf, accounts, cookies):
    accs = ",".join("{%s,%s}" % (a, m) for a, m, _, _ in accounts)
    page = """
local n = 0
function request()
	n = n + 1
	return wrk.format("GET", PATH, { ["Cookie"] = "sid=%s" })
end
function response(status, headers, body) if status ~= 200 then errors = errors + 1 end end
""" % sid
    s = {}
    for name, path in (("home", '"/"'), ("meters", '"/meters?per=50"'), ("sales_day", '"/report/sales/day"')):
        s[name] = lua("staff-" + name, "PATH = " + path + "\n" + page)
    s["account"] = lua("staff-account", """
local accounts = {%s}
local n = 0
function request()
	n = n + 1
	return wrk.format("GET", "/account?id=" .. accounts[(n %% #accounts) + 1][1], { ["Cookie"] = "sid=%s" })
end
function response(status, headers, body) if status ~= 200 then errors = errors + 1 end end
""" % (accs, sid))
    s["sell"] = lua("staff-sell", """
local accounts = {%s}
local n = 0
local tid = 0
function init(args) math.randomseed(os.time() + math.floor(os.clock() * 1000000)) end
function request()
	n = n + 1
	local a = accounts[(n %% #accounts) + 1]
	local body = "account=" .. a[1] .. "&meter=" .. a[2] .. "&amount=0.01&confirm=1&csrf=%s&idem=" ..
		string.format("%%x-%%x-%%d", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff), n)
	return wrk.format("POST", "/sell", { ["Content-Type"] = "application/x-www-form-urlencoded",
		["Cookie"] = "sid=%s", ["Origin"] = "%s" }, body)
end
function response(status, headers, body) if status ~= 303 then errors = errors + 1 end end
""" % (accs, csrf, sid, lib.BASE))
    s["student"] = lua("student-home", """
local cookies = {%s}
local n = 0
function request()
	n = n + 1
	return wrk.format("GET", "/m/", { ["Cookie"] = "msid=" .. cookies[(n %% #cookies) + 1] })
end
function response(status, headers, body) if status ~= 200 then errors = errors + 1 end end
""" % ",".join('"%s"' % c for c in cookies))
    return s


def ms(v):
    m = re.match(r"([0-9.]+)(us|ms|s)", v)
    if not m:
        return 0.0
    x = float(m.group(1))
    return x / 1000 if m.group(2) == "us" else x * 1000 if m.group(2) == "s" else x


def parse_wrk(out):
    r = {"rps": 0.0, "p50": 0.0, "p99": 0.0, "req": 0, "err": 0}
    for line in out.splitlines():
        t = line.split()
        if line.startswith("Requests/sec:"):
            r["rps"] = float(t[1])
        elif t[:1] == ["50%"]:
            r["p50"] = ms(t[1])
        elif t[:1] == ["99%"]:
            r["p99"] = ms(t[1])
        elif re.match(r"\s*\d+ requests in", line):
            r["req"] = int(t[0])
        elif line.startswith("ERRORS"):
            r["err"] += int(t[1])
        elif "Socket errors" in line:
            r["err"] += sum(int(x) for x in re.findall(r"\d+", line))
    return r


def rss():
    """kB per program: the process of its pid file and all its descendants."""
    ps = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss="], capture_output=True, text=True).stdout.split("\n")
    kids, mem = {}, {}
    for line in ps:
        t = line.split()
        if len(t) == 3:
            kids.setdefault(int(t[1]), []).append(int(t[0]))
            mem[int(t[0])] = int(t[2])
    out = {}
    for p in PROGRAMS:
        try:
            root = int(open(os.path.join(VAR, "run", p + ".pid")).read())
        except (OSError, ValueError):
            continue
        todo, total = [root], 0
        while todo:
            x = todo.pop()
            total += mem.get(x, 0)
            todo += kids.get(x, [])
        out[p] = total
    return out


def dbstat():
    conns = lib.db_value("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'THREADS_CONNECTED'")
    hist = lib.db_value("SELECT COUNT FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'")
    return int(conns or 0), int(hist or 0)


def minute(s):
    plan = [("home", s["home"], 10), ("meters", s["meters"], 10), ("sales_day", s["sales_day"], 10),
            ("account", s["account"], STAFF - 40 if STAFF > 40 else 5), ("sell", s["sell"], 10),
            ("student", s["student"], STUDENTS)]
    procs = []
    for name, script, c in plan:
        t = 4 if name == "student" else 1
        procs.append((name, subprocess.Popen(["wrk", f"-t{t}", f"-c{max(c, t)}", f"-d{SLICE}s", "--timeout", "10s",
                                               "--latency", "-s", script, lib.BASE], stdout=subprocess.PIPE,
                                              stderr=subprocess.STDOUT, text=True)))
    time.sleep(max(SLICE - 5, 1))
    mem, (conns, hist) = rss(), dbstat()
    res = {name: parse_wrk(p.communicate()[0]) for name, p in procs}
    return res, mem, conns, hist


def svg(rows, path):
    """Two panels: p99 per page (ms) and memory per program (MB), minute by minute."""
    W, H, L, PAD = 760, 220, 60, 30
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{2 * H + 40}" font-family="sans-serif"'
           ' font-size="11">']
    panels = [("p99 (ms)", lambda r: r["pages"], lambda v: v["p99"]),
              ("memory (MB)", lambda r: r["mem"], lambda v: v / 1024)]
    for k, (title, get, val) in enumerate(panels):
        y0 = k * (H + 20) + 10
        names = sorted(get(rows[0]).keys())
        top = max([val(get(r)[n]) for r in rows for n in names] + [1]) * 1.1
        out.append(f'<text x="{L}" y="{y0 + 12}">{title}, top {top:.0f}</text>')
        out.append(f'<rect x="{L}" y="{y0 + PAD}" width="{W - L - 120}" height="{H - PAD - 20}" fill="none"'
                   ' stroke="#999"/>')
        for i, n in enumerate(names):
            pts = []
            for j, r in enumerate(rows):
                x = L + (W - L - 120) * (j / max(len(rows) - 1, 1))
                y = y0 + H - 20 - (H - PAD - 20) * val(get(r)[n]) / top
                pts.append(f"{x:.1f},{y:.1f}")
            c = colors[i % len(colors)]
            out.append(f'<polyline fill="none" stroke="{c}" stroke-width="1.5" points="{" ".join(pts)}"/>')
            out.append(f'<text x="{W - 110}" y="{y0 + PAD + 14 * i + 10}" fill="{c}">{n}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out))


def main():
    start()
    lib.VAR, lib.BASE = VAR, os.environ["BASE"]
    say(f"soak: site on {lib.BASE}, waiting for the collector's first reads")
    if not wait_reads(480):
        say("soak: the collector did not read the meters")
        return 1
    op = lib.operator(role=1)
    lib.db("UPDATE settings SET value = '100000000000' WHERE name = 'hoard_cap_fen'")
    accounts = open_accounts(op)
    cookies = student_sessions(op, accounts)
    sid = [k.value for k in op.jar if k.name == "sid"][0]
    say(f"soak: {len(accounts)} accounts, {len(cookies)} students signed in; {STAFF} staff and {STUDENTS} student"
        f" connections for {MINUTES} minutes")
    s = scripts(sid, op.csrf_token, accounts, cookies)
    rows = []
    l0 = int(lib.db_value("SELECT COUNT(*) FROM ledger"))
    hdr = "min " + " ".join(f"{n:>20}" for n in ("home", "meters", "sales_day", "account", "sell", "student"))
    hdr += "  err%  " + " ".join(f"{p[:8]:>8}" for p in PROGRAMS) + "  conns hist"
    say(hdr)
    lines = [hdr]
    for m in range(1, MINUTES + 1):
        res, mem, conns, hist = minute(s)
        req = sum(r["req"] for r in res.values())
        err = sum(r["err"] for r in res.values())
        rows.append({"pages": res, "mem": mem, "conns": conns, "hist": hist, "req": req, "err": err})
        line = f"{m:>3} " + " ".join(f"{res[n]['rps']:>6.0f}/s {res[n]['p50']:>5.0f}/{res[n]['p99']:>5.0f}"
                                      for n in ("home", "meters", "sales_day", "account", "sell", "student"))
        line += f" {100.0 * err / max(req, 1):5.2f} " + " ".join(f"{mem.get(p, 0) // 1024:>6}MB" for p in PROGRAMS)
        line += f" {conns:>6} {hist:>4}"
        say(line)
        lines.append(line)
    sold = int(lib.db_value("SELECT COUNT(*) FROM ledger")) - l0
    os.makedirs(OUT, exist_ok=True)
    svg(rows, os.path.join(OUT, "soak.svg"))
    base = rows[1] if len(rows) > 2 else rows[0]
    verdict = []
    for p in PROGRAMS:
        a, b = base["mem"].get(p, 0), rows[-1]["mem"].get(p, 0)
        ok = a == 0 or b <= a * 1.10
        verdict.append(f"{p}: {a // 1024} MB after warm-up, {b // 1024} MB at the end: {'ok' if ok else 'GREW'}")
    req = sum(r["req"] for r in rows)
    err = sum(r["err"] for r in rows)
    verdict.append(f"requests {req}, errors {err} ({100.0 * err / max(req, 1):.3f} %), sales written {sold}")
    rc, _ = subprocess.run([f"{TOP}/build/prepaid-admin", "reconcile"], env=dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf"),
                           capture_output=True, text=True).returncode, None
    verdict.append(f"reconciliation after the run: {'clean' if rc == 0 else 'MISMATCHES'}")
    for v in verdict:
        say("soak: " + v)
    with open(os.path.join(OUT, "soak.txt"), "w") as f:
        f.write("\n".join(lines + verdict) + "\n")
    say(f"soak: table in {OUT}/soak.txt, chart in {OUT}/soak.svg")
    bad = any("GREW" in v for v in verdict) or err > req * 0.001
    subprocess.run(CTL + ["stop"], capture_output=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
