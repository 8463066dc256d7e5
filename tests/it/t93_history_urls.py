"""t93_history_urls.py - the reading history's links carry the page's values URL-escaped: a value with & # and Chinese in it comes back as it was (templates/staff/history.cs rendered as staff.fcgi renders it)."""
import html
import os
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

tmp = tempfile.mkdtemp()
render = os.path.join(tmp, "render")
subprocess.run(["cc", "-std=c11", "-I/usr/include/ClearSilver", "-o", render, os.path.join(TOP, "tests/it/render.c"),
                "-lneo_cgi", "-lneo_cs", "-lneo_utl", "-lz"], check=True)

values = {"meter": "1040130&export=xlsx#电表 1号楼", "from": "2026-03-01&to=2099-01-01#起", "to": "2026-03-05#?止&"}
data = os.path.join(tmp, "data.hdf")
with open(data, "w", encoding="utf-8") as f:
    f.write("Meter.id = 7\nChart.n = 0\nReadPages.page = 2\nReadPages.pages = 3\nReadPages.prev = 1\n"
            "ReadPages.next = 3\n")
    for name, v in [("Meter.number", values["meter"]), ("Filter.meter", values["meter"]),
                    ("Filter.from", values["from"]), ("Filter.to", values["to"])]:
        f.write(f"{name} = {v}\n")
out = subprocess.run([render, os.path.join(TOP, "templates", "staff"), data, "history.cs"], capture_output=True, text=True)
check(out.returncode == 0, "history.cs renders", out.stderr[-300:])
links = [html.unescape(h) for h in re.findall(r'href="(/meter/history\?[^"]*)"', out.stdout)]
check(len(links) == 3, "the page links to its export and to the previous and next pages of reads", links)
for link in links:
    q = urllib.parse.urlsplit(link)
    got = urllib.parse.parse_qs(q.query)
    kind = "export" if "export" in got and got.get("export") == ["xlsx"] and "rpage" not in got else \
        "rpage=" + ",".join(got.get("rpage", []))
    check(q.fragment == "" and all(got.get(k) == [v] for k, v in values.items()),
          f"the {kind} link gives back meter, from and to as they were", link)
check(sum(1 for x in links if urllib.parse.parse_qs(urllib.parse.urlsplit(x).query).get("export") == ["xlsx"]) == 1,
      "only the export link asks for the export")
subprocess.run(["rm", "-rf", tmp])
done()
