"""elib.py - what the end-to-end tests share: their own gateway, meters and rooms in the test database, the meter simulator and the collector on them, and the money forms of the staff console."""
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "it"))
sys.path.insert(0, os.path.join(HERE, "..", "collector"))
from lib import VAR, Client, check, count, db, db_value, done, idem_of, operator  # noqa: E402,F401
import clib  # noqa: E402
from clib import wait  # noqa: E402,F401

# clib keeps the simulator's and the collector's files under WORK (looked up
# when they start): ours go next to the test instance, apart from the
# collector tests' directory; the database is the test instance's own.
WORK = os.path.join(VAR, "e2e")
clib.WORK = WORK
KEY = os.path.join(VAR, "vending.key")  # the key the staff instance was made with
DBNAME = "prepaid"
PROFILE = "ddsy1352nk"
PORTS = range(16100, 16120)  # the end-to-end tests' simulators, apart from every other test's


def free_ports(n):
    """N ports of PORTS that nothing listens on now (another test run may be at the same test)."""
    got = []
    for port in PORTS:
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            got.append(port)
        except OSError:
            pass
        finally:
            s.close()
        if len(got) == n:
            return got
    raise RuntimeError(f"fewer than {n} free ports in {PORTS}")


def ids(rows):
    return ",".join(str(x) for x in rows)


class Rig:
    """A piece of site of our own: building, gateway, a bus per TCP port,
    rooms and meters in the database; start() runs the simulator serving
    exactly those meters (load off) and a collector reading only our gateway,
    stop() ends both.

    BUSES: one list per bus of [(opening_fen, opening_count), ...], one meter
    per address 1, 2, ...; each bus gets a free TCP port of PORTS. Meter
    numbers are 880000000 + bus id * 100 + address, so they never meet the
    reference site's (1010101...) nor an earlier run's.
    """

    def __init__(self, tag, buses):
        self.tag = tag
        self.sim = self.collector = None
        ports = dict(zip(free_ports(len(buses)), buses))
        suffix = uuid.uuid4().hex[:6]
        self.building_name = f"E2E{tag}-{suffix}"
        self.building = int(db_value(f"INSERT INTO buildings (name, floors, note) VALUES"
                                     f" ('{self.building_name}', 1, 'e2e test') RETURNING id"))
        self.gateway = int(db_value(f"INSERT INTO gateways (name, host, ports, building_id, note) VALUES"
                                    f" ('GW-{self.building_name}', '127.0.0.1', {len(ports)}, {self.building},"
                                    f" 'e2e test') RETURNING id"))
        self.meters = []  # dicts: id number port address room open_fen open_count
        for p, (port, meters) in enumerate(sorted(ports.items()), 1):
            bus = int(db_value(f"INSERT INTO buses (gateway_id, port, address) VALUES"
                               f" ({self.gateway}, {p}, 'tcp://127.0.0.1:{port}') RETURNING id"))
            for a, (fen, cnt) in enumerate(meters, 1):
                room = f"{p}{a:02d}"
                rid = int(db_value(f"INSERT INTO rooms (building_id, floor, number) VALUES"
                                   f" ({self.building}, 1, '{room}') RETURNING id"))
                number = 880000000 + bus * 100 + a
                mid = int(db_value(f"INSERT INTO meters (number, profile, bus_id, address, room_id) VALUES"
                                   f" ({number}, '{PROFILE}', {bus}, {a}, {rid}) RETURNING id"))
                self.meters.append(dict(id=mid, number=number, port=port, address=a, room=room,
                                        open_fen=fen, open_count=cnt))
        self.by_id = {m["id"]: m for m in self.meters}

    def start(self, poll_s=2, sim_args=()):
        # a new simulator state: every meter as we set it, drawing nothing
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(WORK, f"sim-{self.tag}", "sim.log"))
        self.sim = clib.Sim(f"sim-{self.tag}", [(m["port"], m["address"], m["number"], PROFILE) for m in self.meters],
                            ["--no-load", *sim_args], key=KEY)
        # the simulator answers even when a port was taken meanwhile (it retries): make sure it is ours
        with open(os.path.join(self.sim.dir, "sim.log")) as f:
            busy = [x for x in f.read().splitlines() if "listen" in x]
        if busy:
            raise RuntimeError(f"the simulator could not listen: {busy}")
        self.sim.ctl("load off")
        for m in self.meters:
            self.sim.ctl(f"set {m['number']} remaining={m['open_fen']} count={m['open_count']}")
        self.start_collector(poll_s)

    def start_collector(self, poll_s=2):
        """Starts the collector on our gateway (again, after stop_collector)."""
        self.collector = clib.Collector(f"collector-{self.tag}", key=KEY, extra={
            "db_name": DBNAME, "gateways": str(self.gateway), "poll_interval_s": str(poll_s),
            "command_retry_s": "1", "command_retry_max_s": "4", "settings_check_s": "2"})

    def stop_collector(self):
        """Stops the collector only: the meters go on, nothing reaches them."""
        if self.collector is not None:
            self.collector.stop()
            self.collector = None

    def stop(self):
        """Stops the collector and the simulator (always, from a finally)."""
        if self.collector is not None:
            self.collector.stop()
            self.collector = None
        if self.sim is not None:
            self.sim.stop()
            self.sim = None

    # --- the truth: the simulated meters
    def meter(self, m):
        """The simulator's view of meter M (a dict or an id): remaining, count, relay, force_en, ..."""
        m = m if isinstance(m, dict) else self.by_id[int(m)]
        return self.sim.get(m["number"])

    def first_reads(self, timeout=20):
        """Waits until the collector has read every meter as the simulator holds it."""
        def read():
            rows = db(f"SELECT meter_id, remaining_fen, purchase_count FROM meter_state WHERE read_at IS NOT NULL"
                      f" AND meter_id IN ({ids(self.by_id)})")
            got = {int(r[0]): (r[1], r[2]) for r in rows}
            return all(got.get(m["id"]) == (str(m["open_fen"]), str(m["open_count"])) for m in self.meters)
        return wait(read, timeout, 0.2)

    def read_shows(self, m, timeout=15):
        """Waits until the collector's last read of M (meter_state) shows what the simulator holds."""
        def same():
            s = self.meter(m)
            row = db(f"SELECT remaining_fen, purchase_count FROM meter_state WHERE meter_id = {m['id']}")
            return row and row[0] == [str(s["remaining"]), str(s["count"])]
        return wait(same, timeout, 0.2)

    # --- the database's view
    def tokens_done(self, meter_ids=None, timeout=30):
        """Waits until no credit/debit/relay command of these meters is queued, sent or waiting."""
        where = f"meter_id IN ({ids(meter_ids or self.by_id)}) AND status IN ('queued', 'sent', 'waiting')"
        return wait(lambda: count("commands", where) == 0, timeout, 0.2)

    def confirmed_tokens(self, mid):
        return count("commands", f"meter_id = {mid} AND kind IN ('credit', 'debit') AND status = 'confirmed'")

    def ledger_sum(self, mid):
        """What the ledger moved onto or off the meter (a carry-over at an opening moves nothing: the money
        was on the meter already)."""
        return int(db_value(f"SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE meter_id = {mid}"
                            " AND kind <> 'carry_over'"))

    def collector_log(self, n=15):
        path = os.path.join(WORK, f"collector-{self.tag}.log")
        try:
            with open(path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def cmd_of(entry):
    """(status, error) of the token command of ledger entry ENTRY."""
    r = db(f"SELECT c.status, c.error FROM ledger l JOIN commands c ON c.id = l.command_id WHERE l.id = {entry}")
    return tuple(r[0]) if r else (None, None)


def wait_confirmed(entries, timeout=30):
    """Waits until the token of every entry is confirmed (or failed); True when all are confirmed."""
    wait(lambda: all(cmd_of(e)[0] in ("confirmed", "failed") for e in entries), timeout, 0.2)
    return all(cmd_of(e)[0] == "confirmed" for e in entries)


def loc_id(r, path="/sale"):
    """The id in a redirect to PATH?id=N, or None."""
    m = re.search(re.escape(path) + r"\?id=(\d+)", r.location) if r.status == 303 else None
    return int(m.group(1)) if m else None


def yuan(fen):
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


# --- the money forms, as a finance operator fills them in
def open_form(c, f, choice="carry"):
    """Opens an account with the fields F as an operator does: the money found on each meter carried over
    (CHOICE; a debt carried), another room's meter confirmed, then the confirmation in figures accepted."""
    r = c.post("/account/open", f)
    if r.status != 200 or 'id="found"' not in r.text:
        return r
    for mid in re.findall(r'<tr id="found-(\d+)"', r.text):
        if f'name="money_{mid}" value="clear"' in r.text:
            f[f"money_{mid}"] = choice
        elif f'name="money_{mid}" value="debt"' in r.text:
            f[f"money_{mid}"] = "debt"
        if f'name="other_{mid}"' in r.text:
            f[f"other_{mid}"] = "1"
    r = c.post("/account/open", f)
    if r.status == 200 and 'name="confirm" value="1"' in r.text:
        for mid, amt in re.findall(r'name="amt_(\d+)" value="(-?\d+)"', r.text):
            f[f"amt_{mid}"] = amt
        f["confirm"] = "1"
        r = c.post("/account/open", f)
    return r


def open_account(c, rig, room, holder, first="", choice="carry"):
    r = c.get("/account/open")
    return open_form(c, {"holder": holder, "holder_no": "E" + uuid.uuid4().hex[:6], "phone": "",
                         "building_id": str(rig.building), "room": room, "meters": "",
                         "first": first, "idem": idem_of(r)}, choice)


def money_form(c, path, account, meter, amount, idem=None, twice=False):
    """Sell or refund (PATH /sell or /refund), confirmed; TWICE sends the same form again (a double click).
    Returns (idem, [responses])."""
    if idem is None:
        r = c.get(f"{path}?account={account}")
        idem = idem_of(r)
    f = {"account": account, "meter": meter, "amount": amount, "idem": idem, "confirm": "1"}
    out = [c.post(path, f)]
    if twice:
        out.append(c.post(path, f))
    return idem, out


def reversal(c, entry, reason, idem=None, twice=False):
    if idem is None:
        r = c.get(f"/sale?id={entry}")
        idem = idem_of(r)
    f = {"id": entry, "reason": reason, "idem": idem}
    out = [c.post("/reversal", f)]
    if twice:
        out.append(c.post("/reversal", f))
    return idem, out


@contextlib.contextmanager
def ledger_fault(kind):
    """While inside: writing a ledger entry of KIND fails in the database (as a lost connection or a
    deadlock that outlasts the retries would), so a money action stops half way."""
    subprocess.run(["mariadb", f"--defaults-file={VAR}/my.cnf", "-uroot", DBNAME], check=True, text=True,
                   input="DROP TRIGGER IF EXISTS e2e_fault;\nDELIMITER //\nCREATE TRIGGER e2e_fault BEFORE INSERT ON ledger FOR EACH ROW BEGIN"
                         f" IF NEW.kind = '{kind}' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'e2e fault';"
                         " END IF; END//\n")
    try:
        yield
    finally:
        db("DROP TRIGGER IF EXISTS e2e_fault")


def reconcile_clean(c, rig):
    """The reconciliation page, and which of our meters it lists (it lists the whole site)."""
    r = c.get("/reconcile")
    # the mismatches; the money found on meters at openings (listed after them) is none
    text = r.text.split('id="opening-money"')[0]
    listed = [m["number"] for m in rig.meters if re.search(r"\b%d\b" % m["number"], text)]
    return r.status == 200 and 'id="n-counts"' in r.text, listed


def since(t0):
    return "%.1f s" % (time.time() - t0)
