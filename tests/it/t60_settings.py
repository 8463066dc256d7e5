"""t60_settings.py - F10 default parameters: shown in yuan, every bad value refused, saved in fen, logged, restored."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

a = operator(role=1)
sfx = uuid.uuid4().hex[:6]
NAMES = ["site_title", "site_logo", "power_threshold_w", "poll_interval_min", "alarm1_fen", "alarm2_fen", "price",
         "hoard_cap_fen", "alarm_sms_phone", "lost_after_cycles", "loss_alarm_pct"]


def settings():
    return {k: v for k, v in db("SELECT name, value FROM settings")}


def yuan(fen):
    f = int(fen)
    return ("-" if f < 0 else "") + "%d.%02d" % (abs(f) // 100, abs(f) % 100)


def price(p):
    p = int(p)
    return "%d.%04d" % (p // 10000, p % 10000)


def shown(s):
    """The form's fields as the page should show the stored settings S."""
    f = {k: s.get(k, "") for k in NAMES}
    for k in ("alarm1_fen", "alarm2_fen", "hoard_cap_fen"):
        f[k] = yuan(f[k])
    f["price"] = price(f["price"])
    return f


def value(r, name):
    m = re.search(r'<input id="f-%s" name="%s" type="[a-z]+" value="([^"]*)"' % (name, name), r.text)
    return m.group(1) if m else None


orig = settings()
try:
    # The form shows the current values, amounts in yuan and the price with 4 decimals.
    r = a.get("/settings")
    check(r.status == 200 and "默认参数设置" in r.text, "the settings page opens")
    want = shown(orig)
    for k in NAMES:
        check(value(r, k) == want[k].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"),
              f"the form shows {k} as {want[k]!r}", value(r, k))
    if orig.get("alarm1_fen") == "2000" and orig.get("price") == "5880":
        check(value(r, "alarm1_fen") == "20.00" and value(r, "price") == "0.5880", "e.g. 20.00 yuan and 0.5880 yuan/kWh")

    # Every bad value: its error, the settings table unchanged.
    for field, bad, why in [
            ("alarm2_fen", "30.00", "不能高于"),
            ("alarm1_fen", "12.345", "两位小数"),
            ("alarm2_fen", "0.001", "两位小数"),
            ("alarm1_fen", "-1", ""),
            ("alarm1_fen", "-0.01", ""),
            ("alarm1_fen", "abc", "金额"),
            ("alarm1_fen", "12,50", "金额"),
            ("alarm1_fen", "1e3", "金额"),
            ("alarm1_fen", "99999999999999999999", "超出"),
            ("alarm1_fen", "100000.01", "超出"),
            ("alarm1_fen", "", "必填"),
            ("hoard_cap_fen", "0", "超出"),
            ("hoard_cap_fen", "1000000.01", "超出"),
            ("hoard_cap_fen", "' OR 1=1 --", "金额"),
            ("price", "0.58801", "四位小数"),
            ("price", "0", "超出"),
            ("price", "-0.5", ""),
            ("price", "abc", ""),
            ("price", "99999999999999999999", ""),
            ("poll_interval_min", "0", "超出"),
            ("poll_interval_min", "1441", "超出"),
            ("poll_interval_min", "x", "整数"),
            ("poll_interval_min", "1.5", "整数"),
            ("power_threshold_w", "-1", "超出"),
            ("power_threshold_w", "65536", "超出"),
            ("lost_after_cycles", "0", "超出"),
            ("lost_after_cycles", "101", "超出"),
            ("loss_alarm_pct", "101", "超出"),
            ("loss_alarm_pct", "-1", "超出"),
            ("loss_alarm_pct", "5.5", "整数"),
            ("alarm_sms_phone", "12345", "11位"),
            ("alarm_sms_phone", "1380013800a", "11位"),
            ("alarm_sms_phone", "12800138000", "11位"),
            ("site_title", "", "必填"),
            ("site_title", "   ", "必填"),
            ("site_title", "标" * 41, "过长"),
            ("site_title", "bad\x01title", "控制字符"),
            ("site_logo", "/x" * 101, "过长"),
            ("site_logo", "javascript:alert(1)", "本站"),
            ("site_logo", "https://evil.example/logo.png", "本站"),
            ("site_logo", "//evil.example/logo.png", "本站"),
            ("site_logo", "/static/../../etc/passwd.png", "本站"),
            ("site_logo", '/static/a.png" onerror="alert(1)', "本站"),
            ("site_logo", "/static/app.js", "本站")]:
        f = shown(orig)
        f[field] = bad
        if field == "alarm2_fen" and why == "不能高于":
            f["alarm1_fen"] = "20.00"
        r = a.post("/settings", f)
        err = r.field_error(field)
        check(r.status == 200 and err is not None and why in err, f"{field} = {bad[:16]!r} gives err-{field}", (r.status, err))
        check(settings() == orig, f"and changes no setting ({field} = {bad[:16]!r})")
    r = a.post("/settings", dict(shown(orig), alarm1_fen="x", price="y", poll_interval_min="0"))
    check(r.field_error("alarm1_fen") and r.field_error("price") and r.field_error("poll_interval_min"),
          "several bad values are all named at once")
    check('value="x"' in r.text, "and the form keeps what was typed")
    r = a.post("/settings", dict(shown(orig), alarm1_fen="1"), csrf=False)
    check(r.status == 403 and settings() == orig, "a POST without the csrf token is refused and changes nothing")

    # A good save: amounts stored in fen, the price in 1/10000 yuan, logged with before and after.
    title = "<b>站点</b>" + sfx
    good = dict(shown(orig), site_title=title, site_logo="/static/logo.svg", alarm1_fen="12.34", alarm2_fen="12.34", price="0.6",
                hoard_cap_fen="500", poll_interval_min="15", alarm_sms_phone="13800138000", power_threshold_w="65535",
                lost_after_cycles="5", loss_alarm_pct="7")
    r = a.post("/settings", good)
    check(r.status == 303 and "/settings" in r.location, "a good form is saved (alarm 2 equal to alarm 1 is allowed)",
          [(k, r.field_error(k)) for k in NAMES if r.field_error(k)])
    s = settings()
    check(s.get("alarm1_fen") == "1234" and s.get("alarm2_fen") == "1234", "12.34 yuan is stored as 1234 fen", s.get("alarm1_fen"))
    check(s.get("price") == "6000", "a price of 0.6 is stored as 6000", s.get("price"))
    check(s.get("hoard_cap_fen") == "50000" and s.get("poll_interval_min") == "15" and s.get("alarm_sms_phone") == "13800138000"
          and s.get("site_title") == title and s.get("lost_after_cycles") == "5", "the other values are stored", s)
    check(s.get("loss_alarm_pct") == "7", "B7's loss threshold is set on the page", s.get("loss_alarm_pct"))
    check(s.get("power_threshold_w") == "65535", "a threshold of 65535 W, the most the meter's register holds, is stored",
          s.get("power_threshold_w"))
    log = db(f"SELECT before_val, after_val FROM oplog WHERE action = 'settings.edit' AND login = '{a.login_name}'")
    check(len(log) == 1 and f'"alarm1_fen":"{yuan(orig["alarm1_fen"])}"' in log[0][0]
          and f'"price":"{price(orig["price"])}"' in log[0][0]
          and '"alarm1_fen":"12.34"' in log[0][1] and '"price":"0.6000"' in log[0][1],
          "the save is logged with before and after, both in yuan as the form shows them", log)
    r = a.get("/oplog?action=settings.edit&op=" + a.login_name)
    check("修改默认参数" in r.text and "settings.edit</td>" not in r.text, "the operation log names the action in Chinese")
    check(re.search(r"一级报警金额（元）</span>: <del>" + re.escape(yuan(orig["alarm1_fen"])) + r"</del> → 12.34", r.text),
          "and shows the changed field by its label, before and after in yuan")
    check("站点标题" in r.text and "receipt_footer" not in r.text, "only the fields that changed, by their labels")
    r = a.get("/settings?ok=saved")
    check(value(r, "alarm1_fen") == "12.34" and value(r, "price") == "0.6000" and value(r, "hoard_cap_fen") == "500.00",
          "the form shows the saved values in yuan", (value(r, "alarm1_fen"), value(r, "price")))
    check("已保存" in r.text, "and says they were saved")
    check('<img src="/static/logo.svg"' in r.text, "the site's own logo path is shown in the header")
    db("UPDATE settings SET value = 'javascript:alert(1)' WHERE name = 'site_logo'")
    r = a.get("/settings")
    check("javascript:" not in r.text.split("<main")[0] and "<img" not in r.text.split("<main")[0],
          "a logo stored before the check (javascript:) is not put in the page")
    db("UPDATE settings SET value = '/static/logo.svg' WHERE name = 'site_logo'")
    check("<b>站点</b>" not in r.text and "&lt;b&gt;站点&lt;/b&gt;" + sfx in r.text, "the new site title is shown escaped")
    r = a.post("/settings", dict(good, price="0.0001", alarm1_fen="0", alarm2_fen="0.00", hoard_cap_fen="0.01"))
    check(r.status == 303 and settings().get("price") == "1" and settings().get("hoard_cap_fen") == "1",
          "the smallest values are accepted", [(k, r.field_error(k)) for k in NAMES if r.field_error(k)])

    # Restore the original values through the page.
    r = a.post("/settings", shown(orig))
    check(r.status == 303 and settings() == orig, "the original values are restored through the form",
          {k: (orig.get(k), v) for k, v in settings().items() if orig.get(k) != v})

    # An operator without F10 gets a 403 naming the right, on GET and POST, and changes nothing.
    c = operator(role=3)
    r = c.get("/settings")
    check(r.status == 403 and "F10" in r.text and "默认参数设置" in r.text, "role 3 gets 403 on GET /settings naming F10 默认参数设置",
          r.status)
    check('name="alarm1_fen"' not in r.text, "and no settings form")
    c.get("/")
    r = c.post("/settings", dict(shown(orig), alarm1_fen="1.00"))
    check(r.status == 403 and "F10" in r.text and "默认参数设置" in r.text, "role 3 gets 403 on POST /settings", r.status)
    check(settings() == orig, "and nothing changed")
    check('href="/settings"' not in c.get("/").text, "the menu of role 3 has no settings link")
finally:
    if settings() != orig:
        for k, v in orig.items():
            db("UPDATE settings SET value = '%s' WHERE name = '%s'" % (v.replace("'", "''"), k))
        print("# settings restored by SQL")

done()
