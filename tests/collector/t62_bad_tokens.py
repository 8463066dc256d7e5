"""t62_bad_tokens.py - S4: forged tokens (a wrong MAC written on the bus) raise the meter's bad-token counter; the collector stores it and opens exactly one bad_token episode while it rises, closed after a quiet spell."""
import os
import socket
import struct
import time

from clib import Collector, Sim, check, done, num, read_meter, setup_db, site, sql, wait

PORT = 16095
setup_db()
ms = [(a, 5000000 + a, "ddsy1352nk") for a in range(1, 4)]
site([(1, 1, f"tcp://127.0.0.1:{PORT}", ms)], room=False)
sim = Sim("badtok", [(PORT, a, n, p) for a, n, p in ms], ["--no-load"])
A, B, C = (n for _, n, _ in ms)
sim.ctl(f"set {C} bad_tokens=7")  # a counter that stood at 7 before the collector knew the meter


def forge(addr, n=1):
    """Writes N tokens with a random (wrong) MAC to the token register of unit ADDR; returns the exception codes."""
    codes = []
    s = socket.create_connection(("127.0.0.1", PORT), 5)
    for i in range(n):
        pdu = struct.pack(">BHHB", 0x10, 0x0100, 12, 24) + os.urandom(24)
        s.sendall(struct.pack(">HHHB", i + 1, 0, len(pdu) + 1, addr) + pdu)
        rsp = s.recv(260)
        codes.append(rsp[8] if len(rsp) >= 9 and rsp[7] == 0x90 else None)
    s.close()
    return codes


def mid(n):
    return num(f"SELECT id FROM meters WHERE number = {n}")


def episodes(n, open_only=False):
    w = " AND closed_at IS NULL AND open_key IS NOT NULL" if open_only else ""
    return num(f"SELECT COUNT(*) FROM alarms WHERE kind = 'bad_token' AND meter_id = {mid(n)}{w}")


def stored(n):
    return num(f"SELECT bad_tokens FROM meter_state WHERE meter_id = {mid(n)}")


co = Collector("badtok", extra={"bad_token_quiet_s": "4"})
check(wait(lambda: num("SELECT COUNT(DISTINCT meter_id) FROM readings") == 3, 15), "first cycle read all 3")
check(stored(A) == 0 and stored(C) == 7, "the counter is stored in meter_state", f"{stored(A)} {stored(C)}")
check(num(f"SELECT bad_tokens FROM readings WHERE meter_id = {mid(C)}") == 7, "and in the reading")
check(num("SELECT COUNT(*) FROM alarms WHERE kind = 'bad_token'") == 0,
      "a counter already above 0 at the first read opens nothing (it only sets where it stands)")

codes = forge(1, 3)
check(codes == [3, 3, 3], "three forged tokens refused by the meter (exception 0x03)", str(codes))
check(sim.get(A)["bad_tokens"] == 3 and sim.get(A)["remaining"] == 0, "the meter counts 3 bad tokens, no money moved")
read_meter(mid(A))
check(stored(A) == 3, "the collector stores the counter: 3")
check(episodes(A) == 1 and episodes(A, True) == 1, "one open bad_token episode for the meter")
check(episodes(B) == 0 and episodes(C) == 0, "none for the other meters")
forge(1, 2)
read_meter(mid(A))
read_meter(mid(A))
check(stored(A) == 5 and episodes(A) == 1, "two more: counter 5, still exactly one episode")
for n in (B, C):
    read_meter(mid(n))
check(num("SELECT COUNT(*) FROM alarms WHERE kind = 'bad_token'") == 1, "exactly one episode in all")

# A restart: the counter stands where it was, nothing new opens.
co.stop()
co = Collector("badtok", extra={"bad_token_quiet_s": "4"})
time.sleep(1)
read_meter(mid(A))
check(episodes(A) == 1 and episodes(A, True) == 1, "after a restart the episode is still the one, still open")

# No rise for the quiet spell (4 s here, a day by default): the episode closes.
time.sleep(4.5)
read_meter(mid(A))
check(episodes(A) == 1 and episodes(A, True) == 0, "no rise for the quiet spell: the episode is closed")
forge(1)
read_meter(mid(A))
check(episodes(A) == 2 and episodes(A, True) == 1 and stored(A) == 6, "a new rise opens a new episode")
rc, _ = co.stop()
check(rc == 0, "stopped")
sim.stop()
done()
