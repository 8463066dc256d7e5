"""bills.py - the payment sandbox's changes to the gateways' daily bills that a test asks for (/ctl/bill, /ctl/wx/bill): orders left off, amounts changed, orders moved to another day, trades that are not the merchant's, the file in GBK or zipped, a wrong hash."""
import uuid


def new():
    return {"off": set(), "amount": {}, "day": {}, "foreign": [], "gbk": False, "badhash": False, "zip": ""}


def change(bill, q, trade_no, money):
    """A change to BILL from the query Q: no=N with off=1 (N left off), amount=A (N's line of amount A, the
    channel's money text), day=D (N on D's bill); foreign=1 with date=D, amount=A, no=X (a trade that is not
    ours, X made up when not given); gbk=1, badhash=1; zip=1 (the bill zipped with its totals, as Alipay serves
    it), zip=cut (that archive cut in half); reset=1 forgets every change."""
    if q.get("reset"):
        bill.update(new())
        return {"reset": True}
    no = q.get("no", "")
    if q.get("foreign"):
        f = {"date": q.get("date", ""), "no": no or uuid.uuid4().hex, "trade_no": trade_no(),
             "amount": q.get("amount") or money(100)}
        bill["foreign"].append(f)
        return f
    if q.get("off"):
        bill["off"].add(no)
    if q.get("amount"):
        bill["amount"][no] = q["amount"]
    if q.get("day"):
        bill["day"][no] = q["day"]
    for k in ("gbk", "badhash"):
        if k in q:
            bill[k] = q[k] == "1"
    if "zip" in q:
        bill["zip"] = q["zip"] if q["zip"] in ("1", "cut") else ""
    return {"no": no}
