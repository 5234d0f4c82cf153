#!/usr/bin/env bash
# The Debian package as an admin gets it: packaging/build-deb.sh builds it (from the native build in .build/,
# which tests/native-smoke.sh has just made), then dpkg -i, the installed executable (--version, and an archive
# made and read through /usr/bin/mailrecovery: the SQLite library is found beside the real executable), the
# system user and /etc/mailrecovery, the man page, systemd-analyze verify of the installed units, and
# dpkg --purge, which must leave nothing of the package behind.
#
#   tests/deb-smoke.sh      (as root; run-tests.sh calls it without extra arguments)
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

fail() { echo "deb smoke: FAILED: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing (not a Debian system?)"
[[ $(id -u) -eq 0 ]] || fail "run as root (dpkg -i)"
dpkg-query -W -f '${Status}' mailrecovery 2>/dev/null | grep -q installed \
    && fail "a mailrecovery package is already installed here; this test would remove it (dpkg --purge mailrecovery first)"
had_user=0; getent passwd mailrecovery >/dev/null && had_user=1

WORK=$(mktemp -d /tmp/mailrecovery-deb-smoke.XXXXXX)
installed=0
cleanup() {
    (( installed )) && dpkg --purge mailrecovery >/dev/null 2>&1
    (( had_user )) || { getent passwd mailrecovery >/dev/null && deluser --system --quiet mailrecovery >/dev/null 2>&1; } || true
    rm -rf "$WORK"
}
trap cleanup EXIT

deb=$(packaging/build-deb.sh --out "$WORK") || fail "packaging/build-deb.sh failed"
dpkg -i "$deb" > "$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; fail "dpkg -i $deb"; }
installed=1

version=$(/usr/bin/mailrecovery --version) || fail "mailrecovery --version"
[[ "$version" == "$(./mailrecovery --version)" ]] || fail "the installed version $version is not this build's"
mkdir "$WORK/archive"
/usr/bin/mailrecovery archive reindex --archive "$WORK/archive" > "$WORK/out" 2>&1 || { cat "$WORK/out" >&2; fail "archive reindex"; }
# exit 1: "nothing has been archived yet" is a warning
/usr/bin/mailrecovery status --archive "$WORK/archive" --json > "$WORK/status.json" || [[ $? == 1 ]] || fail "status exited $?"
grep -q '"messages": 0,' "$WORK/status.json" || { cat "$WORK/status.json" >&2; fail "status"; }
getent passwd mailrecovery | grep -q ':/var/lib/mailrecovery:' || fail "no system user mailrecovery: $(getent passwd mailrecovery)"
[[ $(stat -c '%a %U %G' /etc/mailrecovery) == "750 root mailrecovery" ]] || fail "/etc/mailrecovery is $(stat -c '%a %U %G' /etc/mailrecovery)"
if command -v man >/dev/null; then
    man -w mailrecovery >/dev/null 2>&1 || fail "no man page"
    # Read whole, then searched: `zcat | grep -q` fails under pipefail once the page outgrows a pipe buffer
    # (grep stops at the match, zcat dies of SIGPIPE), which is what a longer verb list did.
    page=$(zcat "$(man -w mailrecovery)")
    grep -q '^\.SS "mailrecovery archive verify"' <<< "$page" || fail "the man page lacks archive verify"
    grep -q '^\.SS "mailrecovery snapshot restore"' <<< "$page" || fail "the man page lacks snapshot restore"
    man_check=()
else
    man_check=(--man=no)
fi
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify "${man_check[@]}" /lib/systemd/system/mailrecovery-watch.service \
        /lib/systemd/system/mailrecovery-verify.service /lib/systemd/system/mailrecovery-verify.timer \
        /lib/systemd/system/mailrecovery-alert.service /lib/systemd/system/mailrecovery-alert.timer > "$WORK/verify" 2>&1 \
        || { cat "$WORK/verify" >&2; fail "systemd-analyze verify"; }
    [[ ! -s "$WORK/verify" ]] || { cat "$WORK/verify" >&2; fail "systemd-analyze verify warned"; }
fi

dpkg --purge mailrecovery > "$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; fail "dpkg --purge"; }
installed=0
for f in /usr/bin/mailrecovery /usr/lib/mailrecovery /lib/systemd/system/mailrecovery-watch.service /etc/mailrecovery; do
    [[ ! -e "$f" && ! -L "$f" ]] || fail "$f is left after dpkg --purge"
done
echo "deb smoke: ok ($(basename "$deb"))"
