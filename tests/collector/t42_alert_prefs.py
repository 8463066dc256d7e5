"""t42_alert_prefs.py - M4 and B5 in the collector: a level the student turned off sends the holder nothing (the staff copy still goes); a quiet period holds the SMS to its end and moving it releases it; an alarm that closes while held is withdrawn; the alarm SMS gives the run-out forecast only when known."""
import os

from clib import Collector, Sim, check, done, meter_id, num, read_all, setup_db, site, sql, val, wait

setup_db()
PORT = 16065
STAFF = "13700004242"
meters = [(a, 2042100 + a, "ddsy1352nk") for a in range(1, 7)]
site([(1, 1, f"tcp://127.0.0.1:{PORT}", meters)])
A, B, C, D, E, F = (n for _, n, _ in meters)
ia, ib, ic, idd, ie, iff = (meter_id(n) for n in (A, B, C, D, E, F))
PA, PB, PC, PD = "13811110001", "13811110002", "13811110003", "13811110004"
sql(f"INSERT INTO accounts (id, holder, phone) VALUES (1, '甲', '{PA}'), (2, '乙', '{PB}'), (3, '丙', '{PC}'),"
    f" (4, '丁', '{PD}')")
sql(f"INSERT INTO account_meters (account_id, meter_id) VALUES (1, {ia}), (2, {ib}), (3, {ic}), (4, {idd})")
sql(f"UPDATE settings SET value = '{STAFF}' WHERE name = 'alarm_sms_phone'")
PRICE = 5880
sql(f"INSERT INTO settings (name, value) VALUES ('price', '{PRICE}') ON DUPLICATE KEY UPDATE value = '{PRICE}'")
# A: alarm 1 turned off
sql("INSERT INTO student_alerts (account_id, alarm1, alarm2, arrears) VALUES (1, 0, 1, 1)")

sim = Sim("alertprefs", [(PORT, a, n, p) for a, n, p in meters], ["--no-load"])
modem = os.path.join(sim.dir, "modem")
sim.stop()
sim.args += ["--modem", modem, "--sms-out", sim.sms]
sim.start()
for n in (A, B, C, D, E, F):
    sim.ctl(f"set {n} remaining=100000")
co = Collector("alertprefs", modem=modem, extra={"sms_check_s": "1", "modem_check_s": "1"})
check(read_all(), "first cycle, every meter well above its alarms")


def lines():
    if not os.path.exists(sim.sms):
        return []
    return [x for x in open(sim.sms, encoding="utf-8") if "full=" in x]


def to(phone):
    return [x for x in lines() if f"to={phone} " in x]


def alarm_id(mid, kind):
    return num(f"SELECT id FROM alarms WHERE meter_id = {mid} AND kind = '{kind}' ORDER BY id DESC LIMIT 1")


def holder_row(aid):
    rows = sql(f"SELECT status, held, DATE_FORMAT(next_try_at, '%Y-%m-%d %H:%i:%s'), body, error FROM sms_outbox"
               f" WHERE alarm_id = {aid} AND recipient = 'holder'")
    return rows[0] if rows else None


def local_min():
    return num("SELECT MOD(TIMESTAMPDIFF(MINUTE, '2000-01-01', UTC_TIMESTAMP()) + 480, 1440)")


def quiet(account, start, end):
    """The account's quiet period, in minutes of the site's day (+08:00)."""
    sql(f"INSERT INTO student_alerts (account_id, quiet_from, quiet_to) VALUES ({account}, {start % 1440}, {end % 1440})"
        f" ON DUPLICATE KEY UPDATE quiet_from = VALUES(quiet_from), quiet_to = VALUES(quiet_to)")


def quiet_end_utc(end):
    """When a quiet period ending at local minute END ends, in UTC, as the database says it."""
    return val(f"SELECT DATE_FORMAT(DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:00') + INTERVAL"
               f" MOD({end % 1440} - MOD(TIMESTAMPDIFF(MINUTE, '2000-01-01', UTC_TIMESTAMP()) + 480, 1440) + 1440, 1440)"
               f" MINUTE, '%Y-%m-%d %H:%i:%s')")


def forecast(money, use, price):
    """B5 as forecast_days (tests/unit/test_forecast.c) computes it: USE oldest first, None unknown."""
    known = [u for u in use if u is not None]
    if price <= 0 or len(known) < 3:
        return None
    if money <= 0:
        return 0
    if sum(known) == 0:
        return None
    recent = known[-3:]
    cost = max(-(-sum(known) * price // (len(known) * 10000)), -(-sum(recent) * price // (len(recent) * 10000)))
    return money // cost


# --- 1. a level turned off: the episode opens, the staff's copy goes, the holder gets nothing
sim.ctl(f"set {A} remaining=1500")
read_all()
a1 = alarm_id(ia, "alarm1")
check(a1 is not None and num(f"SELECT COUNT(*) FROM alarms WHERE id = {a1} AND closed_at IS NULL") == 1,
      "alarm 1 turned off: the episode still opens")
check(wait(lambda: [x for x in to(STAFF) if "剩余电费 15.00 元" in x], 15), "the staff's copy still goes out")
wait(lambda: False, 3)
check(holder_row(a1) is None and to(PA) == [], "and the holder gets no SMS, not even later", holder_row(a1))
sim.ctl(f"set {A} remaining=300")
read_all()
a2 = alarm_id(ia, "alarm2")
check(wait(lambda: to(PA), 15), "alarm 2, still on, reaches the holder")
check("约可用" not in "".join(to(PA)), "no use known for the meter: the SMS gives no forecast", to(PA))

# --- 2. a quiet period now holds the holder's SMS to its end
now = local_min()
quiet(2, now - 60, now + 120)
want_end = {quiet_end_utc(now + 120)}
sim.ctl(f"set {B} remaining=1500")
read_all()
want_end.add(quiet_end_utc(now + 120))
b1 = alarm_id(ib, "alarm1")
row = wait(lambda: holder_row(b1), 10)
check(row is not None and row[0] == "queued" and row[1] == "1" and row[2] in want_end,
      "in the quiet period the holder's SMS is queued, held to the period's end", (row, want_end))
check(wait(lambda: num(f"SELECT COUNT(*) FROM sms_outbox WHERE alarm_id = {b1} AND recipient = 'staff'"
                       f" AND status = 'sent'"), 15), "the staff's copy is not held")
wait(lambda: False, 4)
row = holder_row(b1)
check(row[0] == "queued" and row[1] == "1" and row[2] in want_end and to(PB) == [],
      "several checks later it is still held, nothing sent to the holder", row)
quiet(2, now + 120, now + 180)
check(wait(lambda: to(PB), 15), "the quiet period moved away: the SMS is released and sent")
check(holder_row(b1)[0] == "sent" and holder_row(b1)[1] == "0", "its row is sent, no longer held", holder_row(b1))

# --- 3. an alarm that closes while its SMS is held: withdrawn, never sent
quiet(2, now - 60, now + 120)
sim.ctl(f"set {B} remaining=300")
read_all()
b2 = alarm_id(ib, "alarm2")
row = wait(lambda: holder_row(b2), 10)
check(row is not None and row[0] == "queued" and row[1] == "1", "alarm 2 in the quiet period: held", row)
sim.ctl(f"set {B} remaining=50000")
read_all()
check(num(f"SELECT COUNT(*) FROM alarms WHERE meter_id = {ib} AND closed_at IS NULL") == 0, "a top-up closed it")
row = wait(lambda: holder_row(b2)[0] == "withdrawn" and holder_row(b2), 10)
check(row and row[1] == "0" and "closed" in row[4], "the held SMS is withdrawn, with the reason", row)
quiet(2, now + 120, now + 180)
wait(lambda: False, 3)
check(len(to(PB)) == 1 and holder_row(b2)[0] == "withdrawn", "the quiet period over: the stale SMS is not sent")

# --- 3b. an account that takes a meter already in alarm: its late SMS follows the same settings
PE, PF = "13811110005", "13811110006"
sim.ctl(f"set {E} remaining=1500")
sim.ctl(f"set {F} remaining=1500")
read_all()
e1, f1 = alarm_id(ie, "alarm1"), alarm_id(iff, "alarm1")
check(e1 and f1 and holder_row(e1) is None and holder_row(f1) is None, "meters without an account: episodes, no SMS")
now = local_min()
sql(f"INSERT INTO accounts (id, holder, phone) VALUES (5, '戊', '{PE}'), (6, '己', '{PF}')")
quiet(5, now - 30, now + 90)
sql("INSERT INTO student_alerts (account_id, alarm1) VALUES (6, 0)")
want_end = {quiet_end_utc(now + 90)}
sql(f"INSERT INTO account_meters (account_id, meter_id) VALUES (5, {ie}), (6, {iff})")
row = wait(lambda: holder_row(e1), 10)
want_end.add(quiet_end_utc(now + 90))
check(row is not None and row[0] == "queued" and row[1] == "1" and row[2] in want_end,
      "the late SMS of a new account in its quiet period: held to the end", (row, want_end))
wait(lambda: False, 3)
check(holder_row(f1) is None and to(PF) == [], "the late SMS of a level turned off: none")
quiet(5, now + 90, now + 120)
check(wait(lambda: to(PE), 15) and holder_row(e1)[0] == "sent", "released when the quiet period moves")

# --- 4. B5 in the SMS: 7 days of use before today (the site's days), flat and rising
today = val("SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'))")


def days_of_use(mid, use):
    sql(f"DELETE FROM daily_energy WHERE meter_id = {mid} AND day < '{today}'")
    for ago, u in zip(range(len(use), 0, -1), use):
        if u is not None:
            sql(f"INSERT INTO daily_energy (meter_id, day, first_energy, last_energy) VALUES"
                f" ({mid}, '{today}' - INTERVAL {ago} DAY, 1000, {1000 + u})")


rising = [100, 200, 300, 400, 500, 600, 700]
days_of_use(ic, rising)
want = forecast(1500, rising, PRICE)
sim.ctl(f"set {C} remaining=1500")
read_all()
check(wait(lambda: to(PC), 15), "alarm 1 of a meter with a week of use: the holder's SMS")
text = "".join(to(PC))
check(want == 4 and "剩余电费 15.00 元，按近7天用电约可用 4 天，已低于报警金额" in text,
      f"it gives the forecast: {want} days (the last three days' 6 kWh at 0.588)", text.strip())
check(f"约可用 {want} 天" in (holder_row(alarm_id(ic, "alarm1")) or ["", "", "", ""])[3],
      "the outbox row holds the same text")
two = [None, None, None, None, None, 500, 500]
days_of_use(idd, two)
check(forecast(1500, two, PRICE) is None, "two days known: forecast_days says unknown")
sim.ctl(f"set {D} remaining=1500")
read_all()
check(wait(lambda: to(PD), 15), "alarm 1 of a meter with two days of use: the holder's SMS")
check("约可用" not in "".join(to(PD)) and "剩余电费 15.00 元，已低于报警金额" in "".join(to(PD)),
      "without enough days the SMS has no forecast", "".join(to(PD)).strip())
flat = [500] * 7
days_of_use(idd, flat)
sim.ctl(f"set {D} remaining=300")
read_all()
want = forecast(300, flat, PRICE)
check(wait(lambda: len(to(PD)) == 2, 15) and want == 1 and f"剩余电费 3.00 元，按近7天用电约可用 {want} 天，" in to(PD)[-1],
      f"flat use, 3.00 yuan at 2.94 a day: {want} day", to(PD)[-1:])

co.stop()
sim.stop()
done()
