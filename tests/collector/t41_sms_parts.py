"""t41_sms_parts.py - S4/S5 against the simulated modem's faults: long room labels, parts confirmed once, back-off, a modem gone and back, answers lost, late accounts, the staff's copy, SIGTERM."""
import os
import time
import urllib.request

from clib import Collector, Sim, check, done, meter_id, num, read_all, setup_db, site, sql, val, wait
from lib import BASE, operator  # noqa: E402
from lib import db as webdb  # noqa: E402

setup_db()
PORT = 16080
STAFF = "13700001111"
meters = [(a, 2041100 + a, "ddsy1352nk") for a in range(1, 4)]
site([(1, 1, f"tcp://127.0.0.1:{PORT}", meters)])
A, B, C = (n for _, n, _ in meters)
ia, ib, ic = (meter_id(n) for n in (A, B, C))
# The longest names the console takes: a building of 31 (of 32) characters, a room of 13 (of 16), 131 bytes.
BUILDING = "东区学生公寓第十二号楼北侧附属研究生宿舍楼教职工周转房一二三四五六七八"[:31]
ROOM = "北翼十二层一二零八室A"
ROOM = (ROOM + "号房")[:13]
check(len(BUILDING) == 31 and len(ROOM) == 13 and len((BUILDING + " " + ROOM).encode()) > 128,
      f"the test's label is {len((BUILDING + ' ' + ROOM).encode())} bytes")
sql(f"INSERT INTO buildings (name, floors) VALUES ('{BUILDING}', 12)")
sql(f"INSERT INTO rooms (building_id, floor, number) SELECT id, 12, '{ROOM}' FROM buildings WHERE name = '{BUILDING}'")
sql(f"UPDATE meters SET room_id = (SELECT id FROM rooms WHERE number = '{ROOM}') WHERE id = {ia}")
sql("INSERT INTO accounts (id, holder, phone) VALUES (1, '王五', '13811112222')")
sql(f"INSERT INTO account_meters (account_id, meter_id) VALUES (1, {ia})")
sql(f"UPDATE settings SET value = '{STAFF}' WHERE name = 'alarm_sms_phone'")

sim = Sim("smsparts", [(PORT, a, n, p) for a, n, p in meters], ["--no-load"])
modem = os.path.join(sim.dir, "modem")
sim.stop()
sim.args += ["--modem", modem, "--sms-out", sim.sms]
sim.start()
for n in (A, B, C):
    sim.ctl(f"set {n} remaining=100000")
co = Collector("smsparts", modem=modem, extra={"sms_retry_s": "2", "modem_check_s": "1", "modem_answer_s": "2",
                                               "sms_check_s": "1"})
check(read_all(), "first cycle")


def lines(kind="full="):
    if not os.path.exists(sim.sms):
        return []
    return [x for x in open(sim.sms, encoding="utf-8") if kind in x]


def to(phone, kind="full="):
    return [x for x in lines(kind) if f"to={phone} " in x]


def queue(phone, body):
    return int(val(f"INSERT INTO sms_outbox (phone, body) VALUES ('{phone}', '{body}') RETURNING id"))


def row(sid, cols):
    return sql(f"SELECT {cols} FROM sms_outbox WHERE id = {sid}")[0]


# 1: the long label. The episode opens, and the SMS carries the whole label.
sim.ctl(f"set {A} remaining=1500")
read_all()
check(num(f"SELECT COUNT(*) FROM alarms WHERE meter_id = {ia} AND kind = 'alarm1' AND closed_at IS NULL") == 1,
      "a meter in a 131-byte room label: its alarm 1 episode opens")
check(wait(lambda: to("13811112222"), 15), "the holder's SMS goes out")
got = (to("13811112222") or [""])[0]
check(f"{BUILDING} {ROOM} 房间剩余电费 15.00 元" in got, f"with the whole label, cut nowhere: {got.strip()}")
hid = num(f"SELECT o.id FROM sms_outbox o JOIN alarms a ON a.id = o.alarm_id WHERE a.meter_id = {ia}"
          " AND o.recipient = 'holder'")
# 3: a first-time success is one try.
check(hid and num(f"SELECT tries FROM sms_outbox WHERE id = {hid}") == 1, "a first-time success shows tries = 1")

# 7: the staff's number gets a copy of the episode.
check(wait(lambda: to(STAFF), 15), "the staff's alarm number (alarm_sms_phone) gets a copy")
staff = "".join(to(STAFF))
check("【报警】" in staff and BUILDING in staff and "15.00 元" in staff and "报警金额" in staff,
      f"naming the place and the amount: {staff.strip()}")
check(num("SELECT COUNT(*) FROM sms_outbox WHERE recipient = 'staff'") == 1, "one staff row for one episode")

# 6: a meter already in alarm 2 gets an account: its holder hears of it, once.
sim.ctl(f"set {B} remaining=300")
read_all()
check(num(f"SELECT COUNT(*) FROM alarms WHERE meter_id = {ib} AND kind = 'alarm2' AND closed_at IS NULL") == 1,
      "meter B in alarm 2 without an account")
check(num(f"SELECT COUNT(*) FROM sms_outbox o JOIN alarms a ON a.id = o.alarm_id WHERE a.meter_id = {ib}"
          " AND o.recipient = 'holder'") == 0, "no holder SMS yet")
sql("INSERT INTO accounts (id, holder, phone) VALUES (2, '赵六', '13922223333')")
sql(f"INSERT INTO account_meters (account_id, meter_id) VALUES (2, {ib})")
check(wait(lambda: to("13922223333"), 15), "an account opened on it: the holder gets the alarm 2 SMS")
check("二级报警金额" in "".join(to("13922223333")) and "3.00 元" in "".join(to("13922223333")),
      "that level's text with the amount")
read_all()
time.sleep(3)
check(len(to("13922223333")) == 1, "once")

# 1: an outbox that takes nothing never costs the episode; the holder's SMS follows once it takes again.
sql("REVOKE INSERT ON sms_outbox FROM 'prepaid_collector'@'localhost'")
sim.ctl(f"set {C} remaining=1200")
read_all()
check(num(f"SELECT COUNT(*) FROM alarms WHERE meter_id = {ic} AND kind = 'alarm1' AND closed_at IS NULL") == 1,
      "the outbox refusing the staff's copy: the episode opens all the same")
sql("GRANT INSERT ON sms_outbox TO 'prepaid_collector'@'localhost'")
sql("INSERT INTO accounts (id, holder, phone) VALUES (3, '孙七', '13933334444')")
sql(f"INSERT INTO account_meters (account_id, meter_id) VALUES (3, {ic})")
check(wait(lambda: to("13933334444"), 15) and "12.00 元" in "".join(to("13933334444")),
      "its holder's SMS goes out later")
staff_before = len(to(STAFF))

# 3: back-off doubles: base 2 s, then 4 s, and tries counts each try once.
sim.ctl("modem error 331 30")
sid = queue("13500000003", "退避测试")
check(wait(lambda: num(f"SELECT tries FROM sms_outbox WHERE id = {sid}") == 1, 10), "first failure: tries = 1")
w1 = num(f"SELECT TIMESTAMPDIFF(MICROSECOND, NOW(3), next_try_at) FROM sms_outbox WHERE id = {sid}") / 1e6
check(wait(lambda: num(f"SELECT tries FROM sms_outbox WHERE id = {sid}") == 2, 10), "second failure: tries = 2")
w2 = num(f"SELECT TIMESTAMPDIFF(MICROSECOND, NOW(3), next_try_at) FROM sms_outbox WHERE id = {sid}") / 1e6
check(1.0 < w1 <= 2.0 and 3.0 < w2 <= 4.0, f"waits of 2 then 4 s (measured {w1:.2f}, {w2:.2f} s left)")
sim.ctl("modem ok")
check(wait(lambda: row(sid, "status")[0] == "sent", 10), "sent once the network is back")

# 2: part 2 of a two-part text refused once: only part 2 goes again.
long = "【通知】" + "配电室检修，" * 16
sim.ctl("modem failpart 2 1")
sid = queue("13600000002", long)
check(wait(lambda: row(sid, "status")[0] == "sent", 15), "a two-part text with part 2 refused once is sent")
mine = [x for x in lines("part=") if "to=13600000002 " in x]
p1 = [x for x in mine if "part=1/2" in x]
p2 = [x for x in mine if "part=2/2" in x]
check(len(p1) == 1 and len(p2) == 1, f"part 1 confirmed once, part 2 once after its retry ({len(p1)}, {len(p2)})")
check(any(long in x for x in to("13600000002")), "the handset has the whole text")
st, tries, refs, mref = row(sid, "status, tries, part_refs, modem_ref")
check(tries == "2" and refs.count(",") == 1 and "-" not in refs and mref == refs,
      f"two tries, each part's reference kept ({tries}, {refs}, {mref})")

# 5: the answer after a single part lost: sent again, marked possibly sent.
sim.ctl("modem swallow 1 1")
sid = queue("13600000005", "应答丢失测试")
check(wait(lambda: row(sid, "status")[0] == "sent", 20), "a text whose answer was lost is sent on a retry")
check(len(to("13600000005")) == 2 and row(sid, "possibly_sent")[0] == "1",
      "the modem may have sent it twice: the row says possibly sent")
# ... and after part 2 of two: only part 2 goes again.
sim.ctl("modem swallow 2 1")
sid = queue("13600000006", long)
check(wait(lambda: row(sid, "status")[0] == "sent", 20), "a two-part text whose part 2 answer was lost is sent")
mine = [x for x in lines("part=") if "to=13600000006 " in x]
check(len([x for x in mine if "part=1/2" in x]) == 1 and len([x for x in mine if "part=2/2" in x]) == 2,
      "part 1 went once, part 2 again")
check(row(sid, "possibly_sent")[0] == "1", "and possibly sent is recorded")
check(num("SELECT COUNT(*) FROM sms_outbox WHERE possibly_sent = 1") == 2, "two messages possibly sent")

# 4: the modem gone and back: the dead descriptor is closed, the signal comes back, the next text goes first time.
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'modem_rssi'") == 21, 10), "signal 21")
sim.stop()
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'modem_rssi'") == 99, 10),
      "modem gone: signal 99")
sim.start()
t0 = time.time()
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'modem_rssi'") == 21, 10),
      f"modem back: signal 21 again in {time.time() - t0:.1f} s, without a text to send")
sid = queue("13600000004", "重连测试")
check(wait(lambda: row(sid, "status")[0] == "sent", 10), "the next text is sent")
check(row(sid, "tries, error") == ["1", ""], f"at the first try, no I/O error ({row(sid, 'tries, error')})")

check(len(to(STAFF)) == staff_before, "no staff copies for texts that are no episodes")

# 7: a gateway lost: the staff hear of it by its name.
sim.ctl(f"bus {PORT} down-refuse")
for _ in range(3):  # a gateway is lost after lost_after_cycles (3) failed cycles, like a meter
    read_all()
# (up to 40 s: on a loaded machine the three cycles and the modem's
# answers took more than 15)
check(wait(lambda: any("【报警】通讯管理机 GW1 失去联系" in x for x in to(STAFF)), 40),
      "a gateway lost: the staff's copy names it")
sim.ctl(f"bus {PORT} up")
read_all()

# 9: SIGTERM within a second, even while the modem is slow to confirm a text.
time.sleep(1.5)
rc, took = co.stop()
check(rc == 0 and took < 1.0, f"SIGTERM: clean exit {rc} in {took:.2f} s")
co = Collector("smsparts", modem=modem, extra={"sms_retry_s": "2", "modem_check_s": "1", "modem_answer_s": "30"})
check(wait(lambda: num("SELECT value FROM collector_status WHERE name = 'modem_rssi'") == 21, 10), "started again")
sim.ctl("modem delay 4000")
sid = queue("13600000009", "停止测试")
check(wait(lambda: to("13600000009"), 10), "a text the modem takes and confirms 4 s later")
rc, took = co.stop()
check(rc == 0 and took < 1.0, f"SIGTERM while waiting for the modem's answer: exit {rc} in {took:.2f} s")
check(row(sid, "status, possibly_sent") == ["queued", "1"], "the text stays queued, marked possibly sent")
sim.stop()

# 5: the console shows texts possibly sent twice: the start page (in Chinese) and /metrics.
web = operator()
r = web.get("/")
check(r.status == 200 and 'id="maybe-sms"' not in r.text, "none possibly sent: the start page has no such list")
webdb("INSERT INTO sms_outbox (phone, body, status, possibly_sent) VALUES"
      " ('13600000007', '<b>x</b>', 'sent', 1), ('13600000008', 'y', 'queued', 1), ('13600000010', 'z', 'sent', 0)")
r = web.get("/")
check('id="maybe-sms"' in r.text and "可能重复发送的短信" in r.text and 'id="n-maybe-sms">2<' in r.text,
      "the start page lists texts possibly sent twice, with their count")
check("13600000007" in r.text and "13600000008" in r.text and "13600000010" not in r.text
      and "已发送" in r.text and "待发送" in r.text and "<b>x" not in r.text,
      "each with its number and status in Chinese, no text of the body")
m = urllib.request.urlopen(BASE + "/metrics").read().decode()
check("\nprepaid_sms_possibly_sent 2\n" in m and 'phone="13600000007",status="sent"' in m
      and "# HELP prepaid_sms_possibly_sent 可能已发出" in m, "/metrics: the count and the list")
done()
