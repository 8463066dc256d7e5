"""t50_rtu.py - S1 over Modbus RTU: one bus served on a pseudo-terminal, read through rtu:///path?baud=9600&parity=E&stop=1; faults and a command on the serial line."""
import os

from clib import (Collector, Sim, check, command, done, meter_id, num, read_all, read_meter, setup_db, site, sql,
                  wait_cmd)

setup_db()
PORT = 16070
meters = [(a, 2050100 + a, "ddsy1352nk") for a in range(1, 6)]
tmp = Sim("rtu-probe", [(PORT, 1, 1, "ddsy1352nk")])  # only to know the directory
tmp.stop()
link = os.path.join(tmp.dir, "..", "rtu", "bus")
os.makedirs(os.path.dirname(link), exist_ok=True)
sim = Sim("rtu", [(PORT, a, n, p) for a, n, p in meters], ["--no-load", "--rtu", f"{PORT}={link}", "--rtu-only"])
site([(1, 1, f"rtu://{os.path.abspath(link)}?baud=9600&parity=E&stop=1", meters)], room=False)
for i, (_, n, _) in enumerate(meters):
    sim.ctl(f"set {n} remaining={7000 + i} count={i + 1}")
co = Collector("rtu")
check(read_all(), "a cycle over the serial line")
rows = sql("SELECT m.number, r.remaining_fen, r.purchase_count FROM readings r JOIN meters m ON m.id = r.meter_id"
           " ORDER BY m.number")
check(len({r[0] for r in rows}) == 5, "5 meters read over RTU")
check(all(int(r[1]) == 7000 + int(r[0]) - 2050101 and int(r[2]) == int(r[0]) - 2050100 for r in rows),
      "each with its own values", str(rows))
victim = meters[2][1]
vid = meter_id(victim)


def health():
    r = sql("SELECT reads_ok, reads_failed, timeouts, exceptions, bad_frames, link_errors FROM bus_health")[0]
    return dict(zip(["ok", "failed", "timeouts", "exceptions", "bad_frames", "link_errors"], map(int, r)))


for f, counter in (("crc", "bad_frames"), ("silent", "timeouts"), ("garbage", None), ("truncated", None),
                   ("wrong-unit", "bad_frames"), ("exception 4", "exceptions"), ("slow 700", "timeouts")):
    h0 = health()
    n0 = num(f"SELECT COUNT(*) FROM readings WHERE meter_id = {vid}")
    sim.ctl(f"fault {victim} {f}")
    ok = read_all()
    sim.ctl(f"fault {victim} none")
    h1 = health()
    check(ok and co.alive(), f"RTU fault {f}: survived")
    check(h1["ok"] - h0["ok"] == 4 and h1["failed"] - h0["failed"] == 1,
          f"RTU fault {f}: the other 4 meters read after it (the line resynchronised)", f"{h0} {h1}")
    got = sum(h1[k] - h0[k] for k in ("timeouts", "exceptions", "bad_frames", "link_errors"))
    check(h1[counter] - h0[counter] >= 1 if counter else got >= 1, f"RTU fault {f}: counted", f"{h0} {h1}")
    check(num(f"SELECT COUNT(*) FROM readings WHERE meter_id = {vid}") == n0, f"RTU fault {f}: nothing stored for it")
    read_meter(vid)
    check(num(f"SELECT COUNT(*) FROM readings WHERE meter_id = {vid}") == n0 + 1, f"RTU after {f}: read again")
# Another unit's answer (well formed, its CRC right) is refused as over TCP: a bad frame, nothing stored.
h0 = health()
n0 = num(f"SELECT COUNT(*) FROM readings WHERE meter_id = {vid}")
w0 = sim.stats()["f_wrong_unit"]
sim.ctl(f"fault {victim} wrong-unit")
read_meter(vid)
sim.ctl(f"fault {victim} none")
h1 = health()
check(sim.stats()["f_wrong_unit"] > w0, "RTU: the simulator answered as another unit")
check(h1["bad_frames"] - h0["bad_frames"] == 1 and h1["ok"] == h0["ok"],
      "RTU: the answer of another unit is refused as a bad frame", f"{h0} {h1}")
check(num(f"SELECT COUNT(*) FROM readings WHERE meter_id = {vid}") == n0 and
      sql(f"SELECT outcome, reason FROM read_requests ORDER BY id DESC LIMIT 1") == [["failed", "bad_frame"]],
      "RTU: nothing stored for it; the read request says bad frame",
      str(sql("SELECT outcome, reason FROM read_requests ORDER BY id DESC LIMIT 1")))
rows = sql("SELECT m.number, r.remaining_fen, r.purchase_count FROM readings r JOIN meters m ON m.id = r.meter_id")
check(all(int(r[1]) == 7000 + int(r[0]) - 2050101 and int(r[2]) == int(r[0]) - 2050100 for r in rows),
      "no reading over RTU carries another meter's values")
c = command(vid, "trip")
check(wait_cmd(c)[0] == "confirmed" and sim.get(victim)["force_open"] == 1, "a trip command over RTU")
rc, took = co.stop()
check(rc == 0, f"stopped cleanly ({took:.1f} s)")
sim.stop()
done()
