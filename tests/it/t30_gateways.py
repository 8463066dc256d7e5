"""t30_gateways.py - F7 communication gateways and the bus of each port: forms, lists, export, log."""
import io
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
sfx = uuid.uuid4().hex[:6]
GNAME = "网关" + sfx
TCP = "tcp://127.0.9.1:502"
RTU = "rtu:///dev/ttyUSB0?baud=9600&parity=E&stop=1"


def names(r):
    return re.findall(r'<td class="name">([^<]*)</td>', r.text)


def gid_of(name):
    return db_value("SELECT id FROM gateways WHERE name = '%s'" % name.replace("'", "''"))


def mine():
    return count("gateways", f"name LIKE '%{sfx}%'")


def form(gname, nports, addrs, **extra):
    f = {"name": gname, "host": "127.0.9.1", "ports": str(nports), "building_id": "", "note": ""}
    for i, ad in enumerate(addrs, 1):
        f.update({f"addr{i}": ad, f"baud{i}": "9600", f"parity{i}": "E", f"stop{i}": "1"})
    f.update(extra)
    return f


def buses(gid):
    return db(f"SELECT port, address, baud, parity, stop_bits FROM buses WHERE gateway_id = {gid} ORDER BY port")


def xlsx_rows(body):
    try:
        ws = openpyxl.load_workbook(io.BytesIO(body)).active
        return [[("" if c is None else str(c)) for c in row] for row in ws.iter_rows(values_only=True)]
    except Exception as e:  # noqa: BLE001
        return [[repr(e)]]


# Create a gateway with 2 ports: one TCP bus, one RTU bus.
r = a.get("/gateway")
check(r.status == 200 and 'name="addr1"' in r.text and 'id="f-ports" name="ports" type="number" value="4"' in r.text,
      "the new gateway form offers the ports, 4 by default")
r = a.post("/gateway", form(GNAME, 2, [TCP, RTU], note="<b>" + sfx, baud2="19200", parity2="N", stop2="2"))
check(r.status == 303 and "/gateways" in r.location, "a gateway with 2 ports is created",
      (r.status, [(k, r.field_error(k)) for k in ("name", "host", "ports", "addr1", "addr2")]))
gid = gid_of(GNAME)
check(db(f"SELECT host, ports, note FROM gateways WHERE id = {gid}") == [["127.0.9.1", "2", "<b>" + sfx]], "the gateway is stored")
check(buses(gid) == [["1", TCP, "9600", "E", "1"], ["2", RTU, "19200", "N", "2"]], "one bus per port with its settings", buses(gid))
log = db(f"SELECT before_val, after_val FROM oplog WHERE action = 'gateway.create' AND object = 'gateway:{gid}'")
check(len(log) == 1 and log[0][0] == "NULL" and GNAME in log[0][1] and '"ports":"2"' in log[0][1], "the creation is logged", log)
r = a.get(f"/gateway?id={gid}")
check(r.status == 200 and f'value="{TCP}"' in r.text and 'value="rtu:///dev/ttyUSB0?baud=9600&amp;parity=E&amp;stop=1"' in r.text,
      "the edit form shows both bus addresses, escaped")
check('<option selected>19200</option>' in r.text, "and the port's baud rate")

# The same form again: the name is taken; nothing new.
r = a.post("/gateway", form(GNAME, 2, [TCP, RTU]))
check(r.status == 200 and "已存在" in (r.field_error("name") or ""), "a repeated submission gives err-name", r.field_error("name"))
r = a.post("/gateway", form("GW1", 1, [TCP]))
check(r.status == 200 and r.field_error("name"), "the name of a reference gateway is taken")
check(mine() == 1, "and no second gateway exists")

# Bad bus addresses: the error next to the port, nothing saved.
nb = count("buses")
bad_addrs = ["ftp://x", "tcp://host:0", "rtu:///dev/../etc", "tcp://host", "tcp://host:65536", "tcp://ho st:502",
             "tcp://:502", "tcp://host:50x", "rtu:///dev/", "rtu:///dev/ttyUSB0?baud=1234", "rtu:///dev/ttyUSB0?parity=X",
             "rtu:///dev/ttyUSB0?baud=9600&baud=9600", "rtu:///dev/tty;rm", "<script>", "' OR 1=1 --", "tcp://h:" + "9" * 30]
for bad in bad_addrs:
    r = a.post("/gateway", form("坏网关" + sfx, 2, [TCP, bad]))
    check(r.status == 200 and "总线地址格式" in (r.field_error("addr2") or "") and r.field_error("addr1") is None,
          f"bus address {bad[:30]!r} gives err-addr2", (r.status, r.field_error("addr2")))
r = a.post("/gateway", form("坏网关" + sfx, 2, ["", TCP]))
check(r.status == 200 and "必填" in (r.field_error("addr1") or ""), "an empty bus address gives err-addr1", r.field_error("addr1"))
r = a.post("/gateway", form("坏网关" + sfx, 2, ["ftp://x", ""]))
check(r.status == 200 and r.field_error("addr1") and r.field_error("addr2"), "both bad ports are named at once")
check('value="ftp://x"' in r.text, "and the form keeps what was typed")
check(mine() == 1 and count("buses") == nb, "refused gateways saved neither a gateway nor a bus")
for bad in ["ftp://x", "tcp://host:0", "rtu:///dev/../etc", ""]:
    r = a.post(f"/gateway?id={gid}", form(GNAME, 2, [bad, RTU]))
    check(r.status == 200 and r.field_error("addr1"), f"editing port 1 to {bad!r} is refused")
check(buses(gid)[0] == ["1", TCP, "9600", "E", "1"], "the refused edits left the bus as it was", buses(gid))

# Ports: 1..8 only; bad port settings; bad host, unknown building.
for bad, why in [("0", "超出"), ("9", "超出"), ("x", "整数"), ("", "必填"), ("-1", "超出")]:
    r = a.post("/gateway", form("坏网关" + sfx, bad, [TCP, RTU]))
    check(r.status == 200 and why in (r.field_error("ports") or ""), f"ports {bad!r} gives err-ports", r.field_error("ports"))
for k, v, field in [("baud1", "1234", "baud1"), ("parity1", "X", "parity1"), ("stop1", "3", "stop1"),
                    ("host", "127.0.9.1;rm -rf", "host"), ("host", "", "host"), ("host", "<b>", "host"),
                    ("building_id", "99999999", "building_id"), ("building_id", "abc", "building_id"),
                    ("name", "", "name"), ("name", "网" * 33, "name"), ("note", "x" * 101, "note")]:
    r = a.post("/gateway", form("坏网关" + sfx, 2, [TCP, RTU], **{k: v}))
    check(r.status == 200 and r.field_error(field), f"{k}={v[:12]!r} gives err-{field}", r.field_error(field))
check(mine() == 1 and count("buses") == nb, "nothing was saved by any refused form")
r = a.post("/gateway", form("无令牌" + sfx, 1, [TCP]), csrf=False)
check(r.status == 403 and mine() == 1, "a POST without the csrf token is refused")

# HTML in the name is shown escaped.
XSS = "<script>alert(1)</script>" + sfx
r = a.post("/gateway", form(XSS, 1, ["tcp://gw-" + sfx + ".local:502"], building_id=db_value("SELECT id FROM buildings WHERE name = '1号楼'")))
check(r.status == 303 and gid_of(XSS), "a gateway named with <script> is stored", r.field_error("name"))
r = a.get("/gateways", q=sfx)
check("<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" + sfx in r.text,
      "the list shows it escaped")

# More ports, a meter on port 2, then fewer ports than that is refused.
r = a.post(f"/gateway?id={gid}", form(GNAME, 3, [TCP, RTU, "tcp://127.0.9.3:502"]))
check(r.status == 303 and len(buses(gid)) == 3 and buses(gid)[2][1] == "tcp://127.0.9.3:502", "a third port is added",
      r.field_error("ports"))
bus2 = db_value(f"SELECT id FROM buses WHERE gateway_id = {gid} AND port = 2")
num = str(1300000000 + random.randint(0, 99999999))
a.get("/meter")
r = a.post("/meter", {"number": num, "profile": "ddsy1352nk", "bus_id": bus2, "address": "7"})
check(r.status == 303 and count("meters", f"number = {num} AND bus_id = {bus2}") == 1, "a meter is added on port 2",
      [(k, r.field_error(k)) for k in ("number", "bus_id", "address")])
for p in ("1",):
    r = a.post(f"/gateway?id={gid}", form(GNAME, p, [TCP]))
    check(r.status == 200 and "端口上还有仪表" in (r.field_error("ports") or ""),
          "reducing to 1 port while port 2 has a meter gives err-ports", r.field_error("ports"))
for bad, why in [("0", "超出"), ("9", "超出"), ("x", "整数"), ("", "必填")]:
    r = a.post(f"/gateway?id={gid}", form(GNAME, bad, [TCP]))
    check(r.status == 200 and why in (r.field_error("ports") or ""), f"editing ports to {bad!r} gives its own err-ports",
          r.field_error("ports"))
check(len(buses(gid)) == 3 and db_value(f"SELECT ports FROM gateways WHERE id = {gid}") == "3", "and nothing changed")
check(count("meters", f"number = {num} AND bus_id = {bus2}") == 1, "the meter stays on its bus")
r = a.post(f"/gateway?id={gid}", form(GNAME, 2, [TCP, RTU], note="二口" + sfx))
check(r.status == 303 and [b[0] for b in buses(gid)] == ["1", "2"], "reducing to 2 ports removes the empty port 3",
      r.field_error("ports"))
check(db_value(f"SELECT id FROM buses WHERE gateway_id = {gid} AND port = 2") == bus2, "the used bus keeps its id")
log = db(f"SELECT before_val, after_val FROM oplog WHERE action = 'gateway.edit' AND object = 'gateway:{gid}' ORDER BY id")
check(len(log) == 2 and '"ports":"2"' in log[0][0] and '"ports":"3"' in log[0][1] and '"ports":"3"' in log[1][0]
      and "二口" + sfx in log[1][1], "each edit is logged with before and after", log)
check(a.get("/gateway?id=99999999").status == 404, "an unknown gateway is a 404")
check(a.post("/gateway?id=99999999", form("x" + sfx, 1, [TCP])).status == 404, "posting to an unknown gateway is a 404")

# List, search, sort, export.
r = a.get("/gateways", q=sfx)
check(sorted(names(r)) == sorted([GNAME, XSS.replace("<", "&lt;").replace(">", "&gt;")]), "a search lists my two gateways", names(r))
row = re.search(r'<td class="name">%s</td>(.*?)</tr>' % GNAME, r.text)
check(row and "<td>2</td>" in row.group(1) and "<td>1</td>" in row.group(1)
      and 'tcp://127.0.9.1:502 rtu:///dev/ttyUSB0?baud=9600&amp;parity=E&amp;stop=1' in row.group(1),
      "its row shows 2 ports, 1 meter and the bus addresses", row.group(1) if row else None)
r = a.get("/gateways", q="GW")
check({"GW1", "GW2", "GW3", "GW4"} <= set(names(r)), "a search for GW finds the reference gateways")
r = a.get("/gateways", q="' OR 1=1 --")
check(r.status == 200 and names(r) == [], "a search with SQL finds nothing")
r = a.get("/gateways", q="GW", sort="-name")
n = [x for x in names(r) if x in ("GW1", "GW2", "GW3", "GW4")]
check(n == ["GW4", "GW3", "GW2", "GW1"], "sort=-name orders them backwards", n)
r = a.get("/gateways", q=sfx, sort="name", export="xlsx")
check(r.status == 200 and "spreadsheetml" in r.headers.get("Content-Type", ""), "the export is an .xlsx file")
rows = xlsx_rows(r.body)
check(rows and rows[0] == ["名称", "主机地址", "端口数", "楼栋", "仪表", "总线地址", "备注"], "with the header row", rows[:1])
check(len(rows) == 3 and sorted(x[0] for x in rows[1:]) == sorted([GNAME, XSS]), "and exactly my two gateways, verbatim", rows)
mrow = [x for x in rows[1:] if x[0] == GNAME]
check(mrow and mrow[0][2] == "2" and mrow[0][4] == "1" and mrow[0][5] == TCP + " " + RTU, "with ports, meters and buses", mrow)

done()
