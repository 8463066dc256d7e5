#!/usr/bin/python3
"""paysim.py - the payment sandbox: plays Alipay's mobile website payment (alipay.trade.wap.pay) and WeChat Pay's API v3 H5 payment (wechat.py) from their public specifications on loopback, with its own keys.

The payer's side: GET/POST /gateway.do with a signed alipay.trade.wap.pay
request shows a pay page (the request's signature checked with the app's
public key); its button pays, sends the asynchronous notice to the order's
notify_url (signed with the sandbox's private key) and goes back to the
return_url. The server's side: alipay.trade.query / .close / .refund (one
refund per out_request_no, never above what was paid) and
the bill's download address answer signed JSON; GET /bill?date=YYYY-MM-DD
serves the day's bill as Alipay's CSV (comments, heading, lines, totals).

Test hooks under /ctl/ (JSON answers):
  /ctl/pay?no=N                   pay order N without a browser, send its notice
  /ctl/pay?no=N&silent=1          pay it, the notice lost (for payments-sync)
  /ctl/notice?no=N&times=20&parallel=1
                                  send N's notice again (20 times at once)
      &amount=12.31 &app_id=X &seller_id=X &status=WAIT_BUYER_PAY
      &forge=1 (signed with a key that is not the sandbox's)
      &notify_url=U (for a trade number the sandbox never saw)
  /ctl/body?no=N (&the same changes) the signed notice body, not sent
  /ctl/orders                     every order the sandbox knows (refunds: each refund number's fen,
                                  refunded_fen, refund_calls)
  /ctl/refund_fail?mode=error     the next alipay.trade.refund fails (mode=forge: it is done, but its
                                  answer is signed with another key)
  /ctl/bill?no=N&off=1            the bills: N left off; &amount=12.31 N's line
      of another amount; &day=YYYY-MM-DD N on that day's bill;
      ?foreign=1&date=D&amount=3.00 a trade that is not ours; ?gbk=1 the
      file in GBK; ?zip=1 zipped with the totals (?zip=cut cut short); ?reset=1 every change forgotten (/ctl/wx/bill the same
      for WeChat Pay, with ?badhash=1: the file's SHA-1 not the answer's)

WeChat Pay (with --wx-*): POST /v3/pay/transactions/h5, GET
/v3/pay/transactions/out-trade-no/N?mchid=, POST .../N/close, the pay page
/wx/pay?no=N, and the hooks /ctl/wx/pay, /ctl/wx/notice, /ctl/wx/body with
&amount=FEN &appid=X &mchid=X &state=NOTPAY &forge=1 &old=SECONDS
&tamper=1 (the ciphertext changed: its GCM tag fails) &notify_url=U; refunds
POST /v3/refund/domestic/refunds and GET .../refunds/{out_refund_no}, and
/ctl/wx/refund_fail?mode=error|forge|processing.
"""
import argparse
import base64
import html
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import bills

ARGS = None
ORDERS = {}     # out_trade_no -> dict
LOCK = threading.Lock()
FORGE_KEY = None
WX = None       # the WeChat Pay sandbox (wechat.py), when configured
REFUND_FAIL = {}  # channel -> how its next refund fails (/ctl/refund_fail)
# the test's changes to the bills (/ctl/bill, bills.py)
BILL = bills.new()


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def sign_string(params, notice):
    """Alipay's signed string: sorted k=v without sign (and sign_type for a notice) and empty values."""
    skip = {"sign", "sign_type"} if notice else {"sign"}
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in skip and params[k] != "")


def rsa2_sign(key, text):
    out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=text.encode(),
                         capture_output=True, check=True).stdout
    return base64.b64encode(out).decode()


def rsa2_verify(pub, text, sig):
    try:
        raw = base64.b64decode(sig, validate=True)
    except Exception:
        return False
    with tempfile.NamedTemporaryFile() as f:
        f.write(raw)
        f.flush()
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", f.name],
                           input=text.encode(), capture_output=True)
    return r.returncode == 0


def yuan(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def fen_of(s):
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def now():
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 8 * 3600))


def notice_params(o, change):
    """The notice of order O as Alipay sends it, with the test's CHANGEs."""
    p = {
        "notify_time": now(), "notify_type": "trade_status_sync", "notify_id": uuid.uuid4().hex,
        "app_id": ARGS.app_id, "charset": "utf-8", "version": "1.0", "sign_type": "RSA2",
        "trade_no": o["trade_no"], "out_trade_no": o["no"], "buyer_id": "2088102177846880",
        "seller_id": ARGS.seller_id, "trade_status": o["status"], "total_amount": yuan(o["fen"]),
        "receipt_amount": yuan(o["fen"]), "buyer_pay_amount": yuan(o["fen"]), "subject": o["subject"],
        "gmt_create": o["created"], "gmt_payment": o.get("paid") or now(),
    }
    for k in ("app_id", "seller_id"):
        if change.get(k) is not None:
            p[k] = change[k]
    if change.get("amount") is not None:
        p["total_amount"] = change["amount"]
    if change.get("status") is not None:
        p["trade_status"] = change["status"]
    key = FORGE_KEY if change.get("forge") else ARGS.key
    p["sign"] = rsa2_sign(key, sign_string(p, True))
    return p


def send_notice(url, body):
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except Exception as e:  # the site is down: Alipay would try again later
        return 0, str(e)


def order_for(no, q):
    with LOCK:
        o = ORDERS.get(no)
    if o is None and q.get("notify_url"):
        # a trade number the sandbox never saw (the site must not know it either)
        o = {"no": no, "fen": fen_of(q.get("amount", "1.00")), "notify_url": q["notify_url"],
             "return_url": "", "status": "TRADE_SUCCESS", "trade_no": "2026" + uuid.uuid4().hex[:24],
             "subject": "test", "created": now()}
    return o


def pay(o):
    with LOCK:
        if o["status"] == "WAIT_BUYER_PAY":
            o["status"] = "TRADE_SUCCESS"
            o["paid"] = now()
    return send_notice(o["notify_url"], urllib.parse.urlencode(notice_params(o, {})))


class Handler(BaseHTTPRequestHandler):
    server_version = "paysim"

    def log_message(self, fmt, *a):
        log(self.address_string(), fmt % a)

    def answer(self, status, body, ctype="text/html; charset=utf-8", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def wechat(self):
        """WeChat Pay's paths (wechat.py): True when it answered."""
        u = urllib.parse.urlsplit(self.path)
        if WX is None or not (u.path.startswith("/v3/") or u.path.startswith("/wx/")
                              or u.path.startswith("/ctl/wx/")):
            return False
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        status, text, hd = WX.handle(self.command, u.path, u.query, self.headers, body)
        self.answer(status, text, hd.pop("Content-Type", "text/plain"), list(hd.items()))
        return True

    def params(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        if self.command == "POST":
            n = int(self.headers.get("Content-Length") or 0)
            q.update(urllib.parse.parse_qsl(self.rfile.read(n).decode(), keep_blank_values=True))
        return u.path, q

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def route(self):
        if self.wechat():
            return
        path, q = self.params()
        if path == "/gateway.do":
            return self.gateway(q)
        if path == "/pay":
            return self.pay_button(q)
        if path == "/bill":
            return self.bill(q)
        if path.startswith("/ctl/"):
            return self.ctl(path[5:], q)
        if path == "/":
            return self.answer(200, "<h1>paysim</h1><p>Alipay sandbox</p>")
        return self.answer(404, "not found", "text/plain")

    def api(self, method, body, code="10000", forge=False):
        """An open API answer: the response object and its signature (FORGE: by a key not the sandbox's)."""
        name = method.replace(".", "_") + "_response"
        body = dict({"code": code, "msg": "Success" if code == "10000" else "Business Failed"}, **body)
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        out = '{"%s":%s,"sign":"%s"}' % (name, text, rsa2_sign(FORGE_KEY if forge else ARGS.key, text))
        return self.answer(200, out, "application/json; charset=utf-8")

    def gateway(self, q):
        if not rsa2_verify(ARGS.app_pub, sign_string(q, False), q.get("sign", "")):
            return self.answer(400, "<h1>invalid-signature 验签出错</h1>")
        if q.get("app_id") != ARGS.app_id:
            return self.answer(400, "<h1>invalid-app-id</h1>")
        method = q.get("method", "")
        biz = json.loads(q.get("biz_content") or "{}")
        no = biz.get("out_trade_no", "")
        if method == "alipay.trade.wap.pay":
            with LOCK:
                o = ORDERS.get(no)
                if o is None:
                    o = ORDERS[no] = {
                        "no": no, "fen": fen_of(biz["total_amount"]), "subject": biz.get("subject", ""),
                        "notify_url": q.get("notify_url", ""), "return_url": q.get("return_url", ""),
                        "status": "WAIT_BUYER_PAY", "trade_no": "2026" + uuid.uuid4().hex[:24],
                        "created": now()}
            page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>支付宝（沙箱）</title>
<style>body{{font-family:sans-serif;margin:0;padding:1rem;background:#f5f5f5}}
.card{{background:#fff;border-radius:.5rem;padding:1rem}}.amt{{font-size:2rem;font-weight:bold}}
button{{width:100%;font-size:1.2rem;padding:.8rem;background:#1677ff;color:#fff;border:0;border-radius:.4rem}}</style>
</head><body><h1>支付宝 · 沙箱</h1><div class="card"><p>{html.escape(o['subject'])}</p>
<p class="amt" id="amount">¥{yuan(o['fen'])}</p><p>订单号 {html.escape(no)}</p>
<form method="post" action="/pay"><input type="hidden" name="no" value="{html.escape(no)}">
<button type="submit" id="pay">确认付款</button></form></div></body></html>"""
            return self.answer(200, page)
        with LOCK:
            o = ORDERS.get(no)
        if method == "alipay.trade.query":
            if o is None:
                return self.api(method, {"sub_code": "ACQ.TRADE_NOT_EXIST"}, "40004")
            return self.api(method, {"out_trade_no": no, "trade_no": o["trade_no"], "trade_status": o["status"],
                                     "total_amount": yuan(o["fen"]), "buyer_user_id": "2088102177846880"})
        if method == "alipay.trade.close":
            if o is None or o["status"] != "WAIT_BUYER_PAY":
                return self.api(method, {"sub_code": "ACQ.TRADE_STATUS_ERROR"}, "40004")
            o["status"] = "TRADE_CLOSED"
            return self.api(method, {"out_trade_no": no, "trade_no": o["trade_no"]})
        if method == "alipay.trade.refund":
            return self.refund(method, o, no, biz)
        if method == "alipay.data.dataservice.bill.downloadurl.query":
            day = biz.get("bill_date", "")
            return self.api(method, {"bill_download_url": f"http://127.0.0.1:{ARGS.port}/bill?date={day}"})
        return self.api(method, {"sub_code": "isv.invalid-method"}, "40002")

    def refund(self, method, o, no, biz):
        """alipay.trade.refund: one refund per out_request_no (the same number again refunds nothing more and
        answers fund_change N), never more than was paid; the test's REFUND_FAIL fails the next one."""
        fen, rno = fen_of(biz.get("refund_amount", "0")), biz.get("out_request_no", "")
        with LOCK:
            fail = REFUND_FAIL.pop("alipay", None)
            if fail == "error":     # the gateway busy: nothing refunded
                return self.api(method, {"sub_code": "ACQ.SYSTEM_ERROR", "sub_msg": "系统繁忙"}, "20000")
            if o is None or o["status"] not in ("TRADE_SUCCESS", "TRADE_FINISHED"):
                return self.api(method, {"sub_code": "ACQ.TRADE_STATUS_ERROR"}, "40004")
            o["refund_calls"] = o.get("refund_calls", 0) + 1
            refunds = o.setdefault("refunds", {})
            change = "N"
            if rno not in refunds:
                if not rno or fen <= 0 or sum(refunds.values()) + fen > o["fen"]:
                    return self.api(method, {"sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                                             "sub_msg": "退款金额超限"}, "40004")
                refunds[rno], change = fen, "Y"
                log("alipay refund", rno, "of", no, yuan(fen))
            total = sum(refunds.values())
            o["refunded_fen"], o["refunded"] = total, yuan(total)
        return self.api(method, {"out_trade_no": no, "trade_no": o["trade_no"], "buyer_logon_id": "159****5620",
                                 "refund_fee": yuan(total), "fund_change": change,
                                 "gmt_refund_pay": now()}, forge=fail == "forge")

    def pay_button(self, q):
        with LOCK:
            o = ORDERS.get(q.get("no", ""))
        if o is None:
            return self.answer(404, "<h1>no such order</h1>")
        status, text = pay(o)
        log("notice for", o["no"], "->", status, text)
        back = {"out_trade_no": o["no"], "trade_no": o["trade_no"], "total_amount": yuan(o["fen"]),
                "app_id": ARGS.app_id, "seller_id": ARGS.seller_id, "method": "alipay.trade.wap.pay.return",
                "charset": "utf-8", "sign_type": "RSA2", "timestamp": now(), "version": "1.0"}
        back["sign"] = rsa2_sign(ARGS.key, sign_string(back, True))
        sep = "&" if "?" in o["return_url"] else "?"
        return self.answer(302, "", headers=[("Location", o["return_url"] + sep + urllib.parse.urlencode(back))])

    def bill(self, q):
        """The day's trade bill as Alipay's CSV: comments, the heading, a line per trade and refund, the totals;
        with the test's changes (BILL); in GBK as Alipay writes it after /ctl/bill?gbk=1."""
        day = q.get("date", "")
        rows = []
        with LOCK:
            for o in ORDERS.values():
                if o["status"] not in ("TRADE_SUCCESS", "TRADE_FINISHED") or o["no"] in BILL["off"]:
                    continue
                if BILL["day"].get(o["no"], (o.get("paid") or "")[:10]) != day:
                    continue
                fen = fen_of(BILL["amount"][o["no"]]) if o["no"] in BILL["amount"] else o["fen"]
                rows.append([o["trade_no"], o["no"], "交易", o["subject"], o["created"], o.get("paid", ""),
                             yuan(fen), o["status"]])
                if o.get("refunded"):
                    rows.append([o["trade_no"], o["no"], "退款", o["subject"], o["created"], o.get("paid", ""),
                                 "-" + o["refunded"], "REFUND_SUCCESS"])
            for f in BILL["foreign"]:
                if f["date"] == day:
                    rows.append([f["trade_no"], f["no"], "交易", "其他商品", day + " 12:00:00",
                                 day + " 12:00:01", f["amount"], "TRADE_SUCCESS"])
        lines = ["#支付宝业务明细查询", f"#账号：[{ARGS.seller_id}0156]", f"#起始日期：[{day} 00:00:00]"
                 f"   终止日期：[{day} 23:59:59]", "#-----------------------------------------业务明细列表"
                 "----------------------------------------",
                 "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,订单金额（元）,交易状态"]
        lines += [",".join(v + "\t" if i < 2 else v for i, v in enumerate(r)) for r in rows]
        total = sum(fen_of(r[6].lstrip("-")) for r in rows if r[2] == "交易")
        lines += ["#-----------------------------------------业务明细列表结束"
                  "------------------------------------",
                  f"#交易合计：{sum(1 for r in rows if r[2] == '交易')}笔，商家实收共{yuan(total)}元",
                  f"#导出时间：[{now()}]"]
        text = "\n".join(lines) + "\n"
        if BILL["zip"]:
            # as Alipay serves it: the lines and the totals, each a GBK CSV, in one archive
            totals = ("#支付宝业务汇总查询\n门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）\n"
                      f",,{len(rows)},0,{yuan(total)}\n#结束\n")
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(f"{ARGS.seller_id}0156_{day.replace('-', '')}_业务明细(汇总).csv", totals.encode("gbk"))
                z.writestr(f"{ARGS.seller_id}0156_{day.replace('-', '')}_业务明细.csv", text.encode("gbk"))
            data = out.getvalue()
            if BILL["zip"] == "cut":
                data = data[:len(data) // 2]
            return self.answer(200, data, "application/zip")
        if BILL["gbk"]:
            return self.answer(200, text.encode("gbk"), "text/csv; charset=gbk")
        return self.answer(200, text, "text/csv; charset=utf-8")

    def bill_ctl(self, q):
        """/ctl/bill: a change to the bills (bills.change)."""
        with LOCK:
            out = bills.change(BILL, q, lambda: "2026" + uuid.uuid4().hex[:24], yuan)
        return self.answer(200, json.dumps(out), "application/json")

    def ctl(self, what, q):
        if what == "orders":
            with LOCK:
                return self.answer(200, json.dumps(ORDERS), "application/json")
        if what == "refund_fail":
            # the next refund fails: mode=error (not done, an error answer) or forge (done, its answer forged)
            REFUND_FAIL["alipay"] = q.get("mode", "error")
            return self.answer(200, json.dumps({"refund_fail": REFUND_FAIL["alipay"]}), "application/json")
        if what == "bill":
            return self.bill_ctl(q)
        o = order_for(q.get("no", ""), q)
        if o is None:
            return self.answer(404, json.dumps({"error": "no such order"}), "application/json")
        if what == "pay" and q.get("silent"):
            # paid, but the notice is lost on the way
            with LOCK:
                o["status"], o["paid"] = "TRADE_SUCCESS", now()
            return self.answer(200, json.dumps({"status": 0, "answer": ""}), "application/json")
        if what == "pay":
            status, text = pay(o)
            return self.answer(200, json.dumps({"status": status, "answer": text}), "application/json")
        change = {k: q.get(k) for k in ("amount", "app_id", "seller_id", "status", "forge")}
        if what == "body":
            return self.answer(200, urllib.parse.urlencode(notice_params(o, change)), "text/plain")
        if what == "notice":
            n = int(q.get("times", "1"))
            bodies = [urllib.parse.urlencode(notice_params(o, change)) for _ in range(n)]
            if q.get("parallel"):
                with ThreadPoolExecutor(max_workers=n) as ex:
                    res = list(ex.map(lambda b: send_notice(o["notify_url"], b), bodies))
            else:
                res = [send_notice(o["notify_url"], b) for b in bodies]
            return self.answer(200, json.dumps([{"status": s, "answer": t} for s, t in res]), "application/json")
        return self.answer(404, json.dumps({"error": "unknown hook"}), "application/json")


def main():
    global ARGS, FORGE_KEY
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=18093)
    ap.add_argument("--key", required=True, help="the sandbox gateway's private key (PEM): signs notices")
    ap.add_argument("--app-pub", required=True, help="the app's public key (PEM): checks its requests")
    ap.add_argument("--app-id", required=True)
    ap.add_argument("--seller-id", required=True)
    ap.add_argument("--wx-key", help="WeChat Pay: the sandbox platform's private key (PEM)")
    ap.add_argument("--wx-merchant-pub", help="WeChat Pay: the merchant's public key (PEM)")
    ap.add_argument("--wx-apiv3-key", help="WeChat Pay: the APIv3 key file (32 characters)")
    ap.add_argument("--wx-appid")
    ap.add_argument("--wx-mchid")
    ARGS = ap.parse_args()
    if ARGS.wx_key:
        global WX
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import wechat
        WX = wechat.Sandbox(ARGS.port, ARGS.wx_key, ARGS.wx_merchant_pub, ARGS.wx_apiv3_key,
                            ARGS.wx_appid, ARGS.wx_mchid, log)
    fd, FORGE_KEY = tempfile.mkstemp(prefix="paysim-forge-", suffix=".pem")
    os.close(fd)
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", FORGE_KEY], check=True, capture_output=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.daemon_threads = True
    log(f"paysim: Alipay sandbox on http://127.0.0.1:{ARGS.port}/")
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        os.unlink(FORGE_KEY)


if __name__ == "__main__":
    main()
