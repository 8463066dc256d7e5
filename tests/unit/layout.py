"""layout.py - the shape of the tree holds: lib/ and the collector include no web header, no page file calls a function of another page file, the collector's files call each other one way, and no function is longer than 80 lines."""
import glob
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.chdir(TOP)
failed = 0


def check(cond, what, detail=""):
    global failed
    print(("ok - " if cond else "not ok - ") + what + (f" ({detail})" if detail and not cond else ""))
    failed += not cond


def defined(path, exported=False):
    """The functions a C file defines (BSD style: the type on its own line, then the name at the start of
    a line); with EXPORTED only those that are not static."""
    lines = open(path, encoding="utf-8").read().split("\n")
    return {m.group(1) for i, line in enumerate(lines) if (m := re.match(r"^([a-z_][a-z0-9_]*)\(", line))
            and not (exported and i > 0 and lines[i - 1].startswith("static"))}


def calls(path):
    text = re.sub(r"/\*.*?\*/", "", open(path, encoding="utf-8").read(), flags=re.S)
    return set(re.findall(r"\b([a-z_][a-z0-9_]*)\s*\(", text))


web = re.compile(r'#include\s*[<"](web\.h|staff\.h|pages\.h|fcgiapp\.h|ClearSilver\.h|cgi/)')
bad = [f for f in glob.glob("lib/*.[ch]") + glob.glob("collector/*.[ch]") + glob.glob("cgi-bin/admin/*.c")
       if web.search(open(f, encoding="utf-8").read())]
check(not bad, "lib/, the collector and prepaid-admin include no web header", bad)

pages = sorted(glob.glob("cgi-bin/*/page-*.c"))
check(len(pages) >= 20, "the page files are found", len(pages))
owner = {}
for p in pages:
    for fn in defined(p, exported=True):
        owner[fn] = p
cross = sorted(f"{os.path.basename(p)} calls {fn} of {os.path.basename(owner[fn])}"
               for p in pages for fn in calls(p) - defined(p) if fn in owner and owner[fn] != p)
check(not cross, "no page file calls a function of another page file", "; ".join(cross[:6]))

# The collector: main -> poll -> {bus, command, alarm, store}, command -> {bus, store}, alarm -> store.
order = ["main", "poll", "command", "alarm", "sms", "bus", "store", "pdu", "profile"]
files = {n: f"collector/{n}.c" for n in order if os.path.exists(f"collector/{n}.c")}
defs = {n: defined(f, exported=True) for n, f in files.items()}
back = []
for i, a in enumerate(order):
    for b in order[:i]:
        if a in files and b in files:
            hit = calls(files[a]) & defs[b]
            if hit:
                back.append(f"{a}.c calls {sorted(hit)[0]} of {b}.c")
check(not back, "the collector's files call each other one way only (main, poll, command, alarm, sms, bus, store)",
      "; ".join(back[:6]))

long = []
for f in glob.glob("lib/*.c") + glob.glob("cgi-bin/**/*.c", recursive=True) + glob.glob("collector/*.c"):
    start = name = None
    for i, line in enumerate(open(f, encoding="utf-8").read().split("\n")):
        m = re.match(r"^([a-z_][a-z0-9_]*)\(", line)
        if m and start is None:
            start, name = i, m.group(1)
        elif line == "}" and start is not None:
            if i - start + 1 > 80:
                long.append(f"{f}:{name} {i - start + 1}")
            start = None
check(not long, "no function is longer than 80 lines", "; ".join(sorted(long)))
sys.exit(1 if failed else 0)
