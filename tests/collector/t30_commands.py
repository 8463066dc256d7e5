"""t30_commands.py - S2/B3: tokens exactly once (through SIGKILL), wrong MAC refused, count mismatch held, tokens wait for a lost meter, relay and parameter commands."""
import time

from clib import (Collector, Sim, check, cmd_status, command, done, key_file, meter_id, num, read_all,
                  read_meter, setup_db, site, sql, wait, wait_cmd)

setup_db()
PORT = 16050
meters = [(a, 2030100 + a, "ddsy1352nk") for a in range(1, 7)]
site([(1, 1, f"tcp://127.0.0.1:{PORT}", meters)], room=False)
sim = Sim("commands", [(PORT, a, n, p) for a, n, p in meters], ["--no-load"])
A, B, C, D, E, F = (n for _, n, _ in meters)
ia, ib, ic, idd, ie, iff = (meter_id(n) for n in (A, B, C, D, E, F))
sim.ctl(f"set {A} remaining=10000 count=5")
co = Collector("commands", extra={"command_max_tries": "3"})
check(read_all(), "first cycle")

# A credit: sent once, confirmed by the purchase count read back.
c1 = command(ia, "credit", 6, 2500)
st = wait_cmd(c1)
s = sim.get(A)
check(st and st[0] == "confirmed", f"credit count 6 confirmed ({st})")
check(s["count"] == 6 and s["remaining"] == 12500, f"the meter has count 6 and 125.00 yuan ({s['count']}, {s['remaining']})")
check(sim.stats()["tokens_applied"] == 1, "one token applied")
check(num(f"SELECT sent_at IS NOT NULL AND done_at IS NOT NULL FROM commands WHERE id = {c1}") == 1,
      "sent_at and done_at recorded")

# The same count again (e.g. re-queued by mistake): confirmed without sending.
c2 = command(ia, "credit", 6, 2500)
st = wait_cmd(c2)
check(st and st[0] == "confirmed" and "already" in st[1], f"a token the meter already has is confirmed unsent ({st})")
check(sim.stats()["tokens_applied"] == 1 and sim.stats()["tokens_repeated"] == 0 and sim.get(A)["remaining"] == 12500,
      "and never reaches the meter")

# SIGKILL between the token write and its confirmation, then a restart: exactly one credit.
sim.ctl(f"fault {A} slow 250")
applied0 = sim.stats()["tokens_applied"]
c3 = command(ia, "credit", 7, 1000)
seen = wait(lambda: sim.stats()["tokens_applied"] > applied0, 20, 0.005)
co.kill()
sim.ctl(f"fault {A} none")
st = cmd_status(c3)
check(seen and st[0] == "sent", f"killed after the meter applied the token, before the confirmation (status {st[0]})")
co = Collector("commands", extra={"command_max_tries": "3"})
st = wait_cmd(c3)
s = sim.get(A)
stt = sim.stats()
check(st and st[0] == "confirmed", f"after the restart the command is confirmed ({st})")
check(s["count"] == 7 and s["remaining"] == 13500, f"exactly one credit: count 7, 135.00 yuan ({s['count']}, {s['remaining']})")
check(stt["tokens_applied"] == applied0 + 1 and stt["tokens_repeated"] == 0,
      "the token was not sent again (the purchase count said it was applied)")
co.stop()

# A wrong MAC (the collector holds another key): refused, counted, failed with the reason.
bad = Collector("badkey", key=key_file("bad.key", "cd"), extra={"command_max_tries": "3"})
c4 = command(ib, "credit", 1, 5000)
st = wait_cmd(c4)
s = sim.get(B)
check(st and st[0] == "failed" and "refused" in st[1], f"a token with a wrong MAC fails with the reason ({st})")
check(s["bad_tokens"] == 1 and s["count"] == 0 and s["remaining"] == 0, "the meter counted a bad token and changed nothing")
bad.stop()
co = Collector("commands", extra={"command_max_tries": "3"})

# A count the meter cannot take: held, visible, with an event; later tokens of that meter wait.
c5 = command(ic, "credit", 3, 1000)
c6 = command(ic, "credit", 4, 1000)
st = wait(lambda: cmd_status(c5)[0] == "waiting" and cmd_status(c5), 15)
check(st and "count_mismatch" in st[1], f"count 3 for a meter at 0: waiting with count_mismatch ({st})")
check(num(f"SELECT COUNT(*) FROM events WHERE kind = 'count_mismatch' AND meter_id = {ic}") == 1,
      "one count_mismatch event")
check(num(f"SELECT COUNT(*) FROM alarms WHERE kind = 'count_mismatch' AND meter_id = {ic} AND closed_at IS NULL") == 1,
      "and one open count_mismatch alarm episode for an operator")
time.sleep(2)
check(cmd_status(c6)[0] == "queued" and sim.get(C)["count"] == 0, "the meter's next token is held behind it")

# A token for a lost meter waits, visibly, and goes out when the meter is found.
sim.ctl(f"fault {D} silent")
for i in range(3):
    read_all()
check(num(f"SELECT lost FROM meter_state WHERE meter_id = {idd}") == 1, "meter D lost")
c7 = command(idd, "credit", 1, 800)
st = wait(lambda: cmd_status(c7)[0] == "waiting" and cmd_status(c7), 10)
check(st and "lost" in st[1], f"a token for a lost meter waits ({st})")
time.sleep(2)
check(cmd_status(c7)[0] == "waiting" and sim.get(D)["count"] == 0, "and is not tried meanwhile")
sim.ctl(f"fault {D} none")
read_meter(idd)
st = wait_cmd(c7)
check(st and st[0] == "confirmed" and sim.get(D)["count"] == 1 and sim.get(D)["remaining"] == 800,
      f"found again: the token goes out once ({st})")

# Keep power, trip, restore (meter-bus.md forced control).
sim.ctl(f"set {E} remaining=0")
c = command(ie, "keep_power")
st = wait_cmd(c)
s = sim.get(E)
check(st[0] == "confirmed" and s["force_en"] == 1 and s["force_open"] == 0 and s["relay"] == 1,
      "keep power: relay closed whatever the balance (remaining 0)")
c = command(ie, "trip")
st = wait_cmd(c)
s = sim.get(E)
check(st[0] == "confirmed" and s["force_en"] == 1 and s["force_open"] == 1 and s["relay"] == 0, "trip: relay open")
c = command(ie, "restore")
st = wait_cmd(c)
s = sim.get(E)
check(st[0] == "confirmed" and s["force_en"] == 0 and s["relay"] == 0,
      "restore prepaid mode: the meter decides (remaining 0: open)")
sim.ctl(f"set {E} remaining=5000")
check(wait(lambda: sim.get(E)["relay"] == 1, 5), "and closes the relay when money returns")

# A meter found again gets the relay state it should have.
c = command(iff, "trip")
check(wait_cmd(c)[0] == "confirmed", "meter F tripped")
sim.ctl(f"fault {F} silent")
for i in range(3):
    read_all()
sim.ctl(f"set {F} force_en=0 force_open=0")  # e.g. replaced or reset while unreachable
sim.ctl(f"fault {F} none")
read_meter(iff)
check(wait(lambda: sim.get(F)["force_open"] == 1, 10), "found again: its confirmed trip is re-applied")

# Price and settings downloads, confirmed by read-back.
c = command(ia, "price", payload="p0=6000&p1=7000&p2=5000&p3=3000&tou=0:3,480:1,1320:3")
st = wait_cmd(c)
s = sim.get(A)
check(st[0] == "confirmed" and (s["p0"], s["p1"], s["p2"], s["p3"]) == (6000, 7000, 5000, 3000),
      f"price download: four slot prices ({st})")
c = command(ia, "settings", payload="alarm1=3000&alarm2=1000&overdraft=200&threshold=2500&restore_delay=30")
st = wait_cmd(c)
s = sim.get(A)
check(st[0] == "confirmed" and (s["alarm1"], s["alarm2"], s["overdraft"], s["threshold"], s["delay"]) ==
      (3000, 1000, 200, 2500, 30), f"settings download: alarm amounts, overdraft, threshold, delay ({st})")
c = command(ia, "settings", payload="alarm1=100&alarm2=200")
st = wait_cmd(c)
check(st[0] == "failed" and "alarm 2" in st[1] and sim.get(A)["alarm1"] == 3000, f"alarm 2 above alarm 1 fails ({st})")
c = command(ia, "price", payload="p0=abc")
check(wait_cmd(c)[0] == "failed", "a bad payload fails")

# A control command to a meter that keeps failing: retried with back-off, failed after N tries.
sim.ctl(f"fault {B} silent")
c = command(ib, "keep_power")
st = wait_cmd(c, timeout=30)
tries = num(f"SELECT tries FROM commands WHERE id = {c}")
check(st and st[0] == "failed" and tries == 3 and "after 3 tries" in st[1], f"failed after 3 tries ({st}, {tries})")
sim.ctl(f"fault {B} none")
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'commands_failed'") >= 3, 5),
      "commands_failed figure")
check(co.alive(), "the collector is still running")
co.stop()
sim.stop()
done()
