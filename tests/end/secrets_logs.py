"""secrets_logs.py - after the whole run: no log of any program (staff, student site, collector, nginx, MariaDB, the simulators) holds a password or key the run knows."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "it"))
from lib import NEW_PASSWORD, VAR, check, done  # noqa: E402

# the secrets of the instance, as generated, and those the tests type in
secrets = {}
for name in os.listdir(VAR):
    if name.endswith(".password") or name in ("vending.key", "initial-admin-password", "demo-student-password"):
        with open(os.path.join(VAR, name)) as f:
            v = f.read().strip()
        if len(v) >= 8:
            secrets[name] = v
for v in (NEW_PASSWORD, "Mobile2pass", "Student2pass"):
    secrets["typed " + v[:3] + "..."] = v
check(len(secrets) >= 6, "the run's secrets are known", sorted(secrets))


def logs():
    """Every log file under the instance: names ending .log or .err, and whatever sits in a log/ directory."""
    for root, dirs, files in os.walk(VAR):
        dirs[:] = [d for d in dirs if d not in ("db", "tmp", "backup")]
        for f in files:
            p = os.path.join(root, f)
            if f.endswith((".log", ".err")) or os.path.basename(root) == "log":
                yield p


n = size = 0
found = []
for p in logs():
    with open(p, "rb") as f:
        data = f.read()
    n += 1
    size += len(data)
    for name, v in secrets.items():
        if v.encode() in data:
            found.append((os.path.relpath(p, VAR), name))
check(n >= 5 and size > 0, f"{n} log files read ({size} bytes)")
check(not found, "no log holds a password or key", found[:10])
done()
