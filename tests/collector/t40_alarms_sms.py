"""t40_alarms_sms.py - S4/S5: alarm episodes opened and closed once; one SMS per balance episode through the simulated modem; modem errors delay, never lose."""
import os
import time

from clib import Collector, Sim, check, done, meter_id, num, read_all, setup_db, site, sql, val, wait

setup_db()
PORT = 16060
meters = [(a, 2040100 + a, "ddsy1352nk") for a in range(1, 4)]
site([(1, 1, f"tcp://127.0.0.1:{PORT}", meters)])
A, B, C = (n for _, n, _ in meters)
ia, ib, ic = (meter_id(n) for n in (A, B, C))
sql("INSERT INTO accounts (id, holder, phone) VALUES (1, '张三', '+8613800138000'), (2, '李四', '13912345678')")
sql(f"INSERT INTO account_meters (account_id, meter_id) VALUES (1, {ia}), (2, {ib})")
modem = None
sim = Sim("alarms", [(PORT, a, n, p) for a, n, p in meters], ["--no-load"])
modem = os.path.join(sim.dir, "modem")
sim.stop()
sim.args += ["--modem", modem, "--sms-out", sim.sms]
sim.start()
for n in (A, B, C):
    sim.ctl(f"set {n} remaining=100000")
co = Collector("alarms", modem=modem)
check(read_all(), "first cycle, every meter well above its alarms")
check(num("SELECT COUNT(*) FROM alarms") == 0, "no alarm")


def sms_lines(kind="full="):
    if not os.path.exists(sim.sms):
        return []
    return [line for line in open(sim.sms, encoding="utf-8") if kind in line]


def episodes(mid, kind):
    return num(f"SELECT COUNT(*) FROM alarms WHERE meter_id = {mid} AND kind = '{kind}'")


def is_open(mid, kind):
    return num(f"SELECT COUNT(*) FROM alarms WHERE meter_id = {mid} AND kind = '{kind}' AND closed_at IS NULL"
               f" AND open_key IS NOT NULL")


sim.ctl(f"set {A} remaining=1500")
for i in range(3):
    read_all()
check(episodes(ia, "alarm1") == 1 and is_open(ia, "alarm1"), "below alarm 1: one episode over 3 cycles")
check(num(f"SELECT remaining_fen FROM alarms WHERE meter_id = {ia}") == 1500, "the episode records the amount")
check(wait(lambda: len(sms_lines()) == 1, 15), "its SMS went out through the modem")
line = (sms_lines() or [""])[0]
check("to=+8613800138000" in line and "3号楼 301 房间剩余电费 15.00 元" in line and "报警金额" in line,
      f"to the account holder, with room and amount in yuan: {line.strip()}")
check(num("SELECT COUNT(*) FROM sms_outbox WHERE status = 'sent' AND modem_ref <> ''") == 1,
      "the outbox row is sent with the modem's reference")

sim.ctl(f"set {A} remaining=300")
read_all()
read_all()
check(episodes(ia, "alarm1") == 1 and not is_open(ia, "alarm1"), "below alarm 2: the alarm 1 episode is closed, once")
check(episodes(ia, "alarm2") == 1 and is_open(ia, "alarm2"), "and one alarm 2 episode is open")
sim.ctl(f"set {A} remaining=-20")
read_all()
check(episodes(ia, "arrears") == 1 and is_open(ia, "arrears") and not is_open(ia, "alarm2"), "arrears episode")
check(wait(lambda: len(sms_lines()) == 3, 15), "one SMS per balance episode (3)")
check("-0.20 元" in "".join(sms_lines()), "the arrears SMS gives the negative amount")
sim.ctl(f"set {A} remaining=50000")
read_all()
check(num(f"SELECT COUNT(*) FROM alarms WHERE meter_id = {ia} AND closed_at IS NULL") == 0,
      "recharged: every episode closed")
read_all()
check(num(f"SELECT COUNT(*) FROM alarms WHERE meter_id = {ia}") == 3 and len(sms_lines()) == 3,
      "and nothing more opens or is sent")

# A meter without an account: episodes, no SMS.
sim.ctl(f"set {C} remaining=100")
read_all()
check(is_open(ic, "alarm2") and num(f"SELECT COUNT(*) FROM sms_outbox o JOIN alarms a ON a.id = o.alarm_id"
                                    f" WHERE a.meter_id = {ic}") == 0, "a meter without an account: alarm, no SMS")

# Overload (status bit 4).
sim.ctl(f"set {C} threshold=100 remaining=100000")
sim.ctl(f"load {C} 2000")
check(wait(lambda: sim.get(C)["status"] & 16, 10), "the simulator trips meter C for overload")
read_all()
check(is_open(ic, "overload") == 1, "an overload episode opens")
read_all()
check(episodes(ic, "overload") == 1, "once")

# Modem errors: the message waits and goes out once when the network is back.
sim.ctl("modem error 331 5")
t0 = time.time()
sim.ctl(f"set {B} remaining=1000")
read_all()
check(wait(lambda: (num("SELECT MAX(tries) FROM sms_outbox WHERE status = 'queued'") or 0) >= 1, 10),
      "the modem's +CMS ERROR: 331 keeps the message queued")
err = val("SELECT error FROM sms_outbox WHERE status = 'queued' LIMIT 1")
check(err is not None and "331" in err, f"with the error recorded ({err})")
check(wait(lambda: len([x for x in sms_lines() if "to=13912345678" in x]) == 1, 30),
      f"sent once the network is back ({time.time() - t0:.1f} s)")
time.sleep(2)
check(len([x for x in sms_lines() if "to=13912345678" in x]) == 1, "exactly once in the modem's file")
check(num("SELECT COUNT(*) FROM sms_outbox WHERE status = 'queued'") == 0 and
      num("SELECT tries FROM sms_outbox WHERE phone = '13912345678'") >= 2, "the outbox row is sent after retries")
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'modem_rssi'") == 21, 40),
      "modem signal figure (AT+CSQ) = 21")
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'sms_outbox'") == 0, 5),
      "sms_outbox figure = 0")

# A long text goes in parts of 67 characters with a concatenation header.
long = "【通知】" + "宿舍楼电费系统维护，" * 15
sql(f"INSERT INTO sms_outbox (phone, body) VALUES ('+8613800138000', '{long}')")
check(wait(lambda: any(long in x for x in sms_lines()), 15), f"a {len(long)}-character text arrives whole")
parts = [x for x in sms_lines("part=") if "part=1/3" in x or "part=2/3" in x or "part=3/3" in x]
check(len(parts) == 3, "in 3 parts", str(len(parts)))

# Episodes survive a restart: nothing is opened twice.
co.stop()
co = Collector("alarms", modem=modem)
read_all()
check(num("SELECT COUNT(*) FROM alarms") == 6 and len(sms_lines()) == 5,
      "after a restart the open episodes are not opened again")
co.stop()
sim.stop()
done()
