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
# the money pages: an account, a sale with its confirmation, receipt, refund, adjustment, lists, reconciliation
room, meter = db("SELECT r.number, m.id FROM rooms r JOIN meters m ON m.room_id = r.id JOIN buildings b ON b.id = r.building_id"
                 " WHERE b.name = '1号楼' AND NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id"
                 " AND x.active = 1) ORDER BY r.number LIMIT 1")[0]
r = a.get("/account/open")
r = a.post("/account/open", {"holder": "vg", "building_id": db_value("SELECT id FROM buildings WHERE name = '1号楼'"),
                             "room": room, "first": "1.00", "idem": idem_of(r)})
check(r.status == 303, "an account opened with a first sale under valgrind")
aid = db_value(f"SELECT account_id FROM account_meters WHERE meter_id = {meter} AND active = 1")
r = a.get(f"/sell?account={aid}")
f = {"account": aid, "meter": meter, "amount": "2.50", "idem": idem_of(r)}
check(a.get(a.post("/sell", f).location).status == 200, "a sale's confirmation under valgrind")
r = a.post("/sell", dict(f, confirm="1"))
sid = re.search(r"id=(\d+)", r.location).group(1)
r = a.get(f"/adjust?account={aid}")
r = a.post("/adjust", {"account": aid, "meter": meter, "direction": "credit", "amount": "0.10", "reason": "vg",
                       "idem": idem_of(r), "confirm": "1"})
check(r.status == 303, "an adjustment under valgrind")
for p in [f"/sale?id={sid}", f"/receipt?id={sid}", f"/refund?account={aid}", f"/account?id={aid}", "/accounts",
          "/closings", "/sales?export=xlsx", "/refunds", "/reversals?export=xlsx", "/reconcile", "/tariffs", "/batch?building=1&floor=1",
          f"/close?id={aid}", f"/meter/history?meter={meter}", "/approvals", "/sell?q=vg"]:
    r = a.get(p)
    check(r.status == 200, f"GET {p.split('?')[0]} under valgrind", r.status)
# a gateway's bill with a line that no order has, on its page and exported
db("INSERT IGNORE INTO pay_bills (channel, day, state, line_count) VALUES ('alipay', '2026-03-01', 'ok', 1)")
db("INSERT IGNORE INTO pay_bill_lines (channel, day, trade_no, out_trade_no, amount_fen, kind)"
   " VALUES ('alipay', '2026-03-01', '2026vg', 'vg-not-ours', 300, 'trade')")
for p in ["/payments/bill?day=2026-03-01&match=bad", "/payments/bill?day=2026-03-01&export=xlsx",
          "/payments/bill?day=bad"]:
    r = a.get(p)
    check(r.status == 200, f"GET {p} under valgrind", r.status)
r = a.post("/refund", {"account": aid, "meter": meter, "amount": "99999", "idem": uuid.uuid4().hex, "confirm": "1"})
check(r.status == 200, "a refused refund under valgrind")
r = Client().login("nobody", "wrong")
check(r.status == 200, "a refused sign-in under valgrind")
done()
