"""galera.py - make test-cluster: three MariaDB Galera nodes on loopback under var/cluster/ (SQL 3311-3313, group communication 4567-4569, IST 4577-4579), bootstrapped, killed -9 and rejoined by IST."""
import os
import re
import shutil
import signal
import subprocess
import time

PROVIDER = "/usr/lib/galera/libgalera_smm.so"
GROUP = "gcomm://127.0.0.1:4567,127.0.0.1:4568,127.0.0.1:4569"
# A node lost is suspected after 1 s and dropped after 2 s (defaults 5 s and 15 s): the write stall of the
# two that remain falls from about 6 s to 2 s on this kind of machine. keepalive < suspect / 3; the join
# messages go out again every 0.25 s (default 1 s): with one retransmission a second the two remaining
# nodes never agreed on a new view within the install timeout under load, and the cluster lost its primary
# component until the killed node came back.
EVS = ("evs.keepalive_period=PT0.3S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT1S;"
       "evs.inactive_timeout=PT2S;evs.join_retrans_period=PT0.25S")


def wait(fn, timeout, step=0.2):
    end = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > end:
            return v
        time.sleep(step)


class Node:
    """Node N (1-3) of the cluster: its data, socket, error log and my.cnf under DIR/nodeN."""

    def __init__(self, top, n):
        self.n = n
        self.dir = os.path.join(top, f"node{n}")
        self.port = 3310 + n
        self.data = os.path.join(self.dir, "db")
        self.sock = os.path.join(self.dir, "mysqld.sock")
        self.pidfile = os.path.join(self.dir, "mariadb.pid")
        self.err = os.path.join(self.dir, "mariadb.err")
        self.cnf = os.path.join(self.dir, "my.cnf")
        self.proc = None

    def write_cnf(self):
        os.makedirs(self.dir, exist_ok=True)
        with open(self.cnf, "w") as f:
            f.write(f"""[mysqld]
datadir={self.data}
socket={self.sock}
pid-file={self.pidfile}
port={self.port}
bind-address=127.0.0.1
log-error={self.err}
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
default-time-zone=+00:00
innodb_buffer_pool_size=64M
innodb_log_file_size=48M
# the cluster keeps a committed write set on every node; each node's own log is flushed once a second
innodb_flush_log_at_trx_commit=2
performance_schema=OFF
max_connections=300
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider={PROVIDER}
wsrep_cluster_name=prepaid-test
wsrep_cluster_address={GROUP}
wsrep_node_name=node{self.n}
wsrep_node_address=127.0.0.1:{4566 + self.n}
wsrep_slave_threads=2
wsrep_sst_method=rsync
wsrep_provider_options="base_port={4566 + self.n};gmcast.listen_addr=tcp://127.0.0.1:{4566 + self.n};ist.recv_addr=127.0.0.1:{4576 + self.n};gcache.size=128M;{EVS}"
[client]
socket={self.sock}
""")

    # --- processes
    def start(self, *args):
        """mariadbd with ARGS (--wsrep-new-cluster, --wsrep-start-position=...), in the background."""
        self.log = open(os.path.join(self.dir, "stdout.log"), "a")
        self.proc = subprocess.Popen(["mariadbd", f"--defaults-file={self.cnf}", "--user=mysql", *args],
                                     stdout=self.log, stderr=self.log, start_new_session=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def recover(self):
        """After a kill -9: mariadbd --wsrep-recover finds the last committed write set in InnoDB
        ("uuid:seqno"), written to the error log."""
        size = os.path.getsize(self.err) if os.path.exists(self.err) else 0
        subprocess.run(["mariadbd", f"--defaults-file={self.cnf}", "--user=mysql", "--wsrep-recover"],
                       capture_output=True, timeout=120)
        with open(self.err, errors="replace") as f:
            f.seek(size)
            m = re.findall(r"WSREP: Recovered position:?\s+([0-9a-f-]{36}:-?\d+)", f.read())
        return m[-1] if m else None

    # --- SQL as root over the node's own socket
    def sql(self, q, db="prepaid", timeout=30):
        out = subprocess.run(["mariadb", f"--defaults-file={self.cnf}", "-uroot", "-N", "-B", db, "-e", q],
                             check=True, capture_output=True, text=True, timeout=timeout).stdout
        return [line.split("\t") for line in out.splitlines()]

    def status(self, name):
        try:
            r = self.sql(f"SHOW GLOBAL STATUS LIKE '{name}'", db="mysql", timeout=5)
            return r[0][1] if r else None
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            return None

    def synced(self):
        if not self.alive():
            raise RuntimeError(f"node {self.n} exited: see {self.err}")
        return self.status("wsrep_local_state_comment") == "Synced" and self.status("wsrep_ready") == "ON"

    def rss_mb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) // 1024
        except (OSError, AttributeError):
            return 0


class Cluster:
    def __init__(self, top):
        self.top = top
        self.nodes = [Node(top, n) for n in (1, 2, 3)]

    def create(self, load):
        """A fresh cluster: node 1 made and bootstrapped, LOAD(node1) gives it the schema, then nodes 2 and 3
        join by SST (rsync; mariadbd runs as user mysql: as root the rsync daemon of SST and of IST's bypass
        writes as nobody and fails). Returns the seconds nodes 2 and 3 took to join."""
        shutil.rmtree(self.top, ignore_errors=True)
        for nd in self.nodes:
            nd.write_cnf()
            os.makedirs(nd.data)
        subprocess.run(["chown", "-R", "mysql:mysql", self.top], check=True)
        n1 = self.nodes[0]
        r = subprocess.run(["mariadb-install-db", f"--defaults-file={n1.cnf}", "--user=mysql",
                            "--auth-root-authentication-method=socket", "--skip-test-db"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("mariadb-install-db: " + r.stdout[-500:] + r.stderr[-500:])
        n1.start("--wsrep-new-cluster")
        if not wait(n1.synced, 60):
            raise RuntimeError(f"node 1 did not bootstrap: see {n1.err}")
        load(n1)
        t = time.time()
        for nd in self.nodes[1:]:
            nd.start()
            if not wait(nd.synced, 180):
                raise RuntimeError(f"node {nd.n} did not join: see {nd.err}")
        if self.size(n1) != 3:
            raise RuntimeError("the three nodes did not form one cluster: see var/cluster/node*/mariadb.err")
        return time.time() - t

    def size(self, nd):
        v = nd.status("wsrep_cluster_size")
        return int(v) if v else 0

    def rejoin(self, nd):
        """A node killed -9 back: --wsrep-recover, then --wsrep-start-position, so it catches up by IST.
        Returns (seconds until Synced or None, the position, how it joined: 'IST' or 'SST' or '?')."""
        pos = nd.recover()
        size = os.path.getsize(nd.err)
        t = time.time()
        nd.start(*([f"--wsrep-start-position={pos}"] if pos else []))
        ok = wait(nd.synced, 180, 0.1)
        took = time.time() - t if ok else None
        with open(nd.err, errors="replace") as f:
            f.seek(size)
            log = f.read()
        how = "IST" if re.search(r"IST received|Receiving IST|async IST", log) else (
            "SST" if "SST" in log and "State transfer required" in log else "?")
        return took, pos, how

    def stop(self):
        for nd in self.nodes:
            nd.stop()
