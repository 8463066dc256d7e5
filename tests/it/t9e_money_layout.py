"""t9e_money_layout.py - the money pages share the account view and the money forms through money.c: no page file calls a function of another page file, and their functions stay short."""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import TOP, check, done  # noqa: E402

STAFF = os.path.join(TOP, "cgi-bin", "staff")
# the pages of sales, refunds, adjustments, reversals, approvals and tariffs
MONEY_PAGES = ["page-sell.c", "page-adjust.c", "page-reversal.c",
               "page-sales.c", "page-approvals.c", "page-tariffs.c"]
SHORT = [os.path.join(STAFF, f) for f in MONEY_PAGES + ["money.c"]] + \
    [os.path.join(TOP, "lib", f) for f in ("csvimp.c", "import.c")]
LIMIT = 80


def source(path):
    """The text of PATH without its comments and strings."""
    s = open(path, encoding="utf-8").read()
    s = re.sub(r"/\*.*?\*/", " ", s, flags=re.S)
    return re.sub(r'"(\\.|[^"\\])*"', '""', s)


def functions(path):
    """(name, first line, length, static) of each function defined in PATH."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, start = [], None
    for i, line in enumerate(lines):
        m = re.match(r"^([a-z_][a-z0-9_]*)\(", line)
        if m and start is None:
            name, start = m.group(1), i
            static = i > 0 and lines[i - 1].startswith("static")
        elif line == "}" and start is not None:
            out.append((name, start + 1, i - start + 1, static))
            start = None
    return out


pages = sorted(glob.glob(os.path.join(STAFF, "page-*.c")))
check(len(pages) > 10 and os.path.exists(os.path.join(STAFF, "money.c")),
      "the staff pages and money.c are there", f"{len(pages)} pages")
exported = {}
for p in pages:
    for name, _, _, static in functions(p):
        if not static:
            exported[name] = os.path.basename(p)
for p in pages:
    base = os.path.basename(p)
    text = source(p)
    calls = [f"{name} of {home}" for name, home in sorted(exported.items())
             if home != base and (base in MONEY_PAGES or home in MONEY_PAGES)
             and re.search(r"\b" + re.escape(name) + r"\s*\(", text)]
    check(not calls, f"{base} calls no function of the money pages' files"
          if base not in MONEY_PAGES else f"{base} calls no function of another page file",
          ", ".join(calls))

for name in ("account_view_show", "money_form_new", "money_form_account",
             "money_form_issue", "account_view_entry", "account_view_entry_page"):
    home = [f for f in SHORT if any(n == name and not st for n, _, _, st in functions(f))]
    check(home == [os.path.join(STAFF, "money.c")],
          f"{name} is money.c's", str(home))

for f in SHORT:
    long = [(n, ln, length) for n, ln, length, _ in functions(f) if length > LIMIT]
    check(not long, f"{os.path.relpath(f, TOP)}: every function at most {LIMIT} lines",
          ", ".join(f"{n} (line {ln}: {length})" for n, ln, length in long))
done()
