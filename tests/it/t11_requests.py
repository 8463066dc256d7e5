"""t11_requests.py - malformed requests never reach the form parser, a crashed worker is restarted, POSTs need the site's Origin."""
import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port


def raw(method, path, body=b"", headers=None):
    """One request as sent, with exactly these headers; returns (status, body)."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=20)
    try:
        c.putrequest(method, path)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        if body or method == "POST":
            c.putheader("Content-Length", str(len(body)))
        c.endheaders()
        if body:
            c.send(body)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def workers():
    """The pids of the staff.fcgi workers (children of the supervisor)."""
    sup = open(os.path.join(VAR, "run", "staff.pid")).read().strip()
    out = subprocess.run(["pgrep", "-P", sup], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def up(within=20):
    """Waits until the sign-in page answers 200; returns True when it did."""
    end = time.time() + within
    while time.time() < end:
        try:
            if raw("GET", "/login")[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


# Bodies the form parser must never see, each refused with its status (never a 502).
mp = {"Origin": BASE}
cases = [
    ("multipart without a boundary", "POST", "/meters/import", b"x",
     dict(mp, **{"Content-Type": "multipart/form-data"}), 400),
    ("multipart with an empty boundary", "POST", "/meters/import", b"x",
     dict(mp, **{"Content-Type": "multipart/form-data; boundary="}), 400),
    ("multipart without a boundary on the sign-in page", "POST", "/login", b"x",
     dict(mp, **{"Content-Type": "multipart/form-data"}), 415),
    ("a boundary of 71 characters", "POST", "/meters/import", b"x",
     dict(mp, **{"Content-Type": "multipart/form-data; boundary=" + "a" * 71}), 400),
    ("a boundary with a character outside RFC 2046", "POST", "/meters/import", b"x",
     dict(mp, **{"Content-Type": "multipart/form-data; boundary=a<b"}), 400),
    ("a good multipart form on a page that takes no file", "POST", "/login",
     b"--xyz\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--xyz--\r\n",
     dict(mp, **{"Content-Type": "multipart/form-data; boundary=xyz"}), 415),
    ("a text/plain body", "POST", "/login", b"login=a", dict(mp, **{"Content-Type": "text/plain"}), 415),
    ("a body without a type", "POST", "/login", b"login=a", dict(mp), 415),
    ("a PUT with a multipart body", "PUT", "/login", b"x", dict(mp, **{"Content-Type": "multipart/form-data"}), 405),
    ("a form of more than 256 KB", "POST", "/login", b"a=" + b"x" * (300 * 1024),
     dict(mp, **{"Content-Type": "application/x-www-form-urlencoded"}), 413),
]
for what, method, path, body, headers, want in cases:
    st, text = raw(method, path, body, headers)
    check(st == want, f"{what} is refused with {want} before the form parser", f"{st} {text[:80]!r}")

# A burst of the request that used to crash a worker: every one answered, nobody replaced.
before = sorted(workers())
got = [raw("POST", "/meters/import", b"x", dict(mp, **{"Content-Type": "multipart/form-data"}))[0]
       for _ in range(40)]
check(all(s == 400 for s in got), "40 bodyless multipart requests in a row: each a 400, never a 502", str(set(got)))
check(sorted(workers()) == before and len(before) >= 1, "no worker died of them", f"{before} -> {workers()}")
got = [raw("POST", "/meters/import", b"x", {"Origin": BASE, "Content-Type": "multipart/form-data; boundary="})[0]
       for _ in range(10)] + [raw("GET", "/login")[0] for _ in range(10)]
check(got.count(502) == 0 and got[-1] == 200, "the sign-in page still answers after them", str(got))

# A file's body is parsed only for someone signed in: a stranger's well-formed upload (malformed part
# headers inside) is refused before ClearSilver's multipart parser sees it.
body = b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\r\n\r\nx\r\n--xyz--\r\n"
got = [raw("POST", "/meters/import", body, dict(mp, **{"Content-Type": "multipart/form-data; boundary=xyz"}))
       for _ in range(5)]
check(all(st == 403 and "请先登录再上传文件".encode() in text for st, text in got),
      "a signed-out upload with a good boundary is refused (403) before the multipart parser", got[:1])

# The real upload form still takes its file (the import page's own test checks the import).
c = operator(role=1)
c.get("/meters/import")
r = c.upload("/meters/import", {}, "m.csv", b"", "text/csv")
check(r.status in (200, 303) and r.status != 415, "the import page still takes a multipart upload", str(r.status))

# Supervision: workers that crash are restarted with a back-off, never given up.
log = os.path.join(VAR, "log", "staff.log")
for _ in range(6):
    for p in workers():
        try:
            os.kill(p, signal.SIGSEGV)
        except ProcessLookupError:
            pass
    time.sleep(0.15)
check(up(30), "after six rounds of crashing every worker the console answers again")
time.sleep(1)
check(len(workers()) == len(before), "every worker is back", f"{len(before)} -> {len(workers())}")
text = open(log, encoding="utf-8", errors="replace").read()
check("killed by signal 11 (Segmentation fault)" in text, "the log says why a worker died")
check("quick deaths in a row" in text, "the log says it restarts them with a pause")

# Every POST must come from the site's own pages: Origin, or Referer without one.
c = operator(role=1)
c.get("/buildings")
name = "O" + uuid.uuid4().hex[:6]
form = {"name": name, "floors": "3", "csrf": c.csrf_token}
r = c.request("POST", "/building", urllib.parse.urlencode(form).encode(),
              {"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"})
check(r.status == 403, "a POST from another site's page is refused even with the CSRF token", str(r.status))
r = c.request("POST", "/building", urllib.parse.urlencode(form).encode(),
              {"Content-Type": "application/x-www-form-urlencoded", "Origin": "null"})
check(r.status == 403, "a POST with Origin: null is refused", str(r.status))
st, _ = raw("POST", "/building", urllib.parse.urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Cookie": "; ".join(f"{k.name}={k.value}" for k in c.jar)})
check(st == 403, "a POST with neither Origin nor Referer is refused", str(st))
r = c.request("POST", "/building", urllib.parse.urlencode(form).encode(),
              {"Content-Type": "application/x-www-form-urlencoded", "Origin": "",
               "Referer": "http://evil.example/x"})
check(r.status == 403, "a POST whose Referer is another site is refused", str(r.status))
check(count("buildings", f"name = '{name}'") == 0, "none of the refused POSTs changed anything")
r = c.request("POST", "/building", urllib.parse.urlencode(form).encode(),
              {"Content-Type": "application/x-www-form-urlencoded", "Origin": "",
               "Referer": BASE + "/building"})
check(r.status == 303 and count("buildings", f"name = '{name}'") == 1,
      "a POST with the site's own Referer (no Origin) is taken", str(r.status))
done()
