#!/bin/sh
# t9n_valgrind.sh - mobile.fcgi under valgrind behind the test nginx (its own port) through the sign-in by SMS code and the phone change, refused and accepted: no leak, no error, and it stops on SIGTERM.
set -eu
. "$TOP/tests/it/vg.sh"
port=$((PREPAID_PORT + 1002))
vg_start mobile-code mobile.fcgi "$PREPAID_VAR/mobile.conf" "$port" /m/
MOBILE_BASE=http://127.0.0.1:$port /usr/bin/python3 - <<'PY' || true
import os
import random
import re
import sys

sys.path.insert(0, os.path.join(os.environ["TOP"], "tests", "it"))
import lib  # noqa: E402
from lib import *  # noqa: E402,F401

lib.BASE = os.environ["MOBILE_BASE"]  # the student site under valgrind: its origin for the POSTs
phone, new = ("134%08d" % random.randrange(10 ** 8) for _ in range(2))
acc = db_value(f"INSERT INTO accounts (holder, phone) VALUES ('vg', '{phone}') RETURNING id")
db(f"INSERT INTO student_logins (account_id, pw_hash, must_change, privacy_agreed_at) VALUES ({acc}, 'scrypt$unusable', 0, UTC_TIMESTAMP())")


def code_of(p):
    body = db_value(f"SELECT body FROM sms_outbox WHERE phone = '{p}' AND recipient = 'code' ORDER BY id DESC LIMIT 1")
    return re.search(r"\d{6}", body or "").group(0) if body else "000000"


c = Client()
c.get("/m/code")
for p in ["", "abc", "1" * 30, "<b>x</b>"]:
    r = c.post("/m/code", {"step": "send", "phone": p})
    check(r.status == 200, f"a refused phone {p!r} under valgrind")
r = c.post("/m/code", {"step": "send", "phone": "13" + "0" * 9})
r = c.post("/m/code", {"step": "send", "phone": phone})
check(r.status == 200, "a code sent under valgrind")
r = c.post("/m/code", {"step": "send", "phone": phone})
check(r.status == 200, "a second code within a minute under valgrind")
for code in ["", "abc", "1234567", "000000"]:
    r = c.post("/m/code", {"step": "check", "phone": phone, "code": code})
    check(r.status == 200, f"a refused code {code!r} under valgrind")
r = c.post("/m/code", {"step": "check", "phone": phone, "code": code_of(phone), "remember": "1"})
check(r.status == 303, "a sign-in by code under valgrind", r.status)
r = c.get("/m/phone")
check(r.status == 200, "the phone page under valgrind")
r = c.post("/m/phone", {"step": "send", "phone": "x"})
check(r.status == 200, "a refused new phone under valgrind")
r = c.post("/m/phone", {"step": "send", "phone": new})
r = c.post("/m/phone", {"step": "check", "phone": new, "code": "000000"})
check(r.status == 200, "a wrong phone code under valgrind")
r = c.post("/m/phone", {"step": "check", "phone": new, "code": code_of(new)})
check(r.status == 303, "the phone changed under valgrind", r.status)
db("DELETE FROM student_login_failures WHERE client_addr = '127.0.0.1'")
db(f"UPDATE accounts SET status = 'closed' WHERE id = {acc}")
done()
PY
vg_stop
