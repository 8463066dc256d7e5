"""t9c_entries.py - an entry's page and receipt need the right of its kind; a print is recorded when asked for."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
tag = "权限" + uuid.uuid4().hex[:6]


def role(*rights):
    name = tag + "".join(rights)
    db(f"INSERT INTO roles (name) VALUES ('{name}')")
    rid = db_value(f"SELECT id FROM roles WHERE name = '{name}'")
    db("INSERT INTO role_rights (role_id, right_code) VALUES " + ",".join(f"({rid}, '{x}')" for x in rights + ("F5",)))
    return operator(role=int(rid))


free = [x[0] for x in db("SELECT r.number FROM rooms r JOIN buildings b ON b.id = r.building_id"
                         " JOIN meters m ON m.room_id = r.id WHERE b.name = '2号楼' AND NOT EXISTS"
                         " (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                         " ORDER BY r.number DESC")]
r = a.get("/account/open")
r = a.post("/account/open", {"holder": tag, "building_id": "2", "room": free[0], "idem": idem_of(r)})
aid = re.search(r"id=(\d+)", r.location).group(1)
meter = db_value(f"SELECT meter_id FROM account_meters WHERE account_id = {aid}")
r = a.get(f"/sell?account={aid}")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "30", "idem": idem_of(r), "confirm": "1"})
sale = re.search(r"id=(\d+)", r.location).group(1)
meter_read(meter, 3000, int(db_value(f"SELECT MAX(purchase_count) FROM commands WHERE meter_id = {meter}")))
r = a.get(f"/refund?account={aid}")
r = a.post("/refund", {"account": aid, "meter": meter, "amount": "10", "idem": idem_of(r), "confirm": "1"})
ref = re.search(r"id=(\d+)", r.location).group(1)

# A clerk who sells (F17 only) sees sales, not refunds.
clerk = role("F17")
r = clerk.get(f"/sale?id={sale}")
check(r.status == 200 and "售电" in r.text, "a seller sees a sale's page")
for path in [f"/sale?id={ref}", f"/receipt?id={ref}"]:
    r = clerk.get(path)
    check(r.status == 403 and "F19" in r.text and "壹拾元整" not in r.text, f"a seller cannot read a refund: {path}",
          r.status)
r = clerk.post(f"/receipt?id={ref}", {"csrf": clerk.csrf_token})
check(r.status == 403 and count("receipt_prints", f"ledger_id = {ref}") == 0, "nor print one")
refunder = role("F19")
check(refunder.get(f"/sale?id={ref}").status == 200 and refunder.get(f"/sale?id={sale}").status == 403,
      "a refunder sees refunds and not sales")
check(role("F20").get(f"/receipt?id={ref}").status == 200, "the refund query's right reads refunds")
check(role("F12").get(f"/sale?id={ref}").status == 200, "the account records (F12) show every entry")
check(role("F2").get(f"/sale?id={sale}").status == 403, "an operator without a money right sees no entry")

# Opening the receipt is no print: the print button is.
r = a.get(f"/sale?id={sale}")
t = r.text
check(t.find('id="print-receipt"') < t.find('action="/reversal"') and 'class="reversal-part"' in t,
      "打印收据 comes first, the reversal below and set apart")
r = a.get(f"/receipt?id={sale}")
r = a.get(f"/receipt?id={sale}")
check("补打" not in r.text and count("receipt_prints", f"ledger_id = {sale}") == 0,
      "opening the receipt twice records no print and marks no copy")
r = a.post(f"/receipt?id={sale}", {"csrf": a.csrf_token})
loc = r.location
check(r.status == 303 and count("receipt_prints", f"ledger_id = {sale}") == 1, "pressing print records one print")
r = a.get(loc)
check("补打" not in r.text, "and that first print is the original")
check("补打" not in a.get(loc).text, "reloading it shows it the same")
r = a.post(f"/receipt?id={sale}", {"csrf": a.csrf_token})
check(a.get(r.location).text.count("补打") == 3, "the second print is a copy")
check(a.get(f"/receipt?id={sale}").text.count("补打") == 3, "and the preview now says copy too")
other = operator(role=1)
check("补打" in other.get(loc).text, "another operator cannot reuse the first print's page")
r = a.post(f"/receipt?id={sale}", {"csrf": "x"})
check(r.status == 403 and count("receipt_prints", f"ledger_id = {sale}") == 2, "a print needs the form's token")

# A refund's receipt and page speak of refunds.
r = a.get(f"/receipt?id={ref}")
check("<title>退电收据" in r.text and "售电收据" not in r.text, "a refund's receipt is titled 退电收据")
r = a.get(f"/sale?id={ref}")
check("继续退电" in r.text and "继续售电" not in r.text, "a refund's page offers the next refund, not a sale")
# Two tabs sell the same amount to one account a second apart: the second is asked about.
t1, t2 = a.get(f"/sell?account={aid}"), a.get(f"/sell?account={aid}")
f1 = {"account": aid, "meter": meter, "amount": "25.5", "idem": idem_of(t1)}
f2 = {"account": aid, "meter": meter, "amount": "２５.５０", "idem": idem_of(t2)}
c1, c2 = a.get(a.post("/sell", f1).location), a.get(a.post("/sell", f2).location)
check('name="dupcheck"' in c1.text and "dup-warning" not in c2.text, "both confirmations shown, no sale yet")
L0 = count("ledger")
r = a.post("/sell", dict(f1, confirm="1", dupcheck="1"))
check(r.status == 303 and count("ledger") == L0 + 1, "the first tab sells")
check(a.post("/sell", dict(f1, confirm="1", dupcheck="1")).status == 303 and count("ledger") == L0 + 1,
      "the first tab's form again is its own repeat, not asked about")
r = a.post("/sell", dict(f2, confirm="1", dupcheck="1"))
check(r.status == 200 and "dup-warning" in r.text and "几分钟前" in r.text and count("ledger") == L0 + 1,
      "the second tab's identical sale is stopped with a warning naming the first", r.status)
check('name="dup_ok" value="1"' in r.text and "确认，再售一笔" in r.text, "and it can be confirmed again")
r = a.post("/sell", dict(f2, confirm="1", dupcheck="1", dup_ok="1"))
check(r.status == 303 and count("ledger") == L0 + 2, "confirmed again, it is sold")
r = a.get(f"/sell?account={aid}")
r = a.get(a.post("/sell", {"account": aid, "meter": meter, "amount": "25.51", "idem": idem_of(r)}).location)
check("dup-warning" not in r.text, "a different amount is not asked about")
r = a.get(f"/sell?account={aid}")
r = a.get(a.post("/sell", {"account": aid, "meter": meter, "amount": "25.50", "idem": idem_of(r)}).location)
check("dup-warning" in r.text, "the same amount again is named on the confirmation at once")
# Back after a sale: the confirmation is a GET page, which never writes.
r = a.get(f"/sell?account={aid}")
i = idem_of(r)
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "3.21", "idem": i})
check(r.status == 303 and "/sell?review=1" in r.location and "amount=3.21" in r.location,
      "a valid sale form is answered with a redirect to its confirmation")
conf = r.location
L0 = count("ledger")
r = a.get(conf + "&confirm=1")
check(r.status == 200 and "叁元贰角壹分" in r.text and count("ledger") == L0, "the confirmation page writes nothing, even told to")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "3.21", "idem": i, "confirm": "1", "dupcheck": "1"})
check(r.status == 303 and count("ledger") == L0 + 1, "confirmed, the sale is written")
r = a.get(conf)
check(r.status == 200 and count("ledger") == L0 + 1, "going back shows the confirmation again, without a new sale")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "3.21", "idem": i, "confirm": "1", "dupcheck": "1"})
check(r.status == 303 and count("ledger") == L0 + 1, "and confirming it again is the same sale")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "abc", "idem": i})
check(r.status == 200 and r.field_error("amount"), "a form with errors is shown again with them")

# Full-width digits, point and minus are read as numbers.
r = a.get(f"/sell?account={aid}")
i = idem_of(r)
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "１００", "idem": i})
r = a.get(r.location)
check(r.status == 200 and "100.00 元" in r.text and "壹佰元整" in r.text, "１００ is read as 100.00", r.field_error("amount"))
for amount, why in [("－５", "超出"), ("１．２３４", "两位小数"), ("１００元", "金额"), ("１ ００", "金额")]:
    r = a.post("/sell", {"account": aid, "meter": meter, "amount": amount, "idem": i, "confirm": "1"})
    check(why in (r.field_error("amount") or ""), f"{amount!r}: {why}", r.field_error("amount"))
L0 = count("ledger")
r = a.post("/sell", {"account": aid, "meter": meter, "amount": "１２．３０", "idem": i, "confirm": "1"})
lid = re.search(r"id=(\d+)", r.location).group(1) if r.status == 303 else "0"
check(db_value(f"SELECT amount_fen FROM ledger WHERE id = {lid}") == "1230", "１２．３０ sells 12.30")
# The meter's refusal in words, and a debit's token named as one.
rcmd = db_value(f"SELECT command_id FROM ledger WHERE id = {ref}")
db(f"UPDATE commands SET status = 'failed', error = 'refused by the meter (exception 0x03, count 7, bad tokens 2)'"
   f" WHERE id = {rcmd}")
r = a.get(f"/sale?id={ref}")
main = r.text.split("<main>")[1]
check("电表拒收此指令（电表购电次数 7，已拒收 2 次）" in main and "refused by" not in main.split('title="')[0]
      and "exception" not in re.sub(r'title="[^"]*"', "", main), "the meter's refusal is shown in Chinese", main[:200])
check("扣减指令" in main and "充值指令" not in main, "a refund's token is a debit, not 充值指令")
r = a.get(f"/sell?account={aid}")
check("电表拒收此指令" in r.text and "bad tokens" not in re.sub(r'title="[^"]*"', "", r.text),
      "the sell page's commands in flight say it in Chinese too")
for raw, words in [("token write: timeout", "写入电表失败：电表无应答（超时）"), ("read-back: count 5", "读回确认不符（电表购电次数 5）"),
                   ("refused by the meter (exception 0x02)", "电表拒绝执行此指令（异常码 02）"), ("weird <b>", "下发失败")]:
    db(f"UPDATE commands SET error = '{raw}' WHERE id = {rcmd}")
    check(words in a.get(f"/sale?id={ref}").text, f"{raw!r} reads {words}")
done()
