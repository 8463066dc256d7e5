"""wechat.py - the payment sandbox's WeChat Pay (API v3, H5) from its public specification: requests checked by their WECHATPAY2-SHA256-RSA2048 Authorization with the merchant's public key, answers and notices signed with the sandbox platform's key, a notice's resource encrypted with AEAD_AES_256_GCM and the APIv3 key."""
import base64
import hashlib
import html
import json
import os
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import bills

ORDERS = {}     # out_trade_no -> dict
REFUNDS = {}    # out_refund_no -> dict
LOCK = threading.Lock()
SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
BILL = bills.new()      # the test's changes to the bills (/ctl/wx/bill)
TOKENS = {}             # a bill's download token -> (day, the file)


def bills_fen(s):
    """A bill's amount in yuan ("12.30") in fen."""
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


class Sandbox:
    def __init__(self, port, key, merchant_pub, apiv3_key, appid, mchid, log):
        self.port, self.appid, self.mchid, self.log = port, appid, mchid, log
        with open(key, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), None)
        with open(merchant_pub, "rb") as f:
            self.merchant = serialization.load_pem_public_key(f.read())
        with open(apiv3_key, "rb") as f:
            self.v3 = f.read().strip()
        self.forge = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.refund_fail = None     # how the next refund call fails (/ctl/wx/refund_fail)

    # signatures
    def sign(self, text, key=None):
        sig = (key or self.key).sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(sig).decode()

    def signed_headers(self, body, forge=False, age=0):
        ts, nonce = str(int(time.time()) - age), secrets.token_hex(16).upper()
        sig = self.sign(f"{ts}\n{nonce}\n{body}\n", self.forge if forge else None)
        return {"Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce, "Wechatpay-Signature": sig,
                "Wechatpay-Serial": SERIAL, "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048"}

    def authorized(self, method, path, auth, body):
        """The merchant's Authorization of a request: its scheme, mchid, timestamp and signature."""
        scheme, _, rest = (auth or "").partition(" ")
        if scheme != "WECHATPAY2-SHA256-RSA2048":
            return "no WECHATPAY2-SHA256-RSA2048 Authorization"
        f = {}
        for part in rest.split(","):
            k, _, v = part.strip().partition("=")
            f[k] = v.strip('"')
        if f.get("mchid") != self.mchid:
            return "mchid"
        if not f.get("timestamp", "").isdigit() or abs(int(f["timestamp"]) - time.time()) > 300:
            return "timestamp"
        text = f"{method}\n{path}\n{f['timestamp']}\n{f.get('nonce_str', '')}\n{body}\n"
        try:
            self.merchant.verify(base64.b64decode(f.get("signature", ""), validate=True), text.encode(),
                                 padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            return "signature"
        return None

    # the notice
    def transaction(self, o, change=None):
        c = change or {}
        t = {"appid": c.get("appid") or self.appid, "mchid": c.get("mchid") or self.mchid,
             "out_trade_no": o["no"], "transaction_id": o["transaction_id"], "trade_type": "MWEB",
             "trade_state": c.get("state") or o["state"], "trade_state_desc": "支付成功",
             "bank_type": "OTHERS", "attach": "", "success_time": o.get("paid", ""),
             "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
             "amount": {"total": int(c["amount"]) if c.get("amount") else o["fen"],
                        "payer_total": o["fen"], "currency": "CNY", "payer_currency": "CNY"}}
        return t

    def notice_body(self, o, change):
        # WeChat Pay sends its notice when the payment succeeded
        change = dict(change, state=change.get("state") or "SUCCESS")
        plain = json.dumps(self.transaction(o, change), ensure_ascii=False, separators=(",", ":"))
        nonce, ad = secrets.token_hex(6), "transaction"
        ct = bytearray(AESGCM(self.v3).encrypt(nonce.encode(), plain.encode(), ad.encode()))
        if change.get("tamper"):
            ct[0] ^= 1
        body = {"id": str(uuid.uuid4()), "create_time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
                "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                             "ciphertext": base64.b64encode(bytes(ct)).decode(), "associated_data": ad,
                             "nonce": nonce}}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))

    def send(self, url, body, forge=False, age=0):
        hd = self.signed_headers(body, forge, age)
        hd["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=body.encode(), method="POST", headers=hd)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")
        except Exception as e:  # the site is down: WeChat Pay tries again later
            return 0, str(e)

    def pay(self, o, silent=False):
        with LOCK:
            if o["state"] == "NOTPAY":
                o["state"], o["paid"] = "SUCCESS", time.strftime("%Y-%m-%dT%H:%M:%S+08:00")
        if silent:
            return 0, ""
        return self.send(o["notify_url"], self.notice_body(o, {}))

    def order_for(self, no, q):
        with LOCK:
            o = ORDERS.get(no)
        if o is None and q.get("notify_url"):
            o = {"no": no, "fen": int(q.get("amount") or 100), "notify_url": q["notify_url"], "state": "SUCCESS",
                 "transaction_id": "42" + secrets.token_hex(13)[:26], "description": "test"}
        return o

    # the HTTP side: (status, body, headers) or None when the path is not WeChat Pay's
    def handle(self, method, path, query, headers, body):
        if path.startswith("/v3/"):
            return self.api(method, path, query, headers, body)
        if path == "/wx/pay":
            return self.pay_page(method, query)
        if path.startswith("/ctl/wx/"):
            return self.ctl(path[8:], query)
        return None

    def answer(self, status, obj, forge=False):
        body = "" if obj is None else json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        hd = self.signed_headers(body, forge)
        if body:
            hd["Content-Type"] = "application/json"
        return status, body, hd

    def api(self, method, path, query, headers, body):
        full = path + ("?" + query if query else "")
        why = self.authorized(method, full, headers.get("Authorization"), body)
        if why:
            self.log("wechat: refused", method, full, why)
            return self.answer(401, {"code": "SIGN_ERROR", "message": why})
        q = dict(urllib.parse.parse_qsl(query))
        if method == "POST" and path == "/v3/pay/transactions/h5":
            b = json.loads(body or "{}")
            if b.get("appid") != self.appid or b.get("mchid") != self.mchid:
                return self.answer(400, {"code": "PARAM_ERROR", "message": "appid/mchid"})
            no = b.get("out_trade_no", "")
            with LOCK:
                if no not in ORDERS:
                    ORDERS[no] = {"no": no, "fen": int(b["amount"]["total"]), "notify_url": b.get("notify_url", ""),
                                  "state": "NOTPAY", "description": b.get("description", ""),
                                  "transaction_id": "42" + secrets.token_hex(13)[:26]}
            return self.answer(200, {"h5_url": f"http://127.0.0.1:{self.port}/wx/pay?no={urllib.parse.quote(no)}"})
        if path == "/v3/refund/domestic/refunds" and method == "POST":
            return self.refund(json.loads(body or "{}"))
        if path.startswith("/v3/refund/domestic/refunds/") and method == "GET":
            return self.refund_query(path.rsplit("/", 1)[1])
        if method == "GET" and path == "/v3/bill/tradebill":
            return self.bill_address(q)
        if method == "GET" and path == "/v3/billdownload/file":
            with LOCK:
                day_file = TOKENS.get(q.get("token", ""))
            if day_file is None:
                return self.answer(404, {"code": "NOT_FOUND", "message": "token"})
            return 200, day_file[1], {"Content-Type": "text/plain; charset=utf-8"}
        parts = path.split("/")
        if len(parts) >= 6 and parts[1:5] == ["v3", "pay", "transactions", "out-trade-no"]:
            with LOCK:
                o = ORDERS.get(parts[5])
            if o is None:
                return self.answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
            if method == "GET" and len(parts) == 6 and q.get("mchid") == self.mchid:
                t = self.transaction(o)
                if o["state"] != "SUCCESS":
                    del t["amount"]["payer_total"]
                return self.answer(200, t)
            if method == "POST" and len(parts) == 7 and parts[6] == "close":
                with LOCK:
                    if o["state"] == "NOTPAY":
                        o["state"] = "CLOSED"
                return self.answer(204, None)
        return self.answer(404, {"code": "NOT_FOUND", "message": "no such call"})

    # refunds: one per out_refund_no, PROCESSING first, SUCCESS when asked; never above what was paid
    def refund_obj(self, r):
        o = ORDERS[r["no"]]
        return {"refund_id": r["refund_id"], "out_refund_no": r["rno"], "transaction_id": o["transaction_id"],
                "out_trade_no": r["no"], "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
                "success_time": r.get("success_time", ""), "create_time": r["create_time"], "status": r["status"],
                "funds_account": "AVAILABLE",
                "amount": {"total": o["fen"], "refund": r["fen"], "payer_total": o["fen"], "payer_refund": r["fen"],
                           "settlement_refund": r["fen"], "settlement_total": o["fen"], "discount_refund": 0,
                           "currency": "CNY", "refund_fee": 0}}

    def refund(self, b):
        no, rno, amt = b.get("out_trade_no", ""), b.get("out_refund_no", ""), b.get("amount") or {}
        with LOCK:
            fail = self.refund_fail if self.refund_fail in ("error", "forge") else None
            if fail:
                self.refund_fail = None
            if fail == "error":     # the gateway busy: nothing refunded
                return self.answer(500, {"code": "SYSTEM_ERROR", "message": "系统繁忙，请稍后重试"})
            o = ORDERS.get(no)
            if o is None:
                return self.answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"})
            if o["state"] != "SUCCESS":
                return self.answer(403, {"code": "TRADE_STATE_ERROR", "message": "订单状态错误"})
            refund = amt.get("refund")
            if amt.get("currency") != "CNY" or amt.get("total") != o["fen"] or not isinstance(refund, int):
                return self.answer(400, {"code": "PARAM_ERROR", "message": "amount"})
            o["refund_calls"] = o.get("refund_calls", 0) + 1
            refunds = o.setdefault("refunds", {})
            r = REFUNDS.get(rno)
            if r is None:
                if not rno or refund <= 0 or sum(refunds.values()) + refund > o["fen"]:
                    return self.answer(400, {"code": "INVALID_REQUEST", "message": "退款金额超过订单可退金额"})
                r = REFUNDS[rno] = {"rno": rno, "no": no, "fen": refund, "status": "PROCESSING",
                                    "refund_id": "50" + secrets.token_hex(14),
                                    "create_time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00")}
                refunds[rno] = refund
                o["refunded_fen"] = sum(refunds.values())
                self.log("wechat refund", rno, "of", no, refund)
            elif r["no"] != no or r["fen"] != refund:
                return self.answer(400, {"code": "INVALID_REQUEST", "message": "out_refund_no 已用于其他退款"})
            out = self.refund_obj(r)
        return self.answer(200, out, fail == "forge")

    def refund_query(self, rno):
        with LOCK:
            fail, self.refund_fail = self.refund_fail, None
            if fail == "error":
                return self.answer(500, {"code": "SYSTEM_ERROR", "message": "系统繁忙，请稍后重试"})
            r = REFUNDS.get(rno)
            if r is None:
                return self.answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"})
            if r["status"] == "PROCESSING" and fail != "processing":
                r["status"], r["success_time"] = "SUCCESS", time.strftime("%Y-%m-%dT%H:%M:%S+08:00")
            out = self.refund_obj(r)
        return self.answer(200, out, fail == "forge")

    def pay_page(self, method, query):
        q = dict(urllib.parse.parse_qsl(query))
        with LOCK:
            o = ORDERS.get(q.get("no", ""))
        if o is None:
            return 404, "<h1>no such order</h1>", {"Content-Type": "text/html; charset=utf-8"}
        if method == "POST":
            status, text = self.pay(o)
            self.log("wechat notice for", o["no"], "->", status, text)
            back = o["notify_url"].replace("/m/pay/wechat/notify", "/m/pay/return")
            return 302, "", {"Location": back + "?out_trade_no=" + urllib.parse.quote(o["no"])}
        no = html.escape(o["no"])
        page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>微信支付（沙箱）</title>
<style>body{{font-family:sans-serif;margin:0;padding:1rem;background:#ededed}}
.card{{background:#fff;border-radius:.5rem;padding:1rem}}.amt{{font-size:2rem;font-weight:bold}}
button{{width:100%;font-size:1.2rem;padding:.8rem;background:#07c160;color:#fff;border:0;border-radius:.4rem}}</style>
</head><body><h1>微信支付 · 沙箱</h1><div class="card"><p>{html.escape(o['description'])}</p>
<p class="amt" id="amount">¥{o['fen'] // 100}.{o['fen'] % 100:02d}</p><p>商户订单号 {no}</p>
<form method="post" action="/wx/pay?no={no}"><button type="submit" id="pay">确认支付</button></form>
</div></body></html>"""
        return 200, page, {"Content-Type": "text/html; charset=utf-8"}

    # the day's trade bill (bill_type ALL)
    def bill_file(self, day):
        """The bill of DAY as WeChat Pay writes it: the heading, a line per trade and refund with each value
        after a backtick, then the totals' heading and its line; None when there was no trade."""
        def yuan(fen):
            return "%d.%02d" % (fen // 100, fen % 100)

        def line(t, o, state, fen, refund_fen):
            v = [t, self.appid, self.mchid, "0", "", o["transaction_id"], o["no"], "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                 "MWEB", state, "OTHERS", "CNY", yuan(fen), "0.00", "0" if not refund_fen else "50" + o["no"][:20],
                 "0" if not refund_fen else "R" + o["no"][:20], yuan(refund_fen), "0.00", "ORIGINAL" if refund_fen
                 else "", "SUCCESS" if refund_fen else "", o.get("description", ""), "", "0.00000", "0.60%",
                 yuan(fen), yuan(refund_fen), ""]
            return ",".join("`" + x for x in v)

        rows, total = [], 0
        with LOCK:
            for o in ORDERS.values():
                if o["state"] not in ("SUCCESS", "REFUND") or o["no"] in BILL["off"]:
                    continue
                if BILL["day"].get(o["no"], (o.get("paid") or "")[:10]) != day:
                    continue
                fen = bills_fen(BILL["amount"][o["no"]]) if o["no"] in BILL["amount"] else o["fen"]
                rows.append(line(day + " 12:00:00", o, "SUCCESS", fen, 0))
                total += fen
                if o.get("refunded"):
                    rows.append(line(day + " 12:30:00", o, "REFUND", 0, int(o["refunded"])))
            for f in BILL["foreign"]:
                if f["date"] == day:
                    fo = {"no": f["no"], "transaction_id": f["trade_no"], "description": "其他商品"}
                    rows.append(line(day + " 12:00:00", fo, "SUCCESS", bills_fen(f["amount"]), 0))
                    total += bills_fen(f["amount"])
        if not rows:
            return None
        head = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
                "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,"
                "商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")
        summary = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
        sums = [str(len(rows)), yuan(total), "0.00", "0.00", "0.00000", yuan(total), "0.00"]
        return "\r\n".join([head] + rows + [summary, ",".join("`" + x for x in sums)]) + "\r\n"

    def bill_address(self, q):
        day = q.get("bill_date", "")
        if q.get("bill_type", "ALL") != "ALL" or len(day) != 10:
            return self.answer(400, {"code": "PARAM_ERROR", "message": "bill_date/bill_type"})
        text = self.bill_file(day)
        if text is None:
            return self.answer(400, {"code": "NO_STATEMENT_EXIST", "message": "当日无交易"})
        sha1 = hashlib.sha1(text.encode()).hexdigest()
        if BILL["badhash"]:
            sha1 = hashlib.sha1(b"another file").hexdigest()
        token = secrets.token_hex(16)
        with LOCK:
            TOKENS[token] = (day, text)
        return self.answer(200, {"hash_type": "SHA1", "hash_value": sha1, "download_url":
                                 f"http://127.0.0.1:{self.port}/v3/billdownload/file?token={token}"})

    def ctl(self, what, query):
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        js = {"Content-Type": "application/json"}
        if what == "orders":
            with LOCK:
                return 200, json.dumps(ORDERS), js
        if what == "refund_fail":
            # the next refund call (or its query) fails: mode=error (an error answer, nothing done), forge (its
            # answer signed with another key), processing (a query still says PROCESSING)
            self.refund_fail = q.get("mode", "error")
            return 200, json.dumps({"refund_fail": self.refund_fail}), js
        if what == "bill":
            with LOCK:
                out = bills.change(BILL, q, lambda: "42" + secrets.token_hex(13)[:26],
                                   lambda fen: "%d.%02d" % (fen // 100, fen % 100))
            return 200, json.dumps(out), js
        o = self.order_for(q.get("no", ""), q)
        if o is None:
            return 404, json.dumps({"error": "no such order"}), js
        if what == "pay":
            status, text = self.pay(o, bool(q.get("silent")))
            return 200, json.dumps({"status": status, "answer": text}), js
        change = {k: q.get(k) for k in ("amount", "appid", "mchid", "state", "tamper")}
        forge, age = bool(q.get("forge")), int(q.get("old") or 0)
        if what == "body":
            body = self.notice_body(o, change)
            return 200, json.dumps({"headers": self.signed_headers(body, forge, age), "body": body}), js
        if what == "notice":
            n = int(q.get("times", "1"))
            bodies = [self.notice_body(o, change) for _ in range(n)]
            if q.get("parallel"):
                with ThreadPoolExecutor(max_workers=n) as ex:
                    res = list(ex.map(lambda b: self.send(o["notify_url"], b, forge, age), bodies))
            else:
                res = [self.send(o["notify_url"], b, forge, age) for b in bodies]
            return 200, json.dumps([{"status": s, "answer": t} for s, t in res]), js
        return 404, json.dumps({"error": "unknown hook"}), js
