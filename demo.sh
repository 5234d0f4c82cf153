#!/usr/bin/env bash
# A local demo of MailRecovery, end to end, on a real Dovecot + Postfix bound to 127.0.0.1 high ports:
#   1. installs (apt, first time only) and starts the test bed;
#   2. sends five messages to support@example.test, which the bed's Postfix alias delivers to both
#      "helpdesk" (what the helpdesk pulls) and "safety" (the copy account);
#   3. fetches the copy account into an archive, twice (the second run stores nothing new);
#   4. verifies the archive and shows it.
# Run as root on Debian/Ubuntu with the .NET 10 SDK. The bed keeps running afterwards so you can
# experiment; the last lines say how to stop it.
#
# Environment: MAILRECOVERY_DEMO (default /tmp/mailrecovery-demo): the demo's own directory, wiped on each run;
#              MAILRECOVERY_TESTBED (default /tmp/mailrecovery-testbed): where the bed lives.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"

DEMO="${MAILRECOVERY_DEMO:-/tmp/mailrecovery-demo}"
BED="${MAILRECOVERY_TESTBED:-/tmp/mailrecovery-testbed}"
export MAILRECOVERY_TESTBED="$BED"
SMTP=127.0.0.1:10025
LMTP=127.0.0.1:10024
IMAPS_PORT=10993
COUNT=5

say() { printf '\n== %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 2; }

[[ $(id -u) -eq 0 ]] || die "run as root: the demo starts a private Dovecot and Postfix (and installs them with apt the first time)."
command -v dotnet >/dev/null 2>&1 || die "'dotnet' was not found: install the .NET 10 SDK, then run ./demo.sh again."

say "Starting the mail test bed (Dovecot + Postfix on 127.0.0.1) in $BED"
testbed/testbed.sh install
testbed/testbed.sh start "$BED"
PASSWORD=$(sed -n 's/^PASSWORD=//p' "$BED/env")

# The demo directory is ours alone: refuse to wipe anything else.
if [[ -e "$DEMO" && ! -f "$DEMO/.mailrecovery-demo" && -n "$(ls -A "$DEMO" 2>/dev/null)" ]]; then
    die "$DEMO exists and was not made by this demo; set MAILRECOVERY_DEMO to another directory."
fi
rm -rf "$DEMO"
mkdir -p "$DEMO/mail"
touch "$DEMO/.mailrecovery-demo"

say "Sending $COUNT messages to support@example.test (the alias: helpdesk + safety)"
b64() { printf '%s' "$1" | base64 -w0; }
send() { swaks --server "$SMTP" --from "$1" --to support@example.test --silent 2 "${@:2}" >/dev/null \
    || die "sending failed (Postfix log: $BED/log/postfix.log)"; }

send alice@customer.example --h-From '"Alice Martin" <alice@customer.example>' \
    --h-Subject "Printer on floor 3 is offline" \
    --body $'Hello,\n\nthe printer on floor 3 has been offline since this morning.\n\nAlice\n'
send kenji@customer.example --h-From "=?UTF-8?B?$(b64 '山田 健二')?= <kenji@customer.example>" \
    --h-Subject "=?UTF-8?B?$(b64 'ログインできません（至急）')?=" \
    --add-header 'MIME-Version: 1.0' --add-header 'Content-Type: text/plain; charset=UTF-8' \
    --add-header 'Content-Transfer-Encoding: 8bit' \
    --body $'お世話になっております。\nパスワードを変更してからログインできません。\n山田\n'
printf 'date,item,amount\n2026-11-20,Laptop dock,189.00\n2026-11-21,USB-C cable,12.50\n' >"$DEMO/mail/invoice-2026-11.csv"
send billing@supplier.example --h-Subject "Invoice 2026-11 attached" \
    --body $'Please find the invoice for November attached.\n' \
    --attach-type text/csv --attach @"$DEMO/mail/invoice-2026-11.csv"
send bob@customer.example --h-Subject "Re: Printer on floor 3 is offline" \
    --body $'Same here on floor 2.\n\nBob\n'

# Postfix adds a Message-ID to mail submitted from 127.0.0.1, so the message without one is handed to
# Dovecot's LMTP for both mailboxes directly, as a mail server that does not add one would.
printf 'From: monitor@ops.example\r\nTo: support@example.test\r\nSubject: Nightly job report (no Message-ID)\r\nDate: %s\r\n\r\nAll 14 jobs finished.\r\n' \
    "$(LC_ALL=C date -R)" >"$DEMO/mail/no-message-id.eml"
swaks --protocol LMTP --server "$LMTP" --from monitor@ops.example \
    --to helpdesk@example.test,safety@example.test --data @"$DEMO/mail/no-message-id.eml" --silent 2 >/dev/null \
    || die "LMTP delivery failed (Dovecot log: $BED/log/dovecot.log)"

count() { { find "$BED/home/$1/Maildir/new" "$BED/home/$1/Maildir/cur" -type f 2>/dev/null || true; } | wc -l; }
deadline=$((SECONDS + 30))
until (( $(count helpdesk) >= COUNT && $(count safety) >= COUNT )); do
    (( SECONDS < deadline )) || die "after 30 s helpdesk has $(count helpdesk) and safety $(count safety) of $COUNT messages (logs in $BED/log)"
    sleep 0.2
done
echo "delivered: helpdesk has $(count helpdesk) messages, safety has $(count safety)"

# The password lives in a file (0600), never on the command line.
( umask 077; printf '%s\n' "$PASSWORD" >"$DEMO/safety.password" )

FETCH=(./mailrecovery fetch --archive "$DEMO/archive" --source "imaps://safety@127.0.0.1:$IMAPS_PORT"
       --password-file "$DEMO/safety.password" --ca-file "$BED/tls/cert.pem")

say "Fetching the copy account into $DEMO/archive"
echo "\$ ${FETCH[*]}"
"${FETCH[@]}"

say "Fetching again: nothing is stored twice"
"${FETCH[@]}"

say "Verifying the archive (every file against its index row and SHA-256)"
./mailrecovery archive verify --archive "$DEMO/archive"

say "The archive: a plain Maildir, one file per message, byte-exact, mtime = time received"
ls -l "$DEMO/archive/cur"

if command -v sqlite3 >/dev/null 2>&1; then
    say "A few rows of the index ($DEMO/archive/mailrecovery/index.sqlite)"
    sqlite3 -header -column "$DEMO/archive/mailrecovery/index.sqlite" \
        "SELECT strftime('%Y-%m-%d %H:%M:%S', received_utc / 1000, 'unixepoch') AS received_utc,
                received_source, coalesce(message_id, '(none)') AS message_id, from_addr, subject
           FROM messages ORDER BY received_utc, file;"
fi

stop="testbed/testbed.sh stop"
[[ "$BED" == /tmp/mailrecovery-testbed ]] || stop+=" $BED"
echo "
The server copy is untouched (policy keep): safety still has $(count safety) messages.
Open the archive with any Maildir reader:  mutt -f $DEMO/archive
Stop the test bed with:                    $stop"
