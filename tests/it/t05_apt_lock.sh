#!/bin/sh
# t05_apt_lock.sh - the installs of conf/prepaidctl and .ci/run wait for another program's package manager lock instead of failing.
set -u
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A machine where nothing is installed and make is missing: apt-get and
# dpkg-query stand in for the real ones and note how they were called;
# installing make gives a make that notes its call too.
mkdir "$tmp/bin"
for t in sh dirname id grep cat; do ln -s "$(command -v $t)" "$tmp/bin/$t"; done
cat > "$tmp/bin/dpkg-query" <<'X'
#!/bin/sh
exit 1
X
cat > "$tmp/bin/apt-get" <<X
#!/bin/sh
echo "apt-get \$*" >> "$tmp/calls"
case " \$* " in *" make "*) printf '#!/bin/sh\necho "make \$*" >> "$tmp/calls"\n' > "$tmp/bin/make"; /bin/chmod +x "$tmp/bin/make" ;; esac
exit 0
X
chmod +x "$tmp/bin/dpkg-query" "$tmp/bin/apt-get"
# the tree as a new machine's clone has it (only the two scripts matter here)
mkdir -p "$tmp/tree/conf" "$tmp/tree/.ci"
cp "$top/conf/prepaidctl" "$tmp/tree/conf/"
cp "$top/.ci/run" "$tmp/tree/.ci/"

if [ "$(id -u)" != 0 ]; then
	echo "ok - skipped: the scripts call sudo when not root # SKIP"
	exit 0
fi
PATH="$tmp/bin" /bin/sh "$tmp/tree/.ci/run" > "$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && echo "ok - .ci/run on a bare machine installs make, the packages, then runs make test" \
	|| { echo "not ok - .ci/run exited $rc"; cat "$tmp/out"; }
n=$(grep -c '^apt-get' "$tmp/calls")
[ "$n" -ge 4 ] && echo "ok - apt-get was called $n times (update and install, by .ci/run and by prepaidctl)" \
	|| { echo "not ok - apt-get was called $n times"; cat "$tmp/calls"; }
bad=$(grep '^apt-get' "$tmp/calls" | grep -v -- '-o DPkg::Lock::Timeout=600 ')
[ -z "$bad" ] && echo "ok - every apt-get call waits up to 600 s for the package manager's lock" \
	|| echo "not ok - apt-get calls that fail at once on a held lock: $(echo "$bad" | tr '\n' ';')"
grep -q '^apt-get .*install.* make' "$tmp/calls" && grep -q '^make test' "$tmp/calls" \
	&& echo "ok - make was installed, then make test run" || { echo "not ok - no make install / make test"; cat "$tmp/calls"; }
