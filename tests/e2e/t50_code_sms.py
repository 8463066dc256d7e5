"""t50_code_sms.py - end to end: the student site's sign-in code and phone change code go out through the real collector and the simulated GSM modem; the student reads the code from the modem's output and signs in, then changes the phone with the code the new phone received."""
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elib import KEY, WORK, Client, Rig, check, count, db, db_value, done, wait  # noqa: E402
import clib  # noqa: E402 (on the path elib sets)


def new_phone():
    while True:
        p = "137" + "%08d" % random.randrange(10 ** 8)
        if count("accounts", f"phone = '{p}'") == 0:
            return p


def cookie_of(r, name):
    return next((c for c in r.headers.get_all("Set-Cookie") or [] if c.startswith(name + "=")), "")


PHONE, NEW = new_phone(), new_phone()
acc = db_value(f"INSERT INTO accounts (holder, phone) VALUES ('短信码学生', '{PHONE}') RETURNING id")
db(f"INSERT INTO student_logins (account_id, pw_hash, must_change, privacy_agreed_at) VALUES ({acc}, 'scrypt$unusable', 0, UTC_TIMESTAMP())")

# A gateway of our own with one meter, the simulator with its modem, the collector sending through it.
rig = Rig("t50", [[(100000, 0)]])
sms_out = os.path.join(WORK, "sim-t50", "sms.out")
modem = os.path.join(WORK, "sim-t50", "modem")


def texts_to(phone):
    if not os.path.exists(sms_out):
        return []
    return [line for line in open(sms_out, encoding="utf-8") if line.startswith(f"to={phone} full=")]


def code_in(line):
    m = re.search(r"(?<!\d)(\d{6})(?!\d)", line.split(" full=", 1)[1])
    return m.group(1) if m else None


try:
    m = rig.meters[0]
    rig.sim = clib.Sim("sim-t50", [(m["port"], m["address"], m["number"], "ddsy1352nk")],
                       ["--no-load", "--modem", modem, "--sms-out", sms_out], key=KEY)
    rig.collector = clib.Collector("collector-t50", key=KEY, modem=modem, extra={
        "db_name": "prepaid", "gateways": str(rig.gateway), "poll_interval_s": "2", "sms_retry_s": "1"})

    c = Client()
    c.get("/m/code")
    t0 = time.time()
    r = c.post("/m/code", {"step": "send", "phone": PHONE})
    check(r.status == 200 and 'name="code"' in r.text, "the student asks for a code")
    got = wait(lambda: texts_to(PHONE), 60, 0.2)
    check(got and len(got) == 1, f"the modem sends one SMS to the phone ({time.time() - t0:.1f} s)",
          rig.collector_log())
    code = code_in(got[0]) if got else None
    check(code is not None and "验证码" in got[0], f"it holds the 6-digit code: {got[0].strip() if got else ''}")
    check(wait(lambda: db_value(f"SELECT status FROM sms_outbox WHERE phone = '{PHONE}' AND recipient = 'code'")
               == "sent", 10), "the outbox row is marked sent")
    r = c.post("/m/code", {"step": "check", "phone": PHONE, "code": code or ""})
    check(r.status == 303 and r.location.endswith("/m/") and cookie_of(r, "msid"),
          "the code read from the modem signs the student in", f"{r.status} {r.location}")
    r = c.get("/m/")
    check(r.status == 200 and "短信码学生" in r.text, "the student's own account opens")

    # M4: the new phone gets the code, and the phone changes when it is entered
    r = c.get("/m/phone")
    check(PHONE[:3] + "****" + PHONE[-4:] in r.text, "the phone page shows the phone masked")
    r = c.post("/m/phone", {"step": "send", "phone": NEW})
    got = wait(lambda: texts_to(NEW), 60, 0.2)
    check(got and len(got) == 1 and len(texts_to(PHONE)) == 1, "the code goes to the new phone only")
    pcode = code_in(got[0]) if got else None
    check(db_value(f"SELECT phone FROM accounts WHERE id = {acc}") == PHONE, "not changed before the code")
    r = c.post("/m/phone", {"step": "check", "phone": NEW, "code": pcode or ""})
    check(r.status == 303 and db_value(f"SELECT phone FROM accounts WHERE id = {acc}") == NEW,
          "the code the new phone received changes the phone")
finally:
    rig.stop()
db(f"UPDATE accounts SET status = 'closed' WHERE id = {acc}")
done()
