"""vg_load.py - the requests that valgrind-staff.sh sends through every kind of page."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
paths = ["/", "/operators", "/roles", "/oplog", "/buildings", "/rooms", "/gateways", "/meters",
         "/meters?sort=-room&building=1", "/meters?export=xlsx&q=10101", "/settings", "/password",
         "/meter?id=1", "/gateway?id=1", "/room?id=1", "/building?id=1", "/role?id=1", "/operator?id=1",
         "/no-such", "/meters/import"]
for i in range(3):
    for p in paths:
        r = a.get(p)
        check(r.status in (200, 404), f"GET {p} under valgrind", r.status)
a.get("/building")
r = a.post("/building", {"name": "", "floors": "x"})
check(r.status == 200, "a refused form under valgrind")
r = a.post("/building", {"name": "vg" + uuid.uuid4().hex[:6], "floors": "2"})
check(r.status == 303, "a saved form under valgrind")
a.get("/meters/import")
r = a.upload("/meters/import", {}, "m.csv", "表号,型号,通讯管理机,端口,地址,楼栋,房间\n1,x,GW9,1,0,,\n".encode())
check(r.status == 200 and "未导入" in r.text, "a refused import under valgrind")
r = a.post("/settings", {"site_title": ""})
check(r.status == 200, "a refused settings form under valgrind")
r = Client().login("nobody", "wrong")
check(r.status == 200, "a refused sign-in under valgrind")
done()
