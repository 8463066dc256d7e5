"""t93_history.py - F16 reading history: daily use from the collector's day table, chart, readings, export."""
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401
import openpyxl  # noqa: E402

a = operator(role=1)
mid = db_value("SELECT id FROM meters WHERE number = 1040130")
db(f"DELETE FROM daily_energy WHERE meter_id = {mid}")
# five days as the collector keeps them: first and last energy of each local day (0.01 kWh)
db("INSERT INTO daily_energy (meter_id, day, first_energy, last_energy) VALUES"
   f" ({mid}, '2026-03-01', 10000, 10500), ({mid}, '2026-03-02', 10520, 11200),"
   f" ({mid}, '2026-03-03', 11200, 11200), ({mid}, '2026-03-04', 11230, 12830), ({mid}, '2026-03-05', 12830, 13000)")
db(f"INSERT INTO readings (meter_id, read_at, energy, remaining_fen, purchase_count, power_w) VALUES"
   f" ({mid}, '2026-03-04 02:00:00', 11800, 4321, 3, 1500)")
r = a.get("/meter/history", meter="1040130", **{"from": "2026-03-01", "to": "2026-03-05"})
check(r.status == 200 and "1040130" in r.text, "the history page finds the meter by number")
used = re.findall(r'<td class="used">([^<]+)</td>', r.text)
# day 1: last - first; later days: last - the day before's last
check(used == ["5.00", "7.00", "0.00", "16.30", "1.70"], "daily use is each day's last energy minus the day before's", used)
check(r.text.count("<rect ") == 5 and "<svg" in r.text, "the chart has a bar a day, as inline SVG")
check("16.30 kWh" in r.text, "each bar has its day and use as a title")
check("118.00" in r.text and "43.21" in r.text, "the readings of the range are listed with energy and money")
r = a.get("/meter/history", meter="1040130", **{"from": "2026-03-02", "to": "2026-03-03"})
check(len(re.findall(r'<td class="used">', r.text)) == 2, "the date range limits the days")
r = a.get("/meter/history", meter="1040130", **{"from": "2026-02-30x"})
check("YYYY-MM-DD" in (r.field_error("from") or ""), "a bad date is refused next to the field")
r = a.get("/meter/history", meter="999")
check("找不到" in (r.field_error("meter") or ""), "an unknown meter is said so")
r = a.get("/meter/history", meter="<script>")
check("<script>" not in r.text.split("<main>")[1], "hostile input is escaped")
r = a.get("/meter/history", meter="1040130", export="xlsx", **{"from": "2026-03-01", "to": "2026-03-05"})
ws = openpyxl.load_workbook(io.BytesIO(r.body)).active
check(ws.max_row == 6 and [c.value for c in ws[5]] == ["2026-03-04", "16.30", "128.30"], "the history exports to .xlsx",
      [c.value for c in ws[5]] if ws.max_row >= 5 else ws.max_row)
done()
