"""t76_at_rest.py - secrets and data at rest (ASVS 6.1.1, 6.1.3, 8.3.7, 2.4.5): MariaDB encrypts the tables, the redo log and temporary files with file_key_management, a holder's name is in no file of the data directory in clear, the password hashes need the pepper kept outside the database, and both keys are in the backup."""
import hashlib
import hmac
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from lib import *  # noqa: E402,F401

DATADIR = os.path.realpath(os.path.join(VAR, "db"))
CNF = os.path.join(VAR, "my.cnf")


def root_sql(sql):
    """SQL as root, no default schema (several statements in one session)."""
    return subprocess.run(["mariadb", f"--defaults-file={CNF}", "-uroot", "-N", "-B", "-e", sql],
                          capture_output=True, text=True)


def flush(tables):
    """Writes the tables' dirty pages into their .ibd files now."""
    r = root_sql("FLUSH TABLES %s FOR EXPORT; UNLOCK TABLES;" % ", ".join(tables))
    assert r.returncode == 0, r.stderr


def files_with(needle):
    """The files under the data directory (tablespaces, redo log, undo, binary and temporary logs) holding NEEDLE."""
    found, n = [], 0
    for top, _, names in os.walk(DATADIR):
        for name in names:
            path = os.path.join(top, name)
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            n += 1
            if needle in data:
                found.append(os.path.relpath(path, DATADIR))
    return found, n


def hash_parts(h):
    scheme, n, r, p, salt, digest = h.split("$")
    return scheme, int(n), int(r), int(p), bytes.fromhex(salt), digest


def scrypt_of(pw, h):
    _, n, r, p, salt, _ = hash_parts(h)
    return hashlib.scrypt(pw.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 << 20)


# ---------------------------------------------------------------- 6.1.1 the server's settings and its key
want = ["innodb_encrypt_tables", "innodb_encrypt_log", "innodb_encrypt_temporary_tables", "encrypt_binlog",
        "encrypt_tmp_files", "encrypt_tmp_disk_tables", "aria_encrypt_tables"]
vals = dict(db("SHOW GLOBAL VARIABLES WHERE Variable_name IN (%s)" % ", ".join(
    f"'{v}'" for v in want + ["file_key_management_encryption_algorithm", "file_key_management_filename", "log_bin"])))
check(db_value("SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'FILE_KEY_MANAGEMENT'")
      == "ACTIVE", "MariaDB's file_key_management plugin is active")
for v in want:
    check(vals.get(v) == "ON", f"{v} is ON", vals.get(v))
check(vals.get("file_key_management_encryption_algorithm") == "aes_ctr",
      "the algorithm is AES_CTR (CTR for pages and logs, GCM with its tag where one fits)",
      vals.get("file_key_management_encryption_algorithm"))
keyfile = vals.get("file_key_management_filename", "")
st = os.stat(keyfile) if keyfile and os.path.exists(keyfile) else None
pid = open(os.path.join(VAR, "run", "mariadb.pid")).read().strip()
uid = int(re.search(r"^Uid:\s+(\d+)", open(f"/proc/{pid}/status").read(), re.M).group(1))
check(st is not None and stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == uid,
      "the data-at-rest key file is mode 0600, owned by the database's user", st and (oct(st.st_mode), st.st_uid, uid))
check(keyfile and not os.path.realpath(keyfile).startswith(DATADIR + os.sep),
      "the key file is outside the data directory", keyfile)
check(st is not None and re.fullmatch(r"1;[0-9a-f]{64}", open(keyfile).read().strip()),
      "it holds one AES-256 key (id 1, 64 hex digits)")

# ---------------------------------------------------------------- 6.1.1/6.1.3 the tables, as information_schema says
enc = dict((row[0], row[1]) for row in db(
    "SELECT NAME, ENCRYPTION_SCHEME FROM information_schema.INNODB_TABLESPACES_ENCRYPTION"))
for t in ("accounts", "ledger"):
    check(enc.get(f"prepaid/{t}") == "1",
          f"information_schema.INNODB_TABLESPACES_ENCRYPTION: prepaid.{t} is encrypted", enc.get(f"prepaid/{t}"))
tables = [row[0] for row in db("SELECT TABLE_NAME FROM information_schema.TABLES"
                               " WHERE TABLE_SCHEMA = 'prepaid' AND ENGINE = 'InnoDB'")]
plain = [t for t in tables if enc.get(f"prepaid/{t}") != "1"]
check(len(tables) > 40 and not plain, f"every table of the database is encrypted ({len(tables)} tables)", plain)
check(enc.get("innodb_system") == "1", "the system tablespace (data dictionary, undo) is encrypted")

# ---------------------------------------------------------------- a holder's name written through the console
staff = operator(role=1)
B1 = db_value("SELECT id FROM buildings WHERE name = '1号楼'")
room = free_rooms(B1, desc=True)[0]
marker = "ATREST" + uuid.uuid4().hex[:12]
holder = f"静态<加密>'&{marker}"
r = staff.get("/account/open")
r = staff.post("/account/open", {"holder": holder, "holder_no": "E" + uuid.uuid4().hex[:6], "phone": "13900139076",
                                 "building_id": B1, "room": room, "meters": "", "first": "", "idem": idem_of(r)})
acc = re.search(r"id=(\d+)", r.location).group(1) if r.status == 303 else None
check(acc is not None, "the staff console opens an account for the holder", (r.status, r.location))
acc = acc or "0"
r = staff.get(f"/account?id={acc}")
check(r.status == 200 and f"静态&lt;加密&gt;&#39;&amp;{marker}" in r.text.replace("&#x27;", "&#39;"),
      "the console reads the name back (the encryption is transparent), escaped")
flush([f"prepaid.`{t}`" for t in tables])
found, nfiles = files_with(marker.encode())
check(nfiles > 40 and not found,
      f"the holder's name is in none of the {nfiles} files under the data directory (tablespaces, redo log, undo)",
      found)
binlogs = [f for f in os.listdir(DATADIR) if re.match(r".*-bin\.\d+$", f)]
check(vals.get("log_bin") == "ON" or not binlogs, "no binary log here to hold it (encrypt_binlog is ON for a site's)",
      binlogs)

# the same search finds a value of a table made without encryption: the search works, the redo log is encrypted
ctl = "PLAINCTL" + uuid.uuid4().hex[:12]
try:
    r = root_sql("CREATE DATABASE IF NOT EXISTS t76_control; CREATE TABLE t76_control.plain (v VARCHAR(64))"
                 f" ENGINE=InnoDB ENCRYPTED=NO; INSERT INTO t76_control.plain VALUES ('{ctl}')")
    check(r.returncode == 0, "a control table without encryption is made", r.stderr)
    flush(["t76_control.plain"])
    found, _ = files_with(ctl.encode())
    check(found == [os.path.join("t76_control", "plain.ibd")],
          "control: a value of a table with ENCRYPTED=NO is found in its .ibd, and not in the redo log", found)
finally:
    root_sql("DROP DATABASE IF EXISTS t76_control")

# ---------------------------------------------------------------- 2.4.5 the pepper
pepper_file = os.path.join(VAR, "pepper.key")
pepper = bytes.fromhex(open(pepper_file).read().strip())
check(stat.S_IMODE(os.stat(pepper_file).st_mode) == 0o600 and len(pepper) == 32,
      "the pepper file is mode 0600, 32 random bytes")
confs = {n: open(os.path.join(VAR, n)).read() for n in ("prepaid.conf", "mobile.conf", "pay.conf")}
check(f"password_pepper_file = {pepper_file}" in confs["prepaid.conf"] and
      f"password_pepper_file = {pepper_file}" in confs["mobile.conf"] and "pepper" not in confs["pay.conf"],
      "the staff console and the student site name it; pay.fcgi does not")
dump = subprocess.run(["mariadb-dump", f"--defaults-file={CNF}", "-uroot", "--single-transaction", "prepaid"],
                      capture_output=True).stdout
check(len(dump) > 10000 and pepper.hex().encode() not in dump and pepper not in dump,
      "the pepper is nowhere in the database")

# staff: prepaid-admin's first password is plain scrypt; the sign-in renews it with the pepper
login = "t76" + uuid.uuid4().hex[:8]
pw = admin("add-operator", login, "1")
h0 = db_value(f"SELECT pw_hash FROM operators WHERE login = '{login}'")
c = Client()
r = c.login(login, pw)
h1 = db_value(f"SELECT pw_hash FROM operators WHERE login = '{login}'")
check(h0.startswith("scrypt$") and r.status == 303 and h1.startswith("scrypt-hmac$") and h1 != h0,
      "staff: a hash without the pepper is renewed as scrypt-hmac at the next sign-in", (h0[:12], r.status, h1[:12]))
c.get("/password?first=1")
r = c.post("/password?first=1", {"old": pw, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
h2 = db_value(f"SELECT pw_hash FROM operators WHERE login = '{login}'")
check(r.status == 303 and h2.startswith("scrypt-hmac$"), "staff: a new password is stored with the pepper")
check(scrypt_of(NEW_PASSWORD, h2).hex() != hash_parts(h2)[5],
      "a copy of the database's hash alone does not verify the password (scrypt without the pepper)")
check(hmac.new(pepper, scrypt_of(NEW_PASSWORD, h2), "sha256").hexdigest() == hash_parts(h2)[5],
      "with the pepper file it does: HMAC-SHA256(pepper, scrypt)")
check(Client().login(login, NEW_PASSWORD).status == 303, "staff: the operator signs in with the peppered hash")
db(f"UPDATE operators SET pw_hash = '{'scrypt' + h2[len('scrypt-hmac'):]}' WHERE login = '{login}'")
r = Client().login(login, NEW_PASSWORD)
check(r.status == 200 and "/" not in r.location,
      "staff: the hash with its pepper round taken off (plain scrypt) does not sign in", (r.status, r.location))
db(f"UPDATE operators SET pw_hash = '{h2}' WHERE login = '{login}'")
db(f"DELETE FROM login_failures WHERE login = '{login}'")

# students: a plain scrypt hash (as sites had before) signs in and is renewed
spw = "Rest9" + uuid.uuid4().hex[:8]
salt = os.urandom(16)
old = "scrypt$16384$8$1$%s$%s" % (salt.hex(), hashlib.scrypt(spw.encode(), salt=salt, n=16384, r=8, p=1,
                                                              dklen=32, maxmem=64 << 20).hex())
db(f"INSERT INTO student_logins (account_id, pw_hash, must_change) VALUES ({acc}, '{old}', 0)")
s = Client()
s.get("/m/login")
r = s.post("/m/login", {"building": B1, "room": room, "password": spw})
h3 = db_value(f"SELECT pw_hash FROM student_logins WHERE account_id = {acc}")
check(r.status == 303 and r.location.endswith("/m/") and h3.startswith("scrypt-hmac$"),
      "students: a hash without the pepper is renewed as scrypt-hmac at the next sign-in", (r.status, h3[:12]))
check(hmac.new(pepper, scrypt_of(spw, h3), "sha256").hexdigest() == hash_parts(h3)[5]
      and scrypt_of(spw, h3).hex() != hash_parts(h3)[5], "students: the renewed hash needs the pepper")
s = Client()
s.get("/m/login")
r = s.post("/m/login", {"building": B1, "room": room, "password": spw})
check(r.status == 303 and r.location.endswith("/m/"), "students: the student signs in again with the renewed hash")
s = Client()
s.get("/m/login")
r = s.post("/m/login", {"building": B1, "room": room, "password": spw + "x"})
check(r.status == 200 and db_value(f"SELECT pw_hash FROM student_logins WHERE account_id = {acc}") == h3,
      "students: a wrong password renews nothing")
db(f"DELETE FROM student_login_failures WHERE client_addr = '127.0.0.1'")

# a program whose pepper is missing or readable by others does not start
loose = os.path.join(VAR, "tmp", "t76-pepper.key")
shutil.copy(pepper_file, loose)
os.chmod(loose, 0o644)
for prog, conf in (("staff", "prepaid.conf"), ("mobile", "mobile.conf")):
    for what, path, says in (("readable by others (0644)", loose, "must be 0600"),
                             ("missing", os.path.join(VAR, "tmp", "t76-none.key"), "No such file"),
                             ("not set", None, "password_pepper_file is not set")):
        text = re.sub(r"^password_pepper_file = .*\n", "" if path is None else f"password_pepper_file = {path}\n",
                      confs[conf], flags=re.M)
        alt = os.path.join(VAR, "tmp", f"t76-{prog}.conf")
        with open(alt, "w") as f:
            f.write(text)
        os.chmod(alt, 0o600)
        r = subprocess.run([os.path.join(TOP, "build", f"{prog}.fcgi"), "-w", "1"], env=dict(os.environ, PREPAID_CONF=alt),
                           capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        check(r.returncode != 0 and says in r.stderr and "pepper" in r.stderr,
              f"{prog}.fcgi refuses to start when its pepper file is {what}", r.stderr[-200:])
        os.unlink(alt)
os.unlink(loose)

# ---------------------------------------------------------------- both keys go into the backup
FILE = os.path.join(VAR, "tmp", "t76-backup.tar.gz")
stamp = os.path.join(VAR, "last-backup")
had_stamp = os.path.exists(stamp)
r = subprocess.run(["sh", os.path.join(TOP, "conf", "prepaidctl"), "backup", FILE], capture_output=True, text=True)
try:
    with tarfile.open(FILE) as t:
        names = t.getnames()
        bk_pepper = t.extractfile("secrets/pepper.key").read() if "secrets/pepper.key" in names else b""
        bk_db = t.extractfile("secrets/db.key").read() if "secrets/db.key" in names else b""
        bk_totp = t.extractfile("secrets/totp.key").read() if "secrets/totp.key" in names else b""
        note = t.extractfile("KEEP-OFFLINE.txt").read().decode()
    check(r.returncode == 0 and bk_pepper == open(pepper_file, "rb").read(),
          "make backup keeps the password pepper (secrets/pepper.key)", names)
    check(bk_db == open(keyfile, "rb").read(), "and the data-at-rest key (secrets/db.key)")
    check(bk_totp == open(os.path.join(VAR, "totp.key"), "rb").read(),
          "and the key of the operators' TOTP secrets (secrets/totp.key)")
    check("pepper.key" in note and "db.key" in note and "totp.key" in note, "the note says what each key is for")
finally:
    if os.path.exists(FILE):
        os.unlink(FILE)
    if not had_stamp and os.path.exists(stamp):
        os.unlink(stamp)
done()
