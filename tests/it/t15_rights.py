"""t15_rights.py - F3: every page checks its right before any page code runs; a 403 names the right."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

# (path, right, a harmless POST body or None for GET-only pages)
pages = [
    ("/operators", "F2", None), ("/operator", "F2", {"login": "zz_never", "name": "x", "role_id": "1"}),
    ("/operator/disable", "F2", {"id": "1", "disabled": "1"}), ("/operator/reset", "F2", {"id": "1"}),
    ("/roles", "F3", None), ("/role", "F3", {"name": "zz-never"}),
    ("/oplog", "F4", None),
    ("/password", "F5", {"old": "x", "new": "Abcdefg123", "confirm": "Abcdefg123"}),
    ("/buildings", "F6", None), ("/building", "F6", {"name": "zz-never", "floors": "3"}),
    ("/gateways", "F7", None), ("/gateway", "F7", {"name": "zz-never", "host": "h", "ports": "1"}),
    ("/meters", "F8", None), ("/meter", "F8", {"number": "9999991"}), ("/meters/import", "F8", {}),
    ("/rooms", "F9", None), ("/room", "F9", {"building_id": "1", "floor": "1", "number": "zz1"}),
    ("/settings", "F10", {"site_title": "zz-never"}),
    ("/account/open", "F11", {"holder": "zz"}), ("/accounts", "F12", None), ("/account?id=1", "F12", None),
    ("/sell", "F17", {"account": "1", "meter": "1", "amount": "1", "idem": "zz", "confirm": "1"}),
    ("/sales", "F18", None), ("/refund", "F19", {"account": "1", "meter": "1", "amount": "1", "idem": "zz"}),
    ("/refunds", "F20", None), ("/reversal", "F21", {"id": "1", "reason": "x", "idem": "zz"}),
    ("/reversals", "F18", None),
    ("/meter/read", "F16", {"meter": "1"}), ("/meter/history", "F16", None),
    ("/batch", "F15", None), ("/batch/run", "F15", {"action": "trip", "idem": "zz", "confirm": "1", "m": "1"}),
    ("/close", "F13", {"id": "1", "confirm": "1", "seen": "1"}), ("/closings", "F14", None),
    ("/adjust?account=1", "ADJ", {"account": "1", "meter": "1", "direction": "credit", "amount": "1", "reason": "x",
                                  "idem": "zz", "confirm": "1"}),
]
all_rights = ["F%d" % i for i in range(2, 31)] + ["SITE", "ADJ"]
tables = ["operators", "roles", "role_rights", "buildings", "rooms", "gateways", "buses", "meters", "settings",
          "accounts", "ledger", "commands", "read_requests", "batches"]


def snapshot():
    return {t: db(f"CHECKSUM TABLE {t}")[0][1] for t in tables}


done_rights = {}
for path, right, post in pages:
    if right not in done_rights:
        name = "no-" + right + "-" + uuid.uuid4().hex[:6]
        db(f"INSERT INTO roles (name) VALUES ('{name}')")
        rid = db_value(f"SELECT id FROM roles WHERE name = '{name}'")
        values = ",".join(f"({rid}, '{r}')" for r in all_rights if r != right)
        db(f"INSERT INTO role_rights (role_id, right_code) VALUES {values}")
        # F5 is needed to change the first password; give it back after that
        if right == "F5":
            db(f"INSERT INTO role_rights VALUES ({rid}, 'F5')")
            cl = operator(role=int(rid))
            db(f"DELETE FROM role_rights WHERE role_id = {rid} AND right_code = 'F5'")
        else:
            cl = operator(role=int(rid))
        done_rights[right] = cl
    cl = done_rights[right]
    home = cl.get("/")
    r = cl.get(path)
    if path in ("/operator/disable", "/operator/reset", "/reversal", "/meter/read", "/batch/run"):
        check(r.status == 405, f"GET {path} (a POST-only page) is a 405 before anything else", r.status)
    else:
        check(r.status == 403 and right in r.text and "没有执行此功能的权限" in r.text,
              f"GET {path} without {right} is a 403 naming {right}", f"{r.status}")
    if post is not None:
        before = snapshot()
        cl.get("/")
        r = cl.post(path, post)
        check(r.status == 403 and right in r.text, f"POST {path} without {right} is a 403", r.status)
        check(snapshot() == before, f"POST {path} without {right} changed nothing")

# The menu shows only what the operator may use.
cl = done_rights["F8"]
r = cl.get("/")
check('href="/meters"' not in r.text and 'href="/buildings"' in r.text, "the menu leaves out the pages without the right")

# Signed-out requests: GET redirects to the sign-in page, POST is refused.
anon = Client()
for path, right, post in pages:
    if post is not None:
        before = snapshot()
        r = anon.post(path, dict(post, csrf="0" * 64))
        check(r.status == 403 and snapshot() == before, f"signed-out POST {path} is refused and changes nothing")
done()
