#!/usr/bin/env bash
# Smoke test of the build users run: ./mailrecovery (native when a C toolchain is there). The xunit suite runs
# the managed build in-process; only this checks what the native build alone can get wrong (trimming, the JSON
# serializers generated at compile time, the embedded runtime options). Against the running test bed:
#
#   tests/native-smoke.sh            (run-tests.sh calls it after dotnet test, while the bed is up)
#
# Loads three messages into a fresh IMAP user, fetches them over IMAP and POP3 with --json, checks the counts,
# then archive verify, replay --dry-run and status with --json, and a usage error (exit 2, JSON error).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

BED="${MAILRECOVERY_TESTBED:-/tmp/mailrecovery-testbed}"
# shellcheck disable=SC1091
source "$BED/env"
WORK=$(mktemp -d /tmp/mailrecovery-smoke.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
USER_NAME="smoke$(date +%s%N)"
printf '%s\n' "$PASSWORD" > "$WORK/password"
chmod 600 "$WORK/password"

fail() { echo "native smoke: FAILED: $*" >&2; exit 1; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {'d': d}))" "$@"; }

./mailrecovery --version > "$WORK/version" 2>"$WORK/build.log" || { cat "$WORK/build.log" >&2; fail "the build or --version failed"; }
kind=$(cat .build/.built 2>/dev/null || echo unknown)

python3 - "$IMAP_PORT" "$USER_NAME" "$PASSWORD" <<'PY'
import imaplib, sys, time
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m = imaplib.IMAP4("127.0.0.1", port)
m.login(user, password)
for i in range(3):
    msg = ("From: a@example.org\r\nTo: %s@example.org\r\nSubject: smoke %d =?UTF-8?B?5pel5pys6Kqe?=\r\n"
           "Message-ID: <smoke%d.%s@example.org>\r\nDate: Thu, 26 Nov 2026 10:0%d:00 +0900\r\n\r\nbody %d\r\n") % (user, i, i, user, i, i)
    m.append("INBOX", None, imaplib.Time2Internaldate(time.time()), msg.encode())
m.logout()
PY

./mailrecovery fetch --archive "$WORK/a" --source "imap://$USER_NAME@127.0.0.1:$IMAP_PORT?tls=none" --insecure \
    --password-file "$WORK/password" --json > "$WORK/fetch.json" || fail "IMAP fetch exited $?"
[[ $(json "$WORK/fetch.json" "d['fetched']") == 3 ]] || fail "IMAP fetch: $(cat "$WORK/fetch.json")"
./mailrecovery fetch --archive "$WORK/b" --source "pop3://$USER_NAME@127.0.0.1:$POP3_PORT?tls=none" --insecure \
    --password-file "$WORK/password" --json > "$WORK/pop3.json" || fail "POP3 fetch exited $?"
[[ $(json "$WORK/pop3.json" "d['fetched']") == 3 ]] || fail "POP3 fetch: $(cat "$WORK/pop3.json")"
./mailrecovery archive verify --archive "$WORK/a" --json > "$WORK/verify.json" || fail "archive verify exited $?"
[[ $(json "$WORK/verify.json" "d['ok'] and d['checked']") == 3 ]] || fail "archive verify: $(cat "$WORK/verify.json")"
./mailrecovery replay --archive "$WORK/a" --since 2000-01-01T00:00Z --to "maildir:$WORK/restore" --dry-run --json \
    > "$WORK/replay.json" || fail "replay --dry-run exited $?"
[[ $(json "$WORK/replay.json" "d['selected']") == 3 ]] || fail "replay --dry-run: $(cat "$WORK/replay.json")"
./mailrecovery status --archive "$WORK/a" --json > "$WORK/status.json" || [[ $? == 1 ]] || fail "status exited $?"
[[ $(json "$WORK/status.json" "d['messages']") == 3 ]] || fail "status: $(cat "$WORK/status.json")"
rc=0
./mailrecovery status --archive "$WORK/none" --json > "$WORK/error.json" 2>/dev/null || rc=$?
[[ $rc == 2 && $(json "$WORK/error.json" "d['error']['kind']") == Usage ]] || fail "usage error: exit $rc, $(cat "$WORK/error.json")"

echo "native smoke: ok ($kind build, $(cat "$WORK/version"))"
