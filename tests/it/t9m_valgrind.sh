#!/bin/sh
# t9m_valgrind.sh - mobile.fcgi under valgrind behind the test nginx (its own port) through every student page: no leak, no error, and it stops on SIGTERM.
set -eu
. "$TOP/tests/it/vg.sh"
port=$((PREPAID_PORT + 1000))
vg_start mobile mobile.fcgi "$PREPAID_VAR/mobile.conf" "$port" /m/
MOBILE_BASE=http://127.0.0.1:$port /usr/bin/python3 - <<'PY' || true
# the requests through every page of the student site (MOBILE_BASE), after staff set a password (BASE)
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ["TOP"], "tests", "it"))
import lib  # noqa: E402
from lib import *  # noqa: E402,F401

MB = os.environ["MOBILE_BASE"]
staff = operator(role=1)
b4 = db_value("SELECT id FROM buildings WHERE name = '4号楼'")
room = db_value(f"SELECT r.number FROM rooms r JOIN meters m ON m.room_id = r.id WHERE r.building_id = {b4}"
                " AND m.profile = 'ddsy1352nk' AND NOT EXISTS (SELECT 1 FROM account_meters x"
                " WHERE x.meter_id = m.id AND x.active = 1) ORDER BY r.number DESC LIMIT 1")
r = staff.get("/account/open")
r = staff.post("/account/open", {"holder": "vg", "holder_no": "V" + uuid.uuid4().hex[:6], "phone": "",
                                 "building_id": b4, "room": room, "meters": "", "first": "", "idem": idem_of(r)})
aid = re.search(r"id=(\d+)", r.location).group(1)
r = staff.post(f"/account/student-password?account={aid}", {"confirm": "1"})
pw = re.search(r'id="new-password">([^<]+)<', r.text).group(1)
db(f"UPDATE student_logins SET privacy_agreed_at = UTC_TIMESTAMP() WHERE account_id = {aid}")  # the notice agreed (t78_privacy asks it)
lib.BASE = MB  # the student site from here on: its origin for the POSTs
c = Client()
c.get("/m/")
c.get("/m/login")
r = c.post("/m/login", {"building": b4, "room": room, "password": "wrong-pass1"})
check(r.status == 200, "a wrong password under valgrind")
r = c.post("/m/login", {"building": "x", "room": "", "password": ""})
check(r.status == 200, "a refused sign-in form under valgrind")
r = c.post("/m/login", {"building": b4, "room": room, "password": pw, "remember": "1"})
check(r.status == 303, "a sign-in under valgrind", r.status)
c.get("/m/password?first=1")
r = c.post("/m/password", {"old": pw, "new": "short", "confirm": "x"})
check(r.status == 200, "a refused password under valgrind")
r = c.post("/m/password", {"old": pw, "new": "Valgrind1pw!", "confirm": "Valgrind1pw!"})
check(r.status == 303, "a new password under valgrind")
for i in range(3):
    for p in ["/m/", "/m/?meter=1", "/m/?meter=abc", "/m/password", "/m/nothing", "/m/lang?to=en&back=/m/",
              "/m/lang?to=zh-CN&back=/m/"]:
        r = c.get(p)
        check(r.status in (200, 303, 404), f"GET {p} under valgrind", r.status)
c.get("/m/")
r = c.post("/m/logout", {})
check(r.status == 303, "sign-out under valgrind")
done()
PY
vg_stop
