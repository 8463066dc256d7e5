"""lib.py - what every integration test shares: an HTTP client with cookies, checks, the database."""
import http.client
import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

BASE = os.environ.get("BASE", "http://127.0.0.1:18080")
TOP = os.environ.get("TOP", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VAR = os.environ.get("PREPAID_VAR", os.path.join(TOP, "var", "test"))

_failed = 0
_count = 0


def check(cond, what, detail=""):
    """Prints one result line; the runner counts them."""
    global _failed, _count
    _count += 1
    if cond:
        print(f"ok - {what}", flush=True)
    else:
        _failed += 1
        print(f"not ok - {what}" + (f" ({detail})" if detail else ""), flush=True)
    return cond


def done():
    sys.exit(1 if _failed or _count == 0 else 0)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def location(self):
        return self.headers.get("Location", "")

    def csrf(self):
        # the last one: on the sign-in page it is the form's, after the header's
        m = re.findall(r'name="csrf" value="([^"]*)"', self.text)
        return m[-1] if m else ""

    def field_error(self, name):
        m = re.search(r'<span class="err" id="err-%s">([^<]*)</span>' % re.escape(name), self.text)
        return m.group(1) if m else None


class Client:
    """A browser-like client: keeps cookies, never follows redirects by itself."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.csrf_token = ""

    def request(self, method, path, data=None, headers=None):
        url = path if path.startswith("http") else BASE + path
        headers = dict(headers or {})
        if method == "POST":
            # what a browser sends with a form of the site's own pages
            headers.setdefault("Origin", BASE)
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=30) as r:
                resp = Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            resp = Response(e.code, e.headers, e.read())
        tok = resp.csrf()
        if tok:
            self.csrf_token = tok
        return resp

    def get(self, path, **params):
        if params:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(params)
        return self.request("GET", path)

    def post(self, path, fields=None, csrf=True):
        """Posts a form; the page's CSRF token is added unless csrf is False or given."""
        fields = list((fields or {}).items()) if isinstance(fields, dict) else list(fields or [])
        if csrf and not any(k == "csrf" for k, _ in fields):
            fields.append(("csrf", self.csrf_token))
        data = urllib.parse.urlencode(fields).encode()
        return self.request("POST", path, data,
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path, fields, filename, content, ctype="text/csv"):
        boundary = uuid.uuid4().hex
        parts = []
        for k, v in list(fields.items()) + [("csrf", self.csrf_token)]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     f'Content-Type: {ctype}\r\n\r\n'.encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts),
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def login(self, login, password):
        self.get("/login")
        return self.post("/login", {"login": login, "password": password})



class From(Client):
    """A client whose connections come from the loopback address SRC (as another machine would)."""

    def __init__(self, src="127.0.0.1"):
        super().__init__()
        src_addr = src

        class Handler(urllib.request.HTTPHandler):
            def http_open(self, req):
                return self.do_open(lambda host, **kw: http.client.HTTPConnection(
                    host, source_address=(src_addr, 0), **kw), req)

        self.opener = urllib.request.build_opener(
            Handler(), urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

def db(sql, *args):
    """Runs SQL as the database's root over its socket; returns rows of strings."""
    out = subprocess.run(["mariadb", f"--defaults-file={VAR}/my.cnf", "-uroot", "-N", "-B", "prepaid", "-e", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def db_value(sql):
    rows = db(sql)
    return rows[0][0] if rows else None


def free_rooms(building_id, desc=False, profile="ddsy1352nk"):
    """The numbers of BUILDING_ID's rooms whose meter (of PROFILE; None: any) no open account holds, in order."""
    prof = f" AND m.profile = '{profile}'" if profile else ""
    return [x[0] for x in db("SELECT r.number FROM rooms r JOIN meters m ON m.room_id = r.id"
                             f" WHERE r.building_id = {building_id}{prof} AND NOT EXISTS"
                             " (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1)"
                             " ORDER BY r.number" + (" DESC" if desc else ""))]


def admin(cmd, *args):
    env = dict(os.environ, PREPAID_CONF=f"{VAR}/prepaid.conf")
    return subprocess.run([f"{TOP}/build/prepaid-admin", cmd, *args], env=env,
                          check=True, capture_output=True, text=True).stdout.strip()


NEW_PASSWORD = "Test1234pass"


def operator(login=None, role=1):
    """A new operator with ROLE, signed in, first password already changed."""
    login = login or "t" + uuid.uuid4().hex[:10]
    pw = admin("add-operator", login, str(role))
    c = Client()
    r = c.login(login, pw)
    assert r.status == 303 and "/password" in r.location, (r.status, r.location, r.text[:300])
    c.get("/password?first=1")
    r = c.post("/password?first=1", {"old": pw, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status == 303, (r.status, r.text[:500])
    c.login_name = login
    return c


def count(table, where="1"):
    return int(db_value(f"SELECT COUNT(*) FROM {table} WHERE {where}"))


def idem_of(r):
    """The idempotency key a money form carries."""
    m = re.search(r'name="idem" value="([^"]+)"', r.text)
    return m.group(1) if m else ""


def meter_read(meter, remaining, count):
    """What the collector writes after reading a meter: the tokens it
    confirmed and the meter's state as read now."""
    db(f"UPDATE commands SET status = 'confirmed', done_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND"
       f" WHERE meter_id = {meter} AND status IN ('queued', 'sent')")
    db(f"INSERT INTO meter_state (meter_id, read_at, remaining_fen, purchase_count) VALUES ({meter}, UTC_TIMESTAMP(3),"
       f" {remaining}, {count}) ON DUPLICATE KEY UPDATE read_at = VALUES(read_at), remaining_fen = VALUES(remaining_fen),"
       f" purchase_count = VALUES(purchase_count)")
