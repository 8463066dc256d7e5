"""t93_history.py - F16 reading history: daily use from the collector's day table, chart, readings, export."""
import io
import datetime
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
row = [c.value for c in ws[5]]
check(ws.max_row == 7 and row[0] == datetime.datetime(2026, 3, 4) and row[1:] == [16.3, 128.3],
      "the history exports to .xlsx: the day as a date, use and energy as numbers", row)
check(ws.cell(5, 1).number_format == "yyyy-mm-dd" and ws.cell(5, 2).number_format == "0.00",
      "with a date format and kWh to two decimals", (ws.cell(5, 1).number_format, ws.cell(5, 2).number_format))
check([c.value for c in ws[7]][:2] == ["合计", 30.0] and ws.cell(7, 2).font.b, "and a bold totals row of the use",
      [c.value for c in ws[7]])
r = a.get("/meter/history", meter="1040130", **{"from": "2026-03-01", "to": "2026-03-05"})
check(re.search(r'id="used-total">30.00<', r.text), "the page totals the use of the range")

# Every read of the range, page by page; a range that ends before it starts is said so.
db(f"INSERT INTO readings (meter_id, read_at, energy, remaining_fen, purchase_count, power_w)"
   f" SELECT {mid}, TIMESTAMP('2026-03-02 00:00:00') + INTERVAL seq MINUTE, 10600 + seq, 5000, 3, 100"
   f" FROM seq_1_to_249")
r = a.get("/meter/history", meter="1040130", **{"from": "2026-03-01", "to": "2026-03-05"})
n1 = r.text.split('class="list reads"')[1].count("<tr><td>")
check(n1 == 200 and re.search(r'id="reads-total">250<', r.text) and "rpage=2" in r.text,
      "200 reads on the first page, the total 250 and a link to the next", n1)
r = a.get("/meter/history", meter="1040130", rpage="2", **{"from": "2026-03-01", "to": "2026-03-05"})
n2 = r.text.split('class="list reads"')[1].count("<tr><td>")
check(n2 == 50 and "rpage=1" in r.text, "the second page has the other 50", n2)
r = a.get("/meter/history", meter="1040130", **{"from": "2026-03-05", "to": "2026-03-01"})
check("早于" in (r.field_error("to") or ""), "a range ending before it starts is said so next to the field",
      r.field_error("to"))
done()
