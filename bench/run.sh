#!/usr/bin/env bash
# MailRecovery benchmark against the peer tools, on the real test bed. One command; see bench/README.md.
#
#   sudo bench/run.sh [--sizes 2000,10000] [--runs 3] [--scaling 100000] [--quick]
#                     [--only fetch,replay,memory,index,scaling,fleet,latency] [--fleet 200,1000] [--skip TOOL,...] [--no-strace]
#                     [--index-rows 1000000] [--big-mb 50] [--out DIR] [--keep-bed]
#
# Installs the peers (apt) and the bed, starts the bed if it is not running (and stops it at the end only if it
# started it), creates the unprivileged user `mrbench` for the peers, builds MailRecovery once, then runs
# bench/bench.py, which writes bench/results/YYYY-MM-DD-HHMM.{md,csv,json} and bench/results/latest.md
# (--quick writes to bench/work/results-quick/ instead).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
TESTBED="$REPO/testbed/testbed.sh"
TB_DIR="${MAILRECOVERY_TESTBED:-/tmp/mailrecovery-testbed}"
PEER_USER=mrbench
PEER_PACKAGES=(isync offlineimap3 getmail6 fetchmail mpop maildrop strace time python3 sqlite3)

log() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

keep_bed=0
args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --keep-bed) keep_bed=1; shift ;;
        --quick|--no-strace) args+=("$1"); shift ;;
        --sizes|--runs|--scaling|--only|--skip|--index-rows|--big-mb|--out|--fleet|--fleet-idle-seconds)
            [[ $# -ge 2 ]] || die "$1 needs a value"
            args+=("$1" "$2"); shift 2 ;;
        --sizes=*|--runs=*|--scaling=*|--only=*|--skip=*|--index-rows=*|--big-mb=*|--out=*|--fleet=*|--fleet-idle-seconds=*) args+=("$1"); shift ;;
        *) usage >&2; die "unknown option '$1'" ;;
    esac
done

[[ $(id -u) -eq 0 ]] || die "run as root (the bed's Dovecot and the mailbox loading need it): sudo $0"

mkdir -p "$BENCH_DIR/work"
chmod 0755 "$BENCH_DIR/work"
exec 8>"$BENCH_DIR/work/.lock"
flock -n 8 || die "another benchmark is running (lock $BENCH_DIR/work/.lock)"

# ---- packages: the peers, and the bed's own
missing=()
for p in "${PEER_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
"$TESTBED" install

# ---- the unprivileged user the peers run as (getmail6 refuses root; fetchmail/maildrop behave differently as root)
if ! id "$PEER_USER" >/dev/null 2>&1; then
    log "creating user $PEER_USER"
    useradd --create-home --shell /bin/sh --user-group "$PEER_USER"
fi
# every directory down to bench/work must be traversable by it
if ! runuser -u "$PEER_USER" -- test -x "$BENCH_DIR/work"; then
    p="$BENCH_DIR/work"
    while [[ "$p" != "/" ]]; do chmod o+x "$p"; p="$(dirname "$p")"; done
fi

# ---- the bed: use a running one as it is; start (and later stop) one only if none runs
started_bed=0
if "$TESTBED" status "$TB_DIR" >/dev/null 2>&1; then
    log "using the running test bed in $TB_DIR"
else
    log "starting the test bed in $TB_DIR"
    "$TESTBED" start "$TB_DIR"
    started_bed=1
fi
stop_bed() {
    if [[ $started_bed -eq 1 && $keep_bed -eq 0 ]]; then
        log "stopping the test bed this run started"
        "$TESTBED" stop "$TB_DIR" || true
    fi
}
trap stop_bed EXIT

# ---- MailRecovery: build once (Release, .build/), so that no timed run includes a build
log "building MailRecovery (if stale)"
"$REPO/mailrecovery" --version >/dev/null
# bench.py runs .build/mailrecovery (Native AOT, or the .NET apphost) if it is there, else the DLL through dotnet
[[ -x "$REPO/.build/mailrecovery" && -f "$REPO/.build/mailrecovery" ]] || [[ -f "$REPO/.build/mailrecovery.dll" ]] \
    || die "neither $REPO/.build/mailrecovery nor $REPO/.build/mailrecovery.dll after the build"

export MAILRECOVERY_TESTBED="$TB_DIR" PYTHONDONTWRITEBYTECODE=1
rc=0
/usr/bin/python3 "$BENCH_DIR/bench.py" "${args[@]}" || rc=$?
exit $rc
