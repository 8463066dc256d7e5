"""t9b_open_money.py - F11 opening: meters that cannot be in an account (a master meter measuring energy only)."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
B2 = db_value("SELECT id FROM buildings WHERE name = '2号楼'")
room = db_value("SELECT r.number FROM rooms r JOIN meters m ON m.room_id = r.id WHERE r.building_id = "
                f"{B2} AND m.profile = 'ddsy1352nk' AND NOT EXISTS (SELECT 1 FROM account_meters x"
                " WHERE x.meter_id = m.id) ORDER BY r.number LIMIT 1")
energy = db_value("SELECT number FROM meters WHERE profile <> 'ddsy1352nk' ORDER BY number LIMIT 1")
A0, L0 = count("accounts"), count("account_meters")
for twice in range(2):
    r = a.get("/account/open")
    r = a.post("/account/open", {"holder": "总表开户", "building_id": B2, "room": room, "meters": energy,
                                 "idem": idem_of(r)})
    check(r.status == 200 and "总表" in (r.field_error("meters") or "") and count("accounts") == A0
          and count("account_meters") == L0, "a master (energy) meter is refused next to the field, nothing written",
          r.field_error("meters"))
done()
