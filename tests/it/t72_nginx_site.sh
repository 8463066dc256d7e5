#!/bin/sh
# t72_nginx_site.sh - the production nginx configuration (conf/nginx-site.conf) run for real in front of the test instance: HTTPS only, TLS 1.2/1.3 with forward-secret ciphers, HSTS, sign-in rate limits, body limits, and each server name serving only its own site.
set -u
var=$PREPAID_VAR
d=$var/nginx-site
p80=$((${PREPAID_PORT:-18080} + 40))
p443=$((p80 + 1))
fails=0
ok() { echo "ok - $1"; }
no() { echo "not ok - $1${2:+ ($2)}"; fails=1; }
check() { if [ "$1" = 1 ]; then ok "$2"; else no "$2" "${3:-}"; fi; }
[ -f "$d/nginx.pid" ] && kill "$(cat "$d/nginx.pid")" 2>/dev/null
rm -rf "$d"
mkdir -p "$d/tmp"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=prepaid.example.campus" \
	-addext "subjectAltName=DNS:prepaid.example.campus,DNS:dian.example.campus" \
	-keyout "$d/site.key" -out "$d/site.pem" 2> /dev/null
# the file as shipped, with only the machine's names changed: ports, certificate, sockets, paths
sed -e "s|listen 80;|listen 127.0.0.1:$p80;|" -e "s|listen 443 ssl http2;|listen 127.0.0.1:$p443 ssl http2;|" \
	-e "s|/etc/ssl/certs/prepaid.pem|$d/site.pem|" -e "s|/etc/ssl/private/prepaid.key|$d/site.key|" \
	-e "s|/run/prepaid/staff.sock|$var/run/staff.sock|" -e "s|/run/prepaid-mobile/mobile.sock|$var/run/mobile.sock|" \
	-e "s|/opt/prepaid/|$TOP/|" -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
	-e "s|/etc/ssl/certs/prepaid-chain.pem|$d/site.pem|" \
	-e "s|/var/log/nginx/access.log|$d/access.log|" -e "s|/var/log/nginx/prepaid-status.log|$d/status.log|" \
	"$TOP/conf/nginx-site.conf" > "$d/site.conf"
# the sockets are the instance's (mode 0660, its user's): the workers run as that user, as in the demo
user=""
[ "$(id -u)" = 0 ] && user="user root;"
cat > "$d/nginx.conf" <<CONF
$user
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 256; }
http {
	include /etc/nginx/mime.types;
	access_log off;
	client_body_temp_path $d/tmp/body;
	fastcgi_temp_path $d/tmp/fastcgi;
	proxy_temp_path $d/tmp/proxy;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	include $d/site.conf;
}
CONF
if nginx -t -p "$d" -c "$d/nginx.conf" > "$d/t.log" 2>&1; then ok "nginx -t accepts conf/nginx-site.conf"
else no "nginx -t accepts conf/nginx-site.conf" "$(tail -2 "$d/t.log")"; echo "0 passed"; exit 1; fi
# OCSP stapling (9.2.4): the self-signed test certificate names no OCSP
# responder, so nginx warns and goes on without stapling, as it does for a
# private CA; a certificate with a responder is stapled (below)
check "$(grep -q 'ssl_stapling" ignored, no OCSP responder URL' "$d/t.log" && echo 1)" \
	"nginx -t: stapling on, a certificate without an OCSP responder only warns" "$(cat "$d/t.log")"
nginx -p "$d" -c "$d/nginx.conf"
S="--resolve prepaid.example.campus:$p443:127.0.0.1 --resolve dian.example.campus:$p443:127.0.0.1 -k -s"
staff=https://prepaid.example.campus:$p443
dian=https://dian.example.campus:$p443

code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: prepaid.example.campus' "http://127.0.0.1:$p80/login?x=1")
check "$([ "$code" = "301 https://prepaid.example.campus/login?x=1" ] && echo 1)" "plain HTTP is sent to HTTPS, path kept" "$code"
h=$(curl $S -D - -o /dev/null "$staff/login")
check "$(echo "$h" | grep -qi '^strict-transport-security: max-age=63072000' && echo 1)" "HSTS on the staff console" "$h"
check "$(echo "$h" | grep -q '^HTTP/[0-9.]* 200' && echo 1)" "the staff sign-in page over HTTPS"
h=$(curl $S -D - -o /dev/null "$dian/m/login")
check "$(echo "$h" | grep -qi '^strict-transport-security: max-age=' && echo 1)" "HSTS on the student site"
check "$(echo "$h" | grep -q '^HTTP/[0-9.]* 200' && echo 1)" "the student sign-in page over HTTPS"
check "$(echo "$h" | grep -i '^set-cookie:' | grep -qi 'secure' && echo 1)" "its cookie is Secure behind HTTPS" "$(echo "$h" | grep -i set-cookie)"
h=$(curl $S -D - -o /dev/null "$dian/login")
check "$(echo "$h" | grep -q '^HTTP/[0-9.]* 404' && echo 1)" "the student site's name serves nothing of the staff console"

tls() { echo | openssl s_client -connect "127.0.0.1:$p443" -servername prepaid.example.campus "$@" 2>&1; }
check "$(tls -tls1_3 | grep -q 'TLSv1.3' && echo 1)" "TLS 1.3 is accepted"
check "$(tls -tls1_2 | grep -q 'Cipher is ECDHE-' && echo 1)" "TLS 1.2 is accepted with a forward-secret cipher"
# Debian's OpenSSL refuses TLS 1.1 at its default security level too: the file must say so itself
check "$(grep -q '^ssl_protocols TLSv1.2 TLSv1.3;$' "$TOP/conf/nginx-site.conf" && echo 1)" "the file allows TLS 1.2 and 1.3 only"
check "$(tls -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' | grep -q 'Cipher is (NONE)\|alert\|no protocols' && echo 1)" "TLS 1.1 is refused"
check "$(tls -tls1_2 -cipher 'AES128-SHA:AES256-GCM-SHA384@SECLEVEL=0' | grep -q 'Cipher is (NONE)\|handshake failure\|alert' && echo 1)" \
	"TLS 1.2 without forward secrecy (AES128-SHA, AES256-GCM-SHA384) is refused"
check "$(tls -tls1_3 | grep -q 'Server certificate' && tls -tls1_2 -sess_out "$d/s" | grep -q 'TLS session ticket:' && echo 0 || echo 1)" \
	"no session tickets"

# ASVS 3.4.4: behind HTTPS the session cookies are __Host-sid and __Host-msid (Secure, Path=/, no
# Domain); a cookie still called sid or msid is read too
sql() { mariadb --defaults-file="$var/my.cnf" -uroot -N -B prepaid -e "$1"; }
form_key() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | tail -n 1; }
login=t72h$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
pw=$(PREPAID_CONF=$var/prepaid.conf "$TOP/build/prepaid-admin" add-operator "$login" 1)
tok=$(curl $S -c "$d/jar" "$staff/login" | form_key)
sc=$(curl $S -b "$d/jar" -D - -o /dev/null -H "Origin: $staff" --data-urlencode "login=$login" \
	--data-urlencode "password=$pw" -d "csrf=$tok" "$staff/login" | tr -d '\r' | grep -i '^set-cookie: __Host-sid=')
check "$(echo "$sc" | grep -q '__Host-sid=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict; Secure$' &&
	! echo "$sc" | grep -qi 'domain=' && echo 1)" "staff behind HTTPS: the session cookie is __Host-sid (Secure, Path=/, no Domain)" "$sc"
sid=$(echo "$sc" | sed 's/.*__Host-sid=\([0-9a-f]*\).*/\1/')
c=$(curl $S -o /dev/null -w '%{http_code}' -b "__Host-sid=$sid" "$staff/password?first=1")
check "$([ "$c" = 200 ] && echo 1)" "staff behind HTTPS: __Host-sid signs the operator in" "$c"
c=$(curl $S -o /dev/null -w '%{http_code}' -b "sid=$sid" "$staff/password?first=1")
check "$([ "$c" = 200 ] && echo 1)" "staff behind HTTPS: a cookie still named sid is read too" "$c"
c=$(curl $S -o /dev/null -w '%{http_code}' -b "__Host-sid=$(echo "$sid" | tr 0-9a-f 1-9a-f0)" "$staff/password?first=1")
check "$([ "$c" = 303 ] && echo 1)" "staff behind HTTPS: another __Host-sid value signs nobody in" "$c"
room=$(sql "SELECT r.id FROM rooms r JOIN meters m ON m.room_id = r.id AND m.profile = 'ddsy1352nk'
	WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.room_id = r.id AND a.status = 'open') ORDER BY r.id DESC LIMIT 1")
spw=Hs$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')7
sql "INSERT INTO accounts (holder, holder_no, room_id) VALUES ('t72', 'H$room', $room)"
sql "INSERT INTO student_logins (account_id, pw_hash, must_change, privacy_agreed_at) SELECT MAX(id),
	'$(python3 -c "import hashlib, os, sys; s = os.urandom(16); print('scrypt\$16384\$8\$1\$' + s.hex() + '\$' + hashlib.scrypt(sys.argv[1].encode(), salt=s, n=16384, r=8, p=1, dklen=32, maxmem=1 << 26).hex())" "$spw")', 0, UTC_TIMESTAMP()
	FROM accounts WHERE room_id = $room"
set -- $(sql "SELECT building_id, number FROM rooms WHERE id = $room")
tok=$(curl $S -c "$d/mjar" "$dian/m/login" | form_key)
sc=$(curl $S -b "$d/mjar" -D - -o /dev/null -H "Origin: $dian" -d "building=$1" --data-urlencode "room=$2" \
	--data-urlencode "password=$spw" -d "csrf=$tok" "$dian/m/login" | tr -d '\r' | grep -i '^set-cookie: __Host-msid=')
check "$(echo "$sc" | grep -q '__Host-msid=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict; Secure$' &&
	! echo "$sc" | grep -qi 'domain=' && echo 1)" "students behind HTTPS: the session cookie is __Host-msid (Secure, Path=/, no Domain)" "$sc"
msid=$(echo "$sc" | sed 's/.*__Host-msid=\([0-9a-f]*\).*/\1/')
c=$(curl $S -o /dev/null -w '%{http_code}' -b "__Host-msid=$msid" "$dian/m/sessions")
check "$([ "$c" = 200 ] && echo 1)" "students behind HTTPS: __Host-msid signs the student in" "$c"
c=$(curl $S -o /dev/null -w '%{http_code}' -b "msid=$msid" "$dian/m/sessions")
check "$([ "$c" = 200 ] && echo 1)" "students behind HTTPS: a cookie still named msid is read too" "$c"
sql "UPDATE accounts SET status = 'closed' WHERE room_id = $room AND holder = 't72'"

# sign-in: 10 a minute per address with a burst of 5; other pages are not limited by it.
# The sign-ins above took the burst: one request's worth (6 s) comes back first, so
# that the first post below is answered by the console and the rest by the limit.
sleep 7
n429=0
sfail=0
for i in $(seq 1 12); do
	c=$(curl $S -o /dev/null -w '%{http_code}' -d 'login=x&password=y' "$staff/login")
	[ "$c" = 429 ] && n429=$((n429 + 1))
	case $c in 303|429) ;; *) sfail=$((sfail + 1)) ;; esac
done
s429=$n429
check "$([ $n429 -ge 5 ] && echo 1)" "12 quick sign-in posts to the console: the last ones get 429" "$n429 of 12"
c=$(curl $S -o /dev/null -w '%{http_code}' "$staff/static/style.css")
check "$([ "$c" = 200 ] && echo 1)" "the other addresses still answer" "$c"
n429=0
dfail=0
for i in $(seq 1 12); do
	c=$(curl $S -o /dev/null -w '%{http_code}' -d 'building=1&room=101&password=y' "$dian/m/login")
	[ "$c" = 429 ] && n429=$((n429 + 1))
	case $c in 303|429) ;; *) dfail=$((dfail + 1)) ;; esac
done
check "$([ $n429 -ge 5 ] && echo 1)" "12 quick sign-in posts on the student site: the last ones get 429" "$n429 of 12"
c=$(head -c 70000 /dev/zero | tr '\0' 'a' | curl $S -o /dev/null -w '%{http_code}' --data-binary @- "$dian/m/password")
check "$([ "$c" = 413 ] && echo 1)" "a 70 kB body to the student site is refused (413)" "$c"
kill "$(cat "$d/nginx.pid")"

# 8.1.4 nginx's status log through conf/mtail/prepaid.mtail: the counters the
# alert rules of conf/prometheus-alerts.yml watch, as the requests above made them
m=$(mtail -one_shot -one_shot_format prometheus -progs "$TOP/conf/mtail" -logs "$d/status.log" 2> "$d/mtail.err")
# (a counter nothing has counted yet is absent: 0)
val() { v=$(echo "$m" | grep "^$1{" | grep "site=\"$2\"" | awk '{ print $2 }'); echo "${v:-0}"; }
check "$([ "$(val prepaid_nginx_throttled_total prepaid.example.campus)" = "$s429" ] && [ "$s429" -ge 5 ] && echo 1)" \
	"mtail counts the console's 429s as curl saw them" "$(val prepaid_nginx_throttled_total prepaid.example.campus) of $s429"
check "$([ "$(val prepaid_nginx_throttled_total dian.example.campus)" = "$n429" ] && echo 1)" \
	"mtail counts the student site's 429s as curl saw them" "$(val prepaid_nginx_throttled_total dian.example.campus) of $n429"
check "$([ "$(val prepaid_nginx_signin_failures_total prepaid.example.campus)" = "$sfail" ] && [ "$sfail" -ge 1 ] && echo 1)" \
	"mtail counts the console's failed sign-ins (not the 429s)" "$(val prepaid_nginx_signin_failures_total prepaid.example.campus) of $sfail"
# (the two sites share the sign-in limit: the student site's posts may all be 429s)
check "$([ "$(val prepaid_nginx_signin_failures_total dian.example.campus)" = "$dfail" ] && echo 1)" \
	"mtail counts the student site's failed sign-ins (not the 429s)" "$(val prepaid_nginx_signin_failures_total dian.example.campus) of $dfail"
check "$(python3 - "$TOP/conf/prometheus-alerts.yml" "$m$(printf '\n'; curl -s "$BASE/metrics")" <<'PY' && echo 1
import re, sys, yaml
rules = [r for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"]]
have = set(re.findall(r"^(prepaid_[a-z_]+)[{ ]", sys.argv[2], re.M))
used = {n for r in rules for n in re.findall(r"\b(prepaid_[a-z_]+)\b", r["expr"])}
ok = rules and all(r.get("alert") and r.get("expr") and r["labels"].get("severity") and r["annotations"].get("summary")
                   for r in rules) and {"prepaid_nginx_throttled_total", "prepaid_nginx_signin_failures_total"} <= used <= have
sys.exit(0 if ok else 1)
PY
)" "conf/prometheus-alerts.yml: each rule named, with severity and summary, on counters mtail and /metrics export"

# OCSP stapling for real: a CA, a certificate naming its OCSP responder
# (openssl ocsp on a port of this test), the shipped file on other ports
o=$d/ocsp
po=$((p80 + 4))
mkdir -p "$o"
: > "$o/index.txt"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Test Campus CA" -keyout "$o/ca.key" -out "$o/ca.pem" 2> /dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=prepaid.example.campus" -keyout "$o/site.key" -out "$o/site.csr" 2> /dev/null
printf 'subjectAltName=DNS:prepaid.example.campus,DNS:dian.example.campus\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:%s\n' "$po" > "$o/ext"
openssl x509 -req -in "$o/site.csr" -CA "$o/ca.pem" -CAkey "$o/ca.key" -set_serial 4097 -days 2 -extfile "$o/ext" -out "$o/site.pem" 2> /dev/null
printf 'V\t%s\t\t1001\tunknown\t/CN=prepaid.example.campus\n' "$(date -u -d '+2 days' +%y%m%d%H%M%SZ)" > "$o/index.txt"
openssl ocsp -index "$o/index.txt" -port "$po" -ndays 1 -rsigner "$o/ca.pem" -rkey "$o/ca.key" -CA "$o/ca.pem" > "$o/ocsp.log" 2>&1 &
ocsp_pid=$!
sed -e "s|$d/site.pem|$o/site.pem|g" -e "s|$d/site.key|$o/site.key|g" -e "s|ssl_trusted_certificate [^;]*;|ssl_trusted_certificate $o/ca.pem;|" \
	-e "s|127.0.0.1:$p80;|127.0.0.1:$((p80 + 2));|" -e "s|127.0.0.1:$p443 |127.0.0.1:$((p80 + 3)) |" \
	-e "s|zone=prepaid_|zone=o_prepaid_|g" -e "s|shared:prepaid_tls|shared:o_prepaid_tls|" "$d/site.conf" > "$o/site.conf"
sed -e "s|$d/site.conf|$o/site.conf|" -e "s|pid $d/nginx.pid|pid $o/nginx.pid|" -e "s|error_log $d/error.log|error_log $o/error.log|" \
	"$d/nginx.conf" > "$o/nginx.conf"
if nginx -t -p "$d" -c "$o/nginx.conf" > "$o/t.log" 2>&1 && ! grep -q 'stapling' "$o/t.log"; then
	ok "nginx -t: a certificate with an OCSP responder is taken for stapling without a warning"
else no "nginx -t: a certificate with an OCSP responder is taken for stapling without a warning" "$(cat "$o/t.log")"; fi
nginx -p "$d" -c "$o/nginx.conf"
staple() { echo | openssl s_client -connect "127.0.0.1:$((p80 + 3))" -servername prepaid.example.campus -status 2>&1; }
# nginx asks the responder on the first handshake and staples from then on
i=0
until staple | grep -q 'OCSP Response Status: successful'; do
	i=$((i + 1)); [ $i -gt 20 ] && break
	sleep 0.5
done
h=$(staple)
check "$(echo "$h" | grep -q 'Cert Status: good' && echo 1)" "the handshake carries the responder's stapled answer: good" "$(echo "$h" | grep -i ocsp | head -3)"
check "$(echo "$h" | grep -q 'Responder Id: CN = Test Campus CA\|Responder Id: CN=Test Campus CA' && echo 1)" "the stapled answer is signed by the CA of ssl_trusted_certificate"
kill "$(cat "$o/nginx.pid")" "$ocsp_pid" 2> /dev/null
[ $fails = 0 ]
