"""t15_rights.py - F3: every page of the route table (cgi-bin/staff/router.c) checks its right before any page code runs, GET and POST; a 403 names the right; a page without a right is one of a known few."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

# The route table as the program has it: path, methods, right.
src = open(os.path.join(TOP, "cgi-bin", "staff", "router.c"), encoding="utf-8").read()
heads = "".join(open(os.path.join(TOP, "cgi-bin", *f)).read() for f in (("web.h",), ("staff", "staff.h")))
consts = {m.group(1): int(m.group(2)) for m in re.finditer(r"#define (R_\w+|M_\w+) \(?(-?\d+)u?\)?", heads)}
routes = []
for m in re.finditer(r'\{\s*"([^"]+)",\s*([A-Z_| ]+),\s*(R_\w+|\d+),\s*(\w+)\s*\}', src):
    methods = {x.strip() for x in m.group(2).split("|")}
    right = consts[m.group(3)] if m.group(3).startswith("R_") else int(m.group(3))
    routes.append((m.group(1), "M_GET" in methods, "M_POST" in methods, right))
nrows = len(re.findall(r'^\s*\{\s*"/', src, re.M))
check(len(routes) == nrows and len(routes) >= 40, "every row of the route table is read", f"{len(routes)} of {nrows}")
codes = [""] + ["F%d" % i for i in range(1, 31)] + ["SITE", "ADJ", "B9", "PAY"]
check(consts["R_ADJ"] == 32 and codes[32] == "ADJ" and consts["R_HEALTH"] == 33 and codes[33] == "B9"
      and consts["R_PAY"] == 34 and codes[34] == "PAY", "the right numbers are those of right_codes[]")

# Pages open to any signed-in operator (or to anyone) are few and known; a
# page added to this list is a decision, not an accident. /sale and
# /receipt check the right of the entry's kind themselves (t9c_entries).
no_right = {"/": "R_SIGNED", "/metrics": "R_PUBLIC", "/lang": "R_PUBLIC", "/login": "R_PUBLIC", "/logout": "R_SIGNED",
            "/approvals": "R_SIGNED", "/approval": "R_SIGNED", "/sale": "R_SIGNED", "/receipt": "R_SIGNED"}
# TOTP: the code step of sign-in, and enrolment for every operator (t7a_totp)
no_right.update({"/login/code": "R_PUBLIC", "/totp": "R_SIGNED"})
# one's own sign-ins, listed and ended by every operator (t75_sessions)
no_right.update({"/sessions": "R_SIGNED"})
got = {p: r for p, _, _, r in routes if r <= 0}
check(got == {p: consts[v] for p, v in no_right.items()}, "only the known pages have no right of their own",
      sorted(set(got) ^ set(no_right)))

all_rights = [c for c in codes[2:]]
tables = ["operators", "roles", "role_rights", "buildings", "rooms", "gateways", "buses", "meters", "settings",
          "accounts", "account_meters", "ledger", "commands", "read_requests", "batches", "approvals",
          "closing_meters", "purchase_counts", "tariffs", "tariff_versions", "meter_tariffs", "receipt_prints"]


def snapshot():
    return {row[0]: row[1] for row in db("CHECKSUM TABLE " + ", ".join(tables))}


def names_right(r, code):
    return re.search(r'<span class="right">' + re.escape(code) + r"\b", r.text) is not None


without = {}


def operator_without(code):
    """A signed-in operator whose role has every right but CODE."""
    if code not in without:
        name = "no-" + code + "-" + uuid.uuid4().hex[:6]
        db(f"INSERT INTO roles (name) VALUES ('{name}')")
        rid = db_value(f"SELECT id FROM roles WHERE name = '{name}'")
        values = ",".join(f"({rid}, '{c}')" for c in all_rights if c != code)
        db(f"INSERT INTO role_rights (role_id, right_code) VALUES {values}")
        if code == "F5":        # F5 changes the first password; taken away after that
            db(f"INSERT INTO role_rights VALUES ({rid}, 'F5')")
            without[code] = operator(role=int(rid))
            db(f"DELETE FROM role_rights WHERE role_id = {rid} AND right_code = 'F5'")
        else:
            without[code] = operator(role=int(rid))
    return without[code]


tested = 0
for path, get, post, right in routes:
    if right <= 0:
        continue
    code = codes[right]
    cl = operator_without(code)
    cl.get("/")                 # a fresh CSRF token from a page the operator may see
    r = cl.get(path)
    if get:
        check(r.status == 403 and names_right(r, code) and "没有执行此功能的权限" in r.text,
              f"GET {path} without {code} is a 403 naming {code}", r.status)
    else:
        check(r.status == 405, f"GET {path} (a POST-only page) is a 405 before anything else", r.status)
    before = snapshot()
    r = cl.post(path, {"id": "1", "account": "1", "meter": "1", "amount": "1", "idem": uuid.uuid4().hex,
                       "confirm": "1"})
    if post:
        check(r.status == 403 and names_right(r, code), f"POST {path} without {code} is a 403 naming {code}",
              r.status)
    else:
        check(r.status == 405, f"POST {path} (a GET-only page) is a 405", r.status)
    check(snapshot() == before, f"POST {path} without {code} changed nothing")
    tested += 1
check(tested == sum(1 for x in routes if x[3] > 0), "every page with a right was requested", tested)

# With the right, the same operator passes the check (the 403 came from the missing right only).
cl = operator_without("F8")
check(cl.get("/buildings").status == 200 and cl.get("/meters").status == 403, "the other rights still open their pages")
r = cl.get("/")
check('href="/meters"' not in r.text and 'href="/buildings"' in r.text, "the menu leaves out the pages without the right")


# The menu shows exactly the pages an operator may open: for the built-in
# roles and an operator without F8, each item of the full menu whose page
# needs a right is shown if and only if that page answers that operator
# with something other than 403 (the few pages open to every operator are
# shown in the groups the operator has)
def menu_of(c):
    nav = re.search(r'<nav class="menu".*?</nav>', c.get("/").text, re.S)
    return set(re.findall(r'<a class="(?:dropdown-item|nav-link)[^"]*"(?: aria-current="page")? href="([^"?]+)', nav.group(0))) \
        if nav else set()


needs = {path: right for path, get, post, right in routes if get}
full = menu_of(operator(role=1))
check(len(full) >= 35 and "/operators" in full and "/health" in full, "the full menu has every group's pages", len(full))
for who, c in (("role 2", operator(role=2)), ("role 3", operator(role=3)), ("without F8", cl)):
    shown = {p for p in menu_of(c) if needs.get(p, 0) > 0}
    may = {p for p in full if needs.get(p, 0) > 0 and c.get(p).status != 403}
    check(shown == may and len(may) >= 3, f"{who}'s menu shows exactly the pages it may open", sorted(shown ^ may))

# Signed out: GET goes to the sign-in page, POST is refused, for every page but the public ones.
anon = Client()
for path, get, post, right in routes:
    if right == consts["R_PUBLIC"]:
        continue
    if get:
        r = anon.get(path)
        check(r.status == 303 and r.location.endswith("/login"), f"signed-out GET {path} goes to the sign-in page",
              r.status)
    if post:
        before = snapshot()
        r = anon.post(path, {"id": "1", "account": "1", "meter": "1", "amount": "1", "csrf": "0" * 64})
        check(r.status == 403 and snapshot() == before, f"signed-out POST {path} is refused and changes nothing",
              r.status)
done()
