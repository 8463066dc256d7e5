"""t50_import.py - F8 batch import of meters from CSV: all rows or none, every bad row listed."""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
sfx = uuid.uuid4().hex[:6]
BASE_NO = 1500000000 + random.randint(0, 9999) * 1000
GW = "导网关" + sfx
BLD = "导楼" + sfx
HEAD = "表号,型号,通讯管理机,端口,地址,楼栋,房间"

# My own site: a building with 10 rooms, a gateway with 4 buses.
a.get("/building")
a.post("/building", {"name": BLD, "floors": "2"})
bid = db_value(f"SELECT id FROM buildings WHERE name = '{BLD}'")
for n in ["101", "102", "103", "104", "105", "201", "202", "203", "204", "205"]:
    a.post("/room", {"building_id": bid, "floor": n[0], "number": n})
a.get("/gateway")
gw = {"name": GW, "host": "127.0.9.8", "ports": "4"}
for p in range(1, 5):
    gw.update({f"addr{p}": f"tcp://127.0.9.8:{600 + p}", f"baud{p}": "9600", f"parity{p}": "E", f"stop{p}": "1"})
a.post("/gateway", gw)
gid = db_value(f"SELECT id FROM gateways WHERE name = '{GW}'")
check(bid and gid and count("rooms", f"building_id = {bid}") == 10 and count("buses", f"gateway_id = {gid}") == 4,
      "my building with 10 rooms and my gateway with 4 buses exist")
MINE = f"bus_id IN (SELECT id FROM buses WHERE gateway_id = {gid})"


def mine():
    return count("meters", MINE)


def errors(r):
    """The error table as (line, reason) pairs."""
    return re.findall(r'<td class="line">([^<]*)</td><td>[^<]*</td><td class="reason">([^<]*)</td>', r.text)


def upload(content, name="meters.csv"):
    a.get("/meters/import")
    return a.upload("/meters/import", {}, name, content)


# A good UTF-8 file with a byte order mark: every row is imported.
rows = [f"{BASE_NO + i},ddsy1352nk,{GW},1,{i},{BLD},{100 + i}" for i in range(1, 6)]
rows.append(f"{BASE_NO + 6},energy,{GW},1,31,,")
good = ("\ufeff" + HEAD + "\r\n" + "\r\n".join(rows) + "\r\n").encode("utf-8")
r = a.get("/meters/import")
check(r.status == 200 and 'type="file" name="file"' in r.text, "the import page offers a file upload")
total0 = count("meters")
r = upload(good)
check(r.status == 303 and "ok=imported" in r.location and "n=6" in r.location, "a good UTF-8 file with BOM is imported",
      (r.status, r.location, errors(r)[:3]))
check(mine() == 6 and count("meters") == total0 + 6, "all 6 rows are in the database", mine())
row = db(f"SELECT m.profile, m.address, r.number, b.name FROM meters m JOIN rooms r ON r.id = m.room_id"
         f" JOIN buildings b ON b.id = r.building_id WHERE m.number = {BASE_NO + 3}")
check(row == [["ddsy1352nk", "3", "103", BLD]], "a row has its bus address and room", row)
check(db_value(f"SELECT CONCAT(profile, '/', COALESCE(room_id, 'none')) FROM meters WHERE number = {BASE_NO + 6}") == "energy/none",
      "a master meter without a room is imported without one")
check(count("oplog", f"action = 'meter.import' AND after_val LIKE '%\"6\"%' AND login = '{a.login_name}'") == 1,
      "the import is logged with its count")
r = a.get(r.location) if r.location.startswith("/") else r
check("导入成功" in r.text, "the list says the import succeeded")

# The same file again: refused entirely, every row a duplicate number.
r = upload(good)
check(r.status == 200 and "未导入任何仪表" in r.text, "the same file again is refused")
e = errors(r)
check(sorted(x[0] for x in e if "表号重复" in x[1]) == ["2", "3", "4", "5", "6", "7"],
      "every row is listed as a duplicate number with its line", e)
check(sorted(x[0] for x in e if "地址已有仪表" in x[1]) == ["2", "3", "4", "5", "6", "7"],
      "and as taking an address already used", e)
check(mine() == 6 and count("meters") == total0 + 6, "and nothing was imported")

# A GBK file (as Excel saves it) with Chinese headers and building names.
rows = [f"{BASE_NO + 10 + i},DDSY1352NK,{GW},2,{i},{BLD},{200 + i}" for i in range(1, 6)]
gbk = (HEAD + "\r\n" + "\r\n".join(rows) + "\r\n").encode("gbk")
check(gbk != (HEAD + "\r\n").encode("utf-8"), "the GBK file is not UTF-8")
r = upload(gbk)
check(r.status == 303 and "n=5" in r.location, "a GBK file imports", (r.status, errors(r)[:3]))
check(count("meters", f"number BETWEEN {BASE_NO + 11} AND {BASE_NO + 15}") == 5 and mine() == 11, "its 5 rows are in the database")
check(db_value(f"SELECT r.number FROM meters m JOIN rooms r ON r.id = m.room_id WHERE m.number = {BASE_NO + 12}") == "202",
      "with the rooms of the Chinese-named building")

# English headers in another order, blanks around values, an Excel blank row.
eng = ("room,building,address,port,gateway,profile,number\n"
       f" 105 , {BLD} , 20 , 2 , {GW} , energy , {BASE_NO + 20} \n,,,,,,\n").encode()
r = upload(eng)
check(r.status == 303 and count("meters", f"number = {BASE_NO + 20} AND address = 20") == 1,
      "English headers in any order and blank rows are accepted", errors(r))

# A bad file: every kind of bad row listed with its line and reason; nothing imported.
n0, t0 = mine(), count("meters")
X = BASE_NO + 100
lines = [HEAD,
         f"{X + 1},ddsy1352nk,无此网关{sfx},1,1,,",          # 2 unknown bus (gateway)
         f"{X + 2},ddsy1352nk,{GW},9,1,,",                 # 3 unknown bus (port)
         f"{X + 3},ddsy1352nk,{GW},3,1,,",                 # 4 good
         f"{X + 3},ddsy1352nk,{GW},3,2,,",                 # 5 duplicate number in the file
         f"{BASE_NO + 1},ddsy1352nk,{GW},3,3,,",           # 6 number already in the database
         f"{X + 6},ddsy1352nk,{GW},3,0,,",                 # 7 address 0
         f"{X + 7},ddsy1352nk,{GW},3,248,,",               # 8 address 248
         f"{X + 8},ddsy1352nk,{GW},3,5,,",                 # 9 good
         f"{X + 9},ddsy1352nk,{GW},3,5,,",                 # 10 two meters at one address
         f"{X + 10},ddsy1352nk,{GW},1,1,,",                # 11 address taken in the database
         f"{X + 11},ddsy1352nk,{GW},3,11,{BLD},999",       # 12 room not found
         f"{X + 12},ddsy1352nk,{GW},3,12,无此楼,101",         # 13 building not found
         f"{X + 13},ddsy9999,{GW},3,13,,",                 # 14 bad profile
         f"abc,ddsy1352nk,{GW},3,14,,",                    # 15 bad number
         f"{X + 15},ddsy1352nk,{GW},3,x,,",                # 16 bad address
         ""]                                               # 17 a blank line
# 18..: 33 meters on bus 4 (empty): the 33rd is one too many
for i in range(33):
    lines.append(f"{X + 200 + i},ddsy1352nk,{GW},4,{i + 1},,")
want = {(2, "找不到该通讯管理机端口"), (3, "找不到该通讯管理机端口"), (5, "表号重复"), (6, "表号重复"), (7, "通讯地址超出"),
        (8, "通讯地址超出"), (10, "同一总线上该地址已有仪表"), (11, "同一总线上该地址已有仪表"), (12, "找不到该楼栋的房间"),
        (13, "找不到该楼栋的房间"), (14, "型号无效"), (15, "表号无效"), (16, "通讯地址超出"), (18 + 32, "该总线超过32块仪表")}
r = upload(("\n".join(lines) + "\n").encode())
e = errors(r)
got = {(int(ln), why) for ln, why in e}
check(r.status == 200 and "未导入任何仪表" in r.text, "a file with bad rows is refused", r.status)
for ln, why in sorted(want):
    check(any(g[0] == ln and why in g[1] for g in got), f"line {ln} is listed: {why}", [g for g in got if g[0] == ln])
bad_lines = {ln for ln, _ in want}
check({g[0] for g in got} == bad_lines, "no good row is listed as bad", sorted({g[0] for g in got} - bad_lines))
m = re.search(r'<span class="nerr">(\d+)</span>', r.text)
check(m and int(m.group(1)) == len(e), "the count of errors matches the table", m and m.group(1))
check(mine() == n0 and count("meters") == t0, "nothing of the bad file was imported")

# The value column is shown escaped.
r = upload((HEAD + f"\n{X + 300},<script>alert(1)</script>,{GW},3,1,,\n").encode())
check("<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text and mine() == n0,
      "a bad value with HTML is listed escaped")

# Missing columns, empty files, not a CSV at all.
r = upload((("表号,型号,通讯管理机,端口,楼栋,房间\n" + f"{X + 400},ddsy1352nk,{GW},3,,\n").encode()))
e = errors(r)
check(r.status == 200 and e and e[0][0] == "1" and "缺少必需的列" in e[0][1], "a missing 地址 column is reported on line 1", e)
check(mine() == n0, "and nothing imported")
r = upload(b"")
check(r.status == 200 and "请选择CSV文件" in (r.field_error("file") or ""), "an empty file is refused", r.field_error("file"))
r = upload((HEAD + "\n").encode())
check(r.status == 200 and any("没有数据行" in x[1] for x in errors(r)), "a file with only the header has no data rows", errors(r))
r = upload(b"\xef\xbb\xbf\r\n\r\n")
check(r.status == 200 and (errors(r) or r.field_error("file")), "a file of blank lines is refused")
random.seed(sfx)
junk = bytes(random.randrange(256) for _ in range(4096))
r = upload(junk, "junk.csv")
check(r.status == 200 and (errors(r) or r.field_error("file")), "random bytes give an error", (r.status, errors(r)[:2]))
r = upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + junk[:200], "meters.png")
check(r.status == 200 and any("编码" in x[1] for x in errors(r)), "a binary file is refused as not UTF-8 or GBK", errors(r)[:2])
r = upload((HEAD + f'\n"{X + 500},ddsy1352nk,{GW},3,1,,\n').encode())
check(r.status == 200 and any("引号" in x[1] for x in errors(r)), "an unclosed quote is reported", errors(r)[:2])
r = a.post("/meters/import", {})
check(r.status == 200 and r.field_error("file"), "a POST without a file asks for one")
check(mine() == n0 and count("meters") == t0, "none of these imported anything")

# Without the csrf field (or with a wrong one) the POST is refused with 403.
boundary = uuid.uuid4().hex
body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.csv"\r\n'
        f'Content-Type: text/csv\r\n\r\n').encode() + (HEAD + f"\n{X + 600},ddsy1352nk,{GW},3,1,,\n").encode() + \
    f"\r\n--{boundary}--\r\n".encode()
r = a.request("POST", "/meters/import", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
check(r.status == 403, "an upload without the csrf field is refused with 403", r.status)
a.csrf_token = "0" * 64
r = a.upload("/meters/import", {}, "m.csv", (HEAD + f"\n{X + 600},ddsy1352nk,{GW},3,1,,\n").encode())
check(r.status == 403, "an upload with a wrong csrf token is refused with 403", r.status)
check(count("meters", f"number = {X + 600}") == 0 and mine() == n0, "and nothing was imported")
c = operator(role=3)
c.get("/")
r = c.upload("/meters/import", {}, "m.csv", (HEAD + f"\n{X + 700},ddsy1352nk,{GW},3,1,,\n").encode())
check(r.status == 403 and "F8" in r.text and count("meters", f"number = {X + 700}") == 0,
      "an operator without F8 cannot import", r.status)

done()
