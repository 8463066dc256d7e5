"""clib.py - what the collector tests share: their own database, simulator and collector, on ports 16020+."""
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "it"))
from lib import TOP, VAR, check, done  # noqa: E402,F401

DBNAME = "prepaid_ct"
WORK = os.path.join(VAR, "ct")
SIM = os.path.join(TOP, "build", "meter-sim")
COLLECTOR = os.path.join(TOP, "build", "collector")


def sql(q):
    """Runs SQL as root in the collector tests' database; rows of strings."""
    out = subprocess.run(["mariadb", f"--defaults-file={VAR}/my.cnf", "-uroot", "-N", "-B", DBNAME, "-e", q],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def val(q):
    rows = sql(q)
    return rows[0][0] if rows else None


def num(q):
    v = val(q)
    return int(v) if v not in (None, "NULL") else None


def wait(fn, timeout=20.0, step=0.1):
    """Polls FN until it returns something true; returns it, or None after TIMEOUT."""
    end = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > end:
            return None
        time.sleep(step)


def setup_db():
    """A fresh database with every migration, the grants, and no site."""
    os.makedirs(WORK, exist_ok=True)
    subprocess.run(["mariadb", f"--defaults-file={VAR}/my.cnf", "-uroot", "-e", f"DROP DATABASE IF EXISTS {DBNAME}"],
                   check=True)
    subprocess.run(["sh", f"{TOP}/sql/migrate.sh", DBNAME, VAR, "--", f"--defaults-file={VAR}/my.cnf", "-uroot"],
                   check=True, capture_output=True)
    sql("UPDATE settings SET value = '30' WHERE name = 'poll_interval_min'")


def key_file(name="vending.key", seed="ab"):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        f.write((seed * 32)[:64] + "\n")
    os.chmod(path, 0o600)
    return path


def site(buses, room=True):
    """Creates gateways, buses and meters. BUSES: list of (gateway, port, address, [(addr, number, profile)])."""
    gws = sorted({b[0] for b in buses})
    sql("INSERT INTO buildings (name, floors) VALUES ('3号楼', 6)")
    for g in gws:
        sql(f"INSERT INTO gateways (id, name, host, ports) VALUES ({g}, 'GW{g}', '127.0.0.1', 4)")
    for i, (g, port, addr, meters) in enumerate(buses, 1):
        sql(f"INSERT INTO buses (id, gateway_id, port, address) VALUES ({i}, {g}, {port}, '{addr}')")
        rows = []
        for a, number, profile in meters:
            rows.append(f"({number}, '{profile}', {i}, {a})")
        if rows:
            sql("INSERT INTO meters (number, profile, bus_id, address) VALUES " + ",".join(rows))
    if room:
        sql("INSERT INTO rooms (building_id, floor, number) SELECT b.id, 3, CONCAT('3', LPAD(m.address, 2, '0'))"
            " FROM buildings b JOIN meters m WHERE m.profile = 'ddsy1352nk' AND m.bus_id = 1")
        sql("UPDATE meters m JOIN rooms r ON r.number = CONCAT('3', LPAD(m.address, 2, '0'))"
            " SET m.room_id = r.id WHERE m.bus_id = 1 AND m.profile = 'ddsy1352nk'")


def meter_id(number):
    return num(f"SELECT id FROM meters WHERE number = {number}")


class Sim:
    """The meter simulator on a site CSV (tcp_port,address,meter_number,profile)."""

    def __init__(self, name, rows, extra=(), key=None):
        self.name = name
        self.dir = os.path.join(WORK, name)
        os.makedirs(self.dir, exist_ok=True)
        self.ctlpath = os.path.join(self.dir, "ctl")
        self.state = os.path.join(self.dir, "state")
        self.sms = os.path.join(self.dir, "sms.out")
        for f in (self.state, self.sms):
            if os.path.exists(f):
                os.unlink(f)
        csv = os.path.join(self.dir, "site.csv")
        with open(csv, "w") as f:
            for r in rows:
                f.write(",".join(str(x) for x in r) + "\n")
        self.args = [SIM, "--state", self.state, "--key", key or key_file(), "--control", self.ctlpath,
                     "--site", csv, *extra]
        self.proc = None
        self.start()

    def start(self):
        self.log = open(os.path.join(self.dir, "sim.log"), "a")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=self.log)
        ok = wait(lambda: self.proc.poll() is not None or (os.path.exists(self.ctlpath) and self.try_ctl("time")),
                  30)
        if self.proc.poll() is not None:
            raise RuntimeError(f"meter-sim exited: see {self.dir}/sim.log")
        assert ok

    def try_ctl(self, cmd):
        try:
            return self.ctl(cmd)
        except OSError:
            return None

    def ctl(self, cmd):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self.ctlpath)
        s.sendall((cmd + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        return data.decode().strip()

    def get(self, number):
        r = self.ctl(f"get {number}")
        assert r.startswith("ok"), r
        return {k: int(v) for k, v in (x.split("=", 1) for x in r.split()[1:])}

    def stats(self):
        r = self.ctl("stats")
        return {k: int(v) for k, v in (x.split("=", 1) for x in r.split()[1:])}

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.log.close()


class Collector:
    """build/collector with its own configuration file."""

    def __init__(self, name, key=None, modem="", extra=None):
        self.conf = os.path.join(WORK, name + ".conf")
        self.logpath = os.path.join(WORK, name + ".log")
        pw = open(os.path.join(VAR, "collector.password")).read().strip()
        lines = {
            "db_name": DBNAME, "db_socket": os.path.join(VAR, "run", "mysqld.sock"),
            "collector_user": "prepaid_collector", "collector_password": pw,
            "vending_key_file": key or key_file(), "tz_offset": "+08:00",
            "modem_device": modem, "command_retry_s": "1", "command_retry_max_s": "4",
            "command_lease_s": "30", "sms_retry_s": "1", "settings_check_s": "2",
        }
        lines.update(extra or {})
        with open(self.conf, "w") as f:
            for k, v in lines.items():
                f.write(f"{k} = {v}\n")
        os.chmod(self.conf, 0o600)
        self.proc = None
        self.start()

    def start(self):
        self.log = open(self.logpath, "a")
        env = dict(os.environ, PREPAID_CONF=self.conf)
        self.proc = subprocess.Popen([COLLECTOR, "-v"], env=env, stdout=self.log, stderr=self.log)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def hup(self):
        self.proc.send_signal(signal.SIGHUP)

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.proc = None
        self.log.close()

    def stop(self, timeout=10):
        """SIGTERM; returns (exit status, seconds taken)."""
        if not self.alive():
            return None, 0
        t = time.time()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        self.log.close()
        return rc, time.time() - t


def read_all(timeout=30):
    """A read request for every meter; returns once the collector marked it done."""
    rid = int(val("INSERT INTO read_requests (meter_id) VALUES (NULL) RETURNING id"))
    return wait(lambda: num(f"SELECT COUNT(*) FROM read_requests WHERE id = {rid} AND done_at IS NOT NULL"), timeout)


def read_meter(mid, timeout=15):
    rid = int(val(f"INSERT INTO read_requests (meter_id) VALUES ({mid}) RETURNING id"))
    return wait(lambda: num(f"SELECT COUNT(*) FROM read_requests WHERE id = {rid} AND done_at IS NOT NULL"), timeout)


def command(mid, kind, count=None, amount=None, payload=""):
    c = "NULL" if count is None else count
    a = "NULL" if amount is None else amount
    return int(val(f"INSERT INTO commands (meter_id, kind, purchase_count, amount_fen, payload)"
                   f" VALUES ({mid}, '{kind}', {c}, {a}, '{payload}') RETURNING id"))


def cmd_status(cid):
    return sql(f"SELECT status, error FROM commands WHERE id = {cid}")[0]


def wait_cmd(cid, states=("confirmed", "failed"), timeout=20):
    return wait(lambda: cmd_status(cid)[0] in states and cmd_status(cid), timeout)
