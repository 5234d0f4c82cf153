#!/usr/bin/env bash
# Builds the Debian package of MailRecovery with stock Debian tools (dpkg-deb), no debhelper:
#
#   packaging/build-deb.sh [--from DIR] [--out DIR]
#
# --from DIR: an existing Native AOT publish directory (the executable `mailrecovery` and libe_sqlite3.so), e.g.
#   the .build/ of ./mailrecovery after a native build; default: that one when it is native, else a fresh
#   `dotnet publish -p:PublishAot=true`. --out DIR: where the .deb goes (default: packaging/out/).
# Prints the path of the .deb. The package holds:
#   /usr/lib/mailrecovery/      the executable and its SQLite library (/usr/bin/mailrecovery links there)
#   /lib/systemd/system/        contrib/systemd/*.service, *.timer (not enabled: they need a configuration)
#   /usr/share/doc/mailrecovery/ config.example.json and contrib/README.md (the set-up steps, key by key)
#   /usr/share/doc/mailrecovery/mailrecovery-rules.yml (Prometheus alert rules for watch --metrics, docs/monitoring.md)
#   /usr/share/man/man1/mailrecovery.1.gz   generated from the help texts of every verb
# and maintainer scripts that create the system user `mailrecovery` and /etc/mailrecovery.
set -euo pipefail
REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
FROM= OUT="$REPO/packaging/out"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --from) FROM="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        *) echo "build-deb: unknown argument $1 (use --from DIR, --out DIR)" >&2; exit 2 ;;
    esac
done
command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb is missing: apt-get install dpkg" >&2; exit 2; }

ARCH=$(dpkg --print-architecture)
case "$ARCH" in amd64) RID=linux-x64 ;; arm64) RID=linux-arm64 ;; *) echo "build-deb: no .NET runtime identifier for $ARCH" >&2; exit 2 ;; esac
WORK=$(mktemp -d /tmp/mailrecovery-deb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [[ -z "$FROM" && -x "$REPO/.build/mailrecovery" && "$(cat "$REPO/.build/.built" 2>/dev/null)" == native ]]; then
    "$REPO/mailrecovery" --version >/dev/null   # rebuilds .build/ first if a source is newer
    FROM="$REPO/.build"
fi
if [[ -z "$FROM" ]]; then
    echo "build-deb: publishing the native executable ..." >&2
    FROM="$WORK/publish"
    DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet publish "$REPO/src/MailRecovery.Cli" -c Release -r "$RID" \
        -p:PublishAot=true -o "$FROM" --nologo -v q >&2
fi
[[ -x "$FROM/mailrecovery" && -f "$FROM/libe_sqlite3.so" ]] \
    || { echo "build-deb: $FROM holds no native mailrecovery and libe_sqlite3.so" >&2; exit 2; }
# A JIT (ReadyToRun) build has mailrecovery.dll beside the launcher and needs the .NET runtime: not packaged.
[[ ! -f "$FROM/mailrecovery.dll" ]] || { echo "build-deb: $FROM is not a native (Native AOT) build" >&2; exit 2; }
EXE="$FROM/mailrecovery"

# 1.0.0+6f22713aaa... -> 1.0.0+g6f22713 (Debian versions sort the commit after the release it is based on)
informational=$("$EXE" --version)
VERSION="${informational%%+*}"
if [[ "$informational" == *+* ]]; then commit="${informational#*+}"; VERSION+="+g${commit:0:7}"; fi
# Reproducible dates: the last commit's, else now.
EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s)}

ROOT="$WORK/root"
install -d "$ROOT/DEBIAN" "$ROOT/usr/bin" "$ROOT/usr/lib/mailrecovery" "$ROOT/lib/systemd/system" \
    "$ROOT/usr/share/doc/mailrecovery" "$ROOT/usr/share/man/man1"
install -m 0755 "$EXE" "$ROOT/usr/lib/mailrecovery/mailrecovery"
install -m 0644 "$FROM/libe_sqlite3.so" "$ROOT/usr/lib/mailrecovery/libe_sqlite3.so"
# The executable finds libe_sqlite3.so beside its real path, so a link in /usr/bin is enough.
ln -s ../lib/mailrecovery/mailrecovery "$ROOT/usr/bin/mailrecovery"
install -m 0644 "$REPO"/contrib/systemd/*.service "$REPO"/contrib/systemd/*.timer "$ROOT/lib/systemd/system/"
install -m 0644 "$REPO/contrib/config.example.json" "$REPO/contrib/README.md" "$ROOT/usr/share/doc/mailrecovery/"
install -m 0644 "$REPO/contrib/prometheus/mailrecovery-rules.yml" "$ROOT/usr/share/doc/mailrecovery/"
cat > "$ROOT/usr/share/doc/mailrecovery/copyright" <<'TXT'
MailRecovery. See the project's repository for the license of the program and of the libraries it contains
(MailKit, MimeKit, Microsoft.Data.Sqlite, prometheus-net: MIT; SQLite: public domain).
TXT

# The man page: the help text of the tool and of every verb and sub-verb, verbatim, in a plain troff page.
troff_text() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/" -e 's/-/\\-/g'; }
verbs() { "$EXE" "$@" --help | awk '/^Commands:/ {c=1; next} c && /^  [a-z]/ {print $1} c && /^$/ {c=0}'; }
page_for() {
    printf '.SS "mailrecovery %s"\n.nf\n' "$*"
    "$EXE" "$@" --help | sed -e '/^Description:$/d' | troff_text
    printf '.fi\n'
    local v
    for v in $(verbs "$@"); do page_for "$@" "$v"; done
}
{
    printf '.TH MAILRECOVERY 1 "%s" "mailrecovery %s" "User Commands"\n' "$(date -u -d "@$EPOCH" +%Y-%m-%d)" "$VERSION"
    printf '.SH NAME\nmailrecovery \\- %s\n' "$("$EXE" --help | sed -n '2s/^ *//p' | troff_text)"
    printf '.SH SYNOPSIS\n.B mailrecovery\n\\fIcommand\\fR [\\fIoptions\\fR]\n'
    printf '.SH COMMANDS\n'
    for v in $(verbs); do page_for "$v"; done
    printf '.SH EXIT STATUS\n0 done; 1 something needs attention (per verb, see above); 2 a usage or configuration error, a refused\npassword or an untrusted certificate (a restart cannot fix it); 75 try again later.\n'
    printf '.SH FILES\n.TP\n/etc/mailrecovery/config.json\nThe configuration of the service (start from /usr/share/doc/mailrecovery/config.example.json).\n'
    printf '.TP\n/var/lib/mailrecovery/archive\nThe archive of the service (Maildir and index).\n'
    printf '.TP\n/lib/systemd/system/mailrecovery\\-watch.service\nThe service: systemctl enable \\-\\-now mailrecovery\\-watch\n'
    printf '.SH SEE ALSO\n.BR systemctl (1),\n.BR journalctl (1),\n/usr/share/doc/mailrecovery/README.md\n'
} > "$WORK/mailrecovery.1"
gzip -9n < "$WORK/mailrecovery.1" > "$ROOT/usr/share/man/man1/mailrecovery.1.gz"
chmod 0644 "$ROOT/usr/share/man/man1/mailrecovery.1.gz"

cat > "$ROOT/DEBIAN/control" <<TXT
Package: mailrecovery
Version: $VERSION
Architecture: $ARCH
Maintainer: ${DEB_MAINTAINER:-MailRecovery maintainers <root@localhost>}
Installed-Size: $(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
Depends: libc6, libssl3 | libssl3t64, adduser
Recommends: ca-certificates, tzdata
Section: mail
Priority: optional
Description: crash-safe copy of a shared mailbox, put back after a restore
 MailRecovery archives the mail account an alias fills beside a helpdesk's mailbox into a Maildir with a
 SQLite index, and after the helpdesk's data is restored from a backup replays the lost messages, exactly
 once. Ships the systemd units mailrecovery-watch.service, mailrecovery-verify.timer and
 mailrecovery-alert.timer (not enabled).
TXT

cat > "$ROOT/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    # The service's own user; its home is the archive (the units' StateDirectory), it has no login shell.
    if ! getent passwd mailrecovery >/dev/null; then
        adduser --system --group --home /var/lib/mailrecovery --no-create-home --quiet mailrecovery
    fi
    # Configuration and password files: readable by the service's group, not by others.
    install -d -m 0750 -o root -g mailrecovery /etc/mailrecovery
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
        # An upgrade restarts a running watch on the new executable; a fresh install starts nothing.
        if systemctl is-active --quiet mailrecovery-watch.service; then systemctl restart mailrecovery-watch.service || true; fi
    fi
fi
exit 0
SH
cat > "$ROOT/DEBIAN/prerm" <<'SH'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl disable --now mailrecovery-watch.service mailrecovery-verify.timer mailrecovery-alert.timer >/dev/null 2>&1 || true
fi
exit 0
SH
cat > "$ROOT/DEBIAN/postrm" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
fi
if [ "$1" = purge ]; then
    # The configuration (and its password files) goes with --purge. The archive /var/lib/mailrecovery and the
    # user who owns it stay: they are the safety copy, and deleting mail is never a package manager's call.
    rm -rf /etc/mailrecovery
fi
exit 0
SH
chmod 0755 "$ROOT/DEBIAN/postinst" "$ROOT/DEBIAN/prerm" "$ROOT/DEBIAN/postrm"
find "$ROOT" -exec touch -h -d "@$EPOCH" {} +

mkdir -p "$OUT"
DEB="$OUT/mailrecovery_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$ROOT" "$DEB" >/dev/null
echo "$DEB"
