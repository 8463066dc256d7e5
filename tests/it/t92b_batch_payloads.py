"""t92b_batch_payloads.py - a batch's price and settings downloads: the exact payload at the limits, nothing queued beyond them."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
meter = db_value("SELECT MIN(id) FROM meters WHERE profile = 'ddsy1352nk'")
saved = {k: db_value(f"SELECT value FROM settings WHERE name = '{k}'")
         for k in ("price", "power_threshold_w", "alarm1_fen", "alarm2_fen")}


def setting(name, value):
    db(f"INSERT INTO settings (name, value) VALUES ('{name}', '{value}')"
       " ON DUPLICATE KEY UPDATE value = VALUES(value)")


def batch(action):
    """The batch page's two steps for ACTION on one meter; the response and the new commands' payloads."""
    before = int(db_value("SELECT COALESCE(MAX(id), 0) FROM commands"))
    r = a.post("/batch/run", {"action": action, "idem": "-", "m": meter})
    idem = re.search(r'name="idem" value="([^"]+)"', r.text).group(1)
    r = a.post("/batch/run", {"action": action, "idem": idem, "confirm": "1", "m": meter})
    pl = [x[0] for x in db(f"SELECT payload FROM commands WHERE id > {before} AND meter_id = {meter}"
                           f" AND kind = '{action}'")]
    return r, pl


try:
    setting("power_threshold_w", 65535)
    setting("alarm1_fen", 2000)
    setting("alarm2_fen", 500)
    r, pl = batch("settings")
    check(r.status == 303 and pl == ["alarm1=2000&alarm2=500&overdraft=0&threshold=65535&restore_delay=60"],
          "a settings download at the register's maximum threshold (65535 W) is queued as the meter reads it",
          (r.status, pl))
    # one over: the meter's register cannot hold it, no command goes out
    setting("power_threshold_w", 65536)
    r, pl = batch("settings")
    check(r.status != 303 and pl == [], "a threshold of 65536 W queues no command a meter would refuse",
          (r.status, pl))
    setting("price", 2147483647)
    r, pl = batch("price")
    p = "2147483647"
    check(r.status == 303 and pl == [f"p0={p}&p1={p}&p2={p}&p3={p}"], "the largest price a meter holds is queued",
          (r.status, pl))
    setting("price", 2147483648)
    r, pl = batch("price")
    check(r.status != 303 and pl == [], "one over the largest price queues nothing", (r.status, pl))
    setting("price", 1)
    r, pl = batch("price")
    check(r.status == 303 and pl == ["p0=1&p1=1&p2=1&p3=1"], "the smallest price (0.0001 yuan) is queued", (r.status, pl))
    setting("price", 0)
    r, pl = batch("price")
    check(r.status != 303 and pl == [], "a price of nothing queues nothing", (r.status, pl))
finally:
    for k, v in saved.items():
        if v is not None:
            setting(k, v)
done()
