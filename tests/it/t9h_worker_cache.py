"""t9h_worker_cache.py - what a web worker keeps between requests is never stale: settings changed by staff (or by hand) show on the next request of every worker, a changed language file or template shows at once, and a database restarted under the workers is found again."""
import concurrent.futures
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401


def workers(pidfile):
    """The worker processes under a supervisor (staff.fcgi -w N)."""
    sup = open(pidfile).read().strip()
    out = subprocess.run(["pgrep", "-P", sup], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def written(pid):
    with open(f"/proc/{pid}/io") as f:
        return int(re.search(r"wchar: (\d+)", f.read()).group(1))


def burst(get, path, n=40, threads=8):
    """N requests of PATH from THREADS at once, so that every worker takes some."""
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        return list(ex.map(lambda _: get(path), range(n)))


def every_worker(pidfile, get, path, n=40):
    """The answers of a burst, and whether each worker of PIDFILE answered some of them."""
    ws = workers(pidfile)
    before = {p: written(p) for p in ws}
    rs = burst(get, path, n)
    return rs, len(ws) >= 2 and all(written(p) > before[p] for p in ws)


def title(r):
    m = re.search(r"<title>([^<]*)</title>", r.text)
    return m.group(1) if m else None


# --- settings: changed through the staff page, and by hand -------------------
a = operator(role=1)
a.get("/settings")
csrf = a.csrf_token
sid = [k.value for k in a.jar if k.name == "sid"][0]
staff_pid = f"{VAR}/run/staff.pid"
mobile_pid = f"{VAR}/run/mobile.pid"


def staff_get(path, cookie=None):
    c = Client()
    return c.request("GET", path, headers={"Cookie": cookie or f"sid={sid}"})


def anon_get(path, cookie=""):
    c = Client()
    return c.request("GET", path, headers={"Cookie": cookie} if cookie else {})


orig = {k: v for k, v in db("SELECT name, value FROM settings")}
sfx = uuid.uuid4().hex[:6]
try:
    # every worker has read the settings once
    rs, all_w = every_worker(staff_pid, staff_get, "/")
    check(all(r.status == 200 for r in rs) and all_w, "every staff worker answers (the settings read once)")
    rs, all_w = every_worker(mobile_pid, anon_get, "/m/login")
    check(all(r.status == 200 for r in rs) and all_w, "every student site worker answers")
    v0 = int(db_value("SELECT version FROM settings_version"))

    # the settings page: a new title with HTML in it
    r = a.get("/settings")
    form = {k: v for k, v in re.findall(r'<input id="f-[a-z_0-9]+" name="([a-z_0-9]+)" type="[a-z]+" value="([^"]*)"', r.text)}
    form = {k: v.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&") for k, v in form.items()}
    # a test before may have left a number empty: its default then
    for k, v in {"loss_alarm_pct": "5", "lost_after_cycles": "3", "poll_interval_min": "30",
                 "power_threshold_w": "2200"}.items():
        if form.get(k) == "":
            form[k] = v
    new = f"<b>站点</b>{sfx}"
    r = a.post("/settings", dict(form, site_title=new))
    check(r.status == 303, "the settings page saves a new site title",
          (r.status, [(k, r.field_error(k)) for k in form if r.field_error(k)]))
    check(int(db_value("SELECT version FROM settings_version")) > v0, "the save moved the settings version")
    rs, all_w = every_worker(staff_pid, staff_get, "/")
    titles = {title(r) for r in rs}
    check(all_w and all(r.status == 200 for r in rs) and titles == {f"首页 - &lt;b&gt;站点&lt;/b&gt;{sfx}"},
          "the next request of every staff worker shows the new title, escaped", (all_w, titles))
    # a signed-out page asks for the version at most once a second: the
    # student site's workers, asked just before the change, show it within it
    time.sleep(1.1)
    rs, all_w = every_worker(mobile_pid, anon_get, "/m/login")
    titles = {title(r) for r in rs}
    check(all_w and len(titles) == 1 and titles.pop().endswith(f"&lt;b&gt;站点&lt;/b&gt;{sfx}"),
          "and within a second every student site worker (through its view) shows it too, signed out",
          (all_w, titles))

    # by hand, as root: the triggers move the version too
    # signed out, the sign-in page: asked for now, it may show the title of
    # up to a second ago; a second later every worker shows the new one
    burst(lambda p: staff_get(p, "x=1"), "/login", 20)
    db(f"UPDATE settings SET value = 'hand{sfx}' WHERE name = 'site_title'")
    t0 = time.monotonic()
    rs = burst(lambda p: staff_get(p, "x=1"), "/login", 20)
    fresh = {title(r) for r in rs} == {f"操作员登录 - hand{sfx}"}
    time.sleep(max(0, 1.1 - (time.monotonic() - t0)))
    rs, all_w = every_worker(staff_pid, lambda p: staff_get(p, "x=1"), "/login", 20)
    check(all_w and {title(r) for r in rs} == {f"操作员登录 - hand{sfx}"},
          "a setting changed by hand shows on every worker's sign-in page within a second (signed out)",
          (all_w, {title(r) for r in rs}))
    print(f"# signed out, at once: {'the new title' if fresh else 'the title of up to a second before'}")
    db(f"UPDATE settings SET value = 'in{sfx}' WHERE name = 'site_title'")
    rs, all_w = every_worker(staff_pid, staff_get, "/", 20)
    check(all_w and {title(r) for r in rs} == {f"首页 - in{sfx}"},
          "signed in, a change by hand shows at once on every worker", {title(r) for r in rs})
    # a number: the hoard cap the sale form shows, one fen over the old one
    aid = db_value("SELECT id FROM accounts WHERE status = 'open' ORDER BY id LIMIT 1")
    if aid is None:
        room = db_value("SELECT r.number FROM rooms r JOIN meters m ON m.room_id = r.id WHERE r.building_id = 1"
                        " AND NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                        " ORDER BY r.number DESC LIMIT 1")
        r = a.get("/account/open")
        r = a.post("/account/open", {"holder": "缓存测试", "building_id": "1", "room": room, "idem": idem_of(r)})
        aid = re.search(r"id=(\d+)", r.location).group(1)
    cap = int(orig.get("hoard_cap_fen", "100000"))
    db(f"UPDATE settings SET value = '{cap + 1}' WHERE name = 'hoard_cap_fen'")
    rs = burst(staff_get, f"/sell?account={aid}", 20)
    want = "%d.%02d" % ((cap + 1) // 100, (cap + 1) % 100)
    check(all(r.status == 200 and want in r.text for r in rs), f"the new hoard cap ({want} yuan) shows on every answer")
    # a setting deleted: its default again (the trigger on DELETE)
    db("DELETE FROM settings WHERE name = 'site_title'")
    rs = burst(staff_get, "/", 20)
    check({title(r) for r in rs} == {"首页 - "}, "a deleted setting is gone on the next request",
          {title(r) for r in rs})
    # the buildings every report page offers: kept under the same version
    bname = db_value("SELECT name FROM buildings WHERE id = 1")
    rs = burst(staff_get, "/report/alarms", 20)
    check(all(r.status == 200 and f">{bname}<" in r.text for r in rs), "the alarms report offers the buildings")
    db(f"UPDATE buildings SET name = '{bname}<{sfx}>' WHERE id = 1")
    rs, all_w = every_worker(staff_pid, staff_get, "/report/alarms")
    check(all_w and all(f">{bname}&lt;{sfx}&gt;<" in r.text for r in rs),
          "a building renamed shows in the choice list of every worker's next report page")
    db(f"UPDATE buildings SET name = '{bname}' WHERE id = 1")
    rs = burst(staff_get, "/report/alarms", 20)
    check(all(f">{bname}<" in r.text and sfx not in r.text for r in rs), "and its old name again when put back")
finally:
    db("DELETE FROM settings WHERE name IN ('site_title', 'hoard_cap_fen')")
    for k in ("site_title", "hoard_cap_fen"):
        if k in orig:
            db(f"INSERT INTO settings (name, value) VALUES ('{k}', '{orig[k]}')")
rs = burst(staff_get, "/", 10)
check(all(title(r) == "首页 - " + orig["site_title"] for r in rs), "the title restored shows again")

# --- language files and templates: a private staff.fcgi on a copy ----------
port = int(os.environ.get("PREPAID_PORT", "18080")) + 1002
tdir = f"{VAR}/tmp/t9h-templates"
sock = f"{VAR}/run/t9h.sock"
pidf = f"{VAR}/run/t9h.pid"
conf = f"{VAR}/t9h.conf"
log = f"{VAR}/log/t9h.log"
shutil.rmtree(tdir, ignore_errors=True)
shutil.copytree(f"{TOP}/templates", tdir)
with open(f"{VAR}/prepaid.conf") as f:
    text = f.read()
text = re.sub(r"(?m)^templates = .*$", f"templates = {tdir}", text)
text = re.sub(r"(?m)^staff_log = .*$", f"staff_log = {log}", text)
with open(conf, "w") as f:
    f.write(text)
for p in (sock, pidf):
    if os.path.exists(p):
        os.unlink(p)
subprocess.run(["spawn-fcgi", "-s", sock, "-P", pidf, "--", f"{TOP}/build/staff.fcgi", "-w", "2"],
               env=dict(os.environ, PREPAID_CONF=conf), check=True, capture_output=True)
extra = f"{VAR}/nginx-extra-t9h.conf"
with open(extra, "w") as f:
    f.write("server { listen 127.0.0.1:%d; location / { include /etc/nginx/fastcgi_params;"
            " fastcgi_pass unix:%s; } }\n" % (port, sock))
subprocess.run(["nginx", "-p", f"{VAR}/nginx", "-c", f"{VAR}/nginx.conf", "-s", "reload"], check=True)
time.sleep(1)
base = f"http://127.0.0.1:{port}"


def get(path, cookie=""):
    return anon_get(base + path, cookie)


def edit(path, old, new):
    with open(path, encoding="utf-8") as f:
        s = f.read()
    assert old in s, (path, old)
    with open(path, "w", encoding="utf-8") as f:
        f.write(s.replace(old, new, 1))


zh = f"{tdir}/lang/staff.zh-CN.hdf"
en = f"{tdir}/lang/staff.en.hdf"
try:
    for _ in range(50):
        if os.path.exists(pidf) and len(workers(pidf)) == 2:
            break
        time.sleep(0.1)
    rs, all_w = every_worker(pidf, get, "/login")
    check(all_w and all(r.status == 200 and title(r).startswith("操作员登录 - ") for r in rs),
          "the copy's two workers show the sign-in page")
    rs = burst(lambda p: get(p, "lang=en"), "/login", 10)
    check(all(title(r).startswith("Operator sign-in - ") for r in rs), "and in English with lang=en")

    # a language text changed: the next requests show it, in both languages
    edit(zh, "  login = 操作员登录\n", f"  login = 操作员登录{sfx}\n")
    rs, all_w = every_worker(pidf, get, "/login")
    check(all_w and {title(r).split(" - ")[0] for r in rs} == {f"操作员登录{sfx}"},
          "a changed Chinese text shows on the next request of every worker", {title(r) for r in rs})
    edit(en, "  login = Operator sign-in\n", f"  login = Sign in {sfx} <&>\n")
    rs = burst(lambda p: get(p, "lang=en"), "/login", 20)
    check({title(r).split(" - ")[0] for r in rs} == {f"Sign in {sfx} &lt;&amp;&gt;"},
          "a changed English text shows (escaped), the Chinese one stays", {title(r) for r in rs})
    check(all(title(r).startswith(f"操作员登录{sfx}") for r in burst(get, "/login", 10)),
          "and the Chinese pages keep theirs")
    # the same length, in the same second: still seen (size, nanoseconds)
    edit(zh, f"  login = 操作员登录{sfx}\n", f"  login = 操作员登录{sfx[::-1]}\n")
    rs = burst(get, "/login", 20)
    check({title(r).split(" - ")[0] for r in rs} == {f"操作员登录{sfx[::-1]}"},
          "a change of the same length at once after is seen too", {title(r) for r in rs})
    # a file that no longer parses: the old texts stay, the pages work
    with open(zh, "a", encoding="utf-8") as f:
        f.write("\nbroken {\n  x = <<\n")
    rs = burst(get, "/login", 20)
    check(all(r.status == 200 and title(r).startswith(f"操作员登录{sfx[::-1]}") for r in rs),
          "a language file that does not parse leaves the texts as they were")
    shutil.copy(f"{TOP}/templates/lang/staff.zh-CN.hdf", zh)
    rs = burst(get, "/login", 20)
    check({title(r).split(" - ")[0] for r in rs} == {"操作员登录"}, "the file put back shows again")

    # a template changed, and a file it includes
    edit(f"{tdir}/staff/login.cs", "<?cs call:head(Lang.page.login) ?>",
         f"<?cs call:head(Lang.page.login) ?><p id=\"t9h\">T9H{sfx}</p>")
    rs, all_w = every_worker(pidf, get, "/login")
    check(all_w and all(f"T9H{sfx}" in r.text for r in rs), "a changed page template shows on every worker")
    edit(f"{tdir}/staff/layout.cs", "</title>", f"</title><meta name=\"t9h\" content=\"L{sfx}\">")
    rs = burst(get, "/login", 20)
    check(all(f"L{sfx}" in r.text and f"T9H{sfx}" in r.text for r in rs),
          "a changed included file (the layout) shows too")
    r = Client().request("GET", base + "/", headers={"Cookie": f"sid={sid}"})
    check(f"L{sfx}" in r.text, "on another page as well")
    # a broken template: an error, then the page again once mended
    edit(f"{tdir}/staff/login.cs", f"T9H{sfx}</p>", f"T9H{sfx}</p><?cs if:x ?>")
    rs = burst(get, "/login", 10)
    check(all(r.status == 500 for r in rs), "a template that does not parse is a 500", {r.status for r in rs})
    edit(f"{tdir}/staff/login.cs", f"T9H{sfx}</p><?cs if:x ?>", f"T9H{sfx}</p>")
    rs = burst(get, "/login", 10)
    check(all(r.status == 200 and f"T9H{sfx}" in r.text for r in rs), "and mended, it renders again")
    # the same page, twice in a row: the kept template renders the request's own data
    r1 = get("/login?ok=saved")
    r2 = get("/login")
    check(r1.status == 200 and r2.status == 200 and r1.text != r2.text and
          re.search(r'class="ok"', r1.text) and not re.search(r'class="ok"', r2.text),
          "one request's data never shows in the next (a query value of the one before)")
finally:
    pid = open(pidf).read().strip() if os.path.exists(pidf) else None
    if pid:
        os.kill(int(pid), signal.SIGTERM)
    os.unlink(extra)
    subprocess.run(["nginx", "-p", f"{VAR}/nginx", "-c", f"{VAR}/nginx.conf", "-s", "reload"], check=True)
    shutil.rmtree(tdir, ignore_errors=True)

# --- the database restarted under the workers --------------------------------
dbpid = int(open(f"{VAR}/run/mariadb.pid").read().strip())
burst(staff_get, "/", 10)
os.kill(dbpid, signal.SIGTERM)
for _ in range(300):
    try:
        os.kill(dbpid, 0)
        time.sleep(0.1)
    except ProcessLookupError:
        break
rs = burst(staff_get, "/", 10)
check(all(r.status == 503 and "数据库暂时不可用" in r.text for r in rs),
      "with the database down every page says so (503)", {r.status for r in rs})
subprocess.Popen(["setsid", "mariadbd", f"--defaults-file={VAR}/my.cnf", "--user=" + pwd.getpwuid(os.getuid()).pw_name],
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
for _ in range(300):
    if subprocess.run(["mariadb", f"--defaults-file={VAR}/my.cnf", "-uroot", "-e", "SELECT 1"],
                      capture_output=True).returncode == 0:
        break
    time.sleep(0.1)
rs, all_w = every_worker(staff_pid, staff_get, "/")
check(all_w and all(r.status == 200 and title(r) == "首页 - " + orig["site_title"] for r in rs),
      "the database back, the next request of every staff worker works, still signed in", {r.status for r in rs})
rs, all_w = every_worker(mobile_pid, anon_get, "/m/login")
check(all_w and all(r.status == 200 for r in rs), "and of every student site worker")
# --- the session's own query failing while the database answers the rest -----
# (a cluster node coming back between two queries of one request): a signed-in
# operator is told the database is away (503), never taken for a stranger
db("REVOKE SELECT ON sessions FROM 'prepaid_staff'@'localhost'")
try:
    rs = burst(staff_get, "/", 10)
    check(all(r.status == 503 and "数据库暂时不可用" in r.text for r in rs),
          "the session unreadable: 503, not the sign-in page", {(r.status, r.location) for r in rs})
    r = a.post("/settings", {"site_title": "x"})
    check(r.status == 503, "and a form sent then is 503, not 403 signed out", r.status)
    r = a.upload("/meters/import", {}, "a.csv", b"x")
    check(r.status == 503, "a file sent then too (503, not 403)", r.status)
finally:
    db("GRANT SELECT ON sessions TO 'prepaid_staff'@'localhost'")
rs = burst(staff_get, "/", 10)
check(all(r.status == 200 and title(r) == "首页 - " + orig["site_title"] for r in rs),
      "readable again: still signed in", {r.status for r in rs})
done()
