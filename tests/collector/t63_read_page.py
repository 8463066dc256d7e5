"""t63_read_page.py - F15/S1: a batch "read now" through the staff console, served by a real collector: the batch view says per meter what really happened (read, no answer, read by no collector), in Chinese, not a count of requests."""
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import elib  # noqa: E402
from elib import Rig, check, count, db, db_value, done, operator, wait  # noqa: E402

elib.PORTS = range(16096, 16100)  # this test's simulator, apart from the end-to-end tests'
rig = Rig("rd", [[(5000, 0), (6000, 0), (7000, 0), (8000, 0)]])
m1, m2, m3, m4 = rig.meters
# Meter 4 is on the bus but not yet in the database: it is imported while the collector runs.
row4 = db(f"SELECT number, profile, bus_id, address, room_id FROM meters WHERE id = {m4['id']}")[0]
db(f"DELETE FROM meters WHERE id = {m4['id']}")
a = operator(role=1)
try:
    rig.start(poll_s=600)
    check(wait(lambda: count("meter_state", f"meter_id IN ({m1['id']}, {m2['id']}, {m3['id']})"
                                            " AND read_at IS NOT NULL") == 3, 20), "the collector read the 3 meters")
    rig.sim.ctl(f"fault {m2['number']} silent")
    # meter 3 removed (after the operator's list was shown), meter 4 imported
    for t in ("readings", "meter_state", "daily_energy"):
        db(f"DELETE FROM {t} WHERE meter_id = {m3['id']}")
    db(f"DELETE FROM meters WHERE id = {m3['id']}")
    new4 = int(db_value(f"INSERT INTO meters (number, profile, bus_id, address, room_id) VALUES"
                        f" ({row4[0]}, '{row4[1]}', {row4[2]}, {row4[3]}, {row4[4]}) RETURNING id"))
    sel = [m1["id"], m2["id"], m3["id"], new4]
    r = a.post("/batch/run", [("action", "read"), ("idem", "-")] + [("m", str(i)) for i in sel])
    idem = re.search(r'name="idem" value="([^"]+)"', r.text).group(1)
    r = a.post("/batch/run", [("action", "read"), ("idem", idem), ("confirm", "1")] + [("m", str(i)) for i in sel])
    bid = re.search(r"id=(\d+)", r.location).group(1)
    t0 = time.time()
    check(wait(lambda: count("read_requests", f"batch_id = {bid} AND done_at IS NULL") == 0, 20),
          f"the collector finished the 4 requests ({time.time() - t0:.1f} s)")
    r = a.get("/batch/view", id=bid)
    body = r.text

    def cell(name):
        mm = re.search(rf'id="{name}">(\d+)<', body)
        return int(mm.group(1)) if mm else None

    check(r.status == 200 and cell("n-read") == 2 and cell("n-read-failed") == 1 and cell("n-read-unknown") == 1
          and cell("n-read-pending") == 0, "the batch view counts 2 read, 1 failed, 1 read by no collector, 0 waiting",
          [cell(x) for x in ("n-read", "n-read-failed", "n-read-unknown", "n-read-pending")])
    rows = {n: tr for tr in re.findall(r"<tr class=\"read-[a-z]+\">.*?</tr>", body)
            for n in (m1["number"], m2["number"], row4[0]) if f"<td>{n}</td>" in tr}
    check("已读到" in rows.get(m1["number"], "") and "已读到" in rows.get(row4[0], ""),
          "meter 1 and the meter imported a moment ago: 已读到", rows)
    check("读表失败" in rows.get(m2["number"], "") and "电表无应答" in rows.get(m2["number"], ""),
          "the silent meter: 读表失败, 电表无应答", rows.get(m2["number"]))
    check(body.count('class="read-unknown"') == 1 and "不在任何采集服务的抄读范围内" in body,
          "the removed meter: read by no collector, said in Chinese")
    check(not re.search(r"no_answer|timeout|not_tried|unknown<|exception 0x", body),
          "no codes or English in the page")
    check(count("readings", f"meter_id = {new4}") >= 1, "the imported meter's reading is stored")
    check("已抄读" not in body, "no bare count of requests")

    # "Read now" of one meter (the money pages' button) waits for the answer and says it.
    back = "/meters"
    t0 = time.time()
    r = a.post("/meter/read", {"meter": m1["id"], "back": back})
    check(r.status == 303 and r.location.endswith(back) and
          count("read_requests", f"meter_id = {m1['id']} AND outcome = 'read'") == 2,
          f"read now of a meter that answers: read, back to the page ({time.time() - t0:.1f} s)")
    r = a.post("/meter/read", {"meter": m2["id"], "back": back})
    check(r.status == 504 and "电表无应答" in r.text and "no_answer" not in r.text,
          "read now of the silent meter: the page says the meter does not answer", (r.status, r.text[-400:]))
    rig.sim.ctl(f"bus {m1['port']} down-refuse")
    time.sleep(0.5)
    r = a.post("/meter/read", {"meter": m1["id"], "back": back})
    check(r.status == 504 and "无法连接网关" in r.text, "a gateway refusing: the page says so", r.status)
    rig.sim.ctl(f"bus {m1['port']} up")
finally:
    rig.stop()
done()
