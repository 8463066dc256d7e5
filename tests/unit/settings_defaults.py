"""settings_defaults.py - the settings table of lib/settings.c and the defaults the migrations store agree, and the settings page names only known settings."""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failed = 0


def check(cond, what, detail=""):
    global failed
    print(("ok - " if cond else "not ok - ") + what + (f" ({detail})" if detail and not cond else ""))
    failed += not cond


table = dict(re.findall(r'\{ "([a-z0-9_]+)", SK_[A-Z]+, "([^"]*)" \}',
                        open(os.path.join(TOP, "lib", "settings.c"), encoding="utf-8").read()))
check(len(table) >= 15, "lib/settings.c has its table", len(table))
stored = {}
sqldir = os.path.join(TOP, "sql")
for f in sorted(os.listdir(sqldir)):
    if not re.match(r"\d{3}_.*\.sql$", f):
        continue
    text = open(os.path.join(sqldir, f), encoding="utf-8").read()
    for block in re.findall(r"INSERT INTO settings \(name, value\) VALUES(.*?);", text, re.S):
        stored.update(dict(re.findall(r"\('([a-z0-9_]+)', '([^']*)'\)", block)))
    # a later migration may change a stored default
    for val, name in re.findall(r"UPDATE settings SET value = '([^']*)'\s+WHERE name = '([a-z0-9_]+)'", text):
        stored[name] = val
check(set(stored) == set(table), "every setting the migrations store is in the table, and only those",
      f"only sql: {sorted(set(stored) - set(table))}, only table: {sorted(set(table) - set(stored))}")
diff = {k: (stored[k], table[k]) for k in set(stored) & set(table) if stored[k] != table[k]}
check(not diff, "their defaults agree", diff)
page = open(os.path.join(TOP, "cgi-bin", "staff", "page-settings.c"), encoding="utf-8").read()
names = re.findall(r'\{ "([a-z0-9_]+)", FT_', page)
check(names and all(n in table for n in names), "the settings page names only settings of the table",
      [n for n in names if n not in table])
sys.exit(1 if failed else 0)
