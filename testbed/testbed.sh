#!/usr/bin/env bash
# Real mail test bed for MailRecovery: a private Dovecot (IMAP/POP3/LMTP) and a
# private Postfix (SMTP -> virtual alias -> LMTP) on fixed 127.0.0.1 ports.
# Configs are rendered from the templates in fixtures/ (also used by docker-compose.yml).
#
# Usage: testbed.sh install
#        testbed.sh start [DIR] | stop [DIR] | status [DIR] | restart-dovecot [DIR]
#        testbed.sh set-alias both|primary-only|copy-only [DIR]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
FIXTURES="$REPO_DIR/fixtures"
DEFAULT_DIR="${MAILRECOVERY_TESTBED:-/tmp/mailrecovery-testbed}"

# Ports: the defaults below, or seven consecutive ones from MAILRECOVERY_TESTBED_PORT_BASE (IMAP, IMAPS, POP3,
# POP3S, LMTP, SMTP, SMTP submission with AUTH in that order), so that two beds (two checkouts, a CI run beside a session) can share a
# machine with different DIRs. A running bed's ports are read back from DIR/env by stop/status/restart.
if [[ -n "${MAILRECOVERY_TESTBED_PORT_BASE:-}" ]]; then
    [[ "$MAILRECOVERY_TESTBED_PORT_BASE" =~ ^[0-9]+$ ]] && (( MAILRECOVERY_TESTBED_PORT_BASE > 1024 && MAILRECOVERY_TESTBED_PORT_BASE < 65530 )) \
        || { echo "testbed: ERROR: MAILRECOVERY_TESTBED_PORT_BASE must be a port number between 1025 and 65529" >&2; exit 1; }
    b=$MAILRECOVERY_TESTBED_PORT_BASE
    IMAP_PORT=$b IMAPS_PORT=$((b + 1)) POP3_PORT=$((b + 2)) POP3S_PORT=$((b + 3)) LMTP_PORT=$((b + 4)) SMTP_PORT=$((b + 5))
    SUBMISSION_PORT=$((b + 6))
else
    IMAP_PORT=10143 IMAPS_PORT=10993 POP3_PORT=10110 POP3S_PORT=10995 LMTP_PORT=10024 SMTP_PORT=10025
    SUBMISSION_PORT=10587
fi
# What the bed's oauth2 passdb wants in a token (fixtures/dovecot/dovecot-oauth2.conf.ext): this audience in
# "aud", this issuer in "iss", this scope in "scope"; signed RS256 with DIR/oauth/signing-key.pem, kid below.
OAUTH_AUDIENCE=https://mail.example.test
OAUTH_ISSUER=https://login.example.test/bed/v2.0
OAUTH_SCOPE=mail.access
OAUTH_KEY_ID=bed
PASSWORD=secret
READY_TIMEOUT=20

PACKAGES=(dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix openssl swaks)

log() { echo "testbed: $*" >&2; }
die() { echo "testbed: ERROR: $*" >&2; exit 1; }

need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (dovecot/postfix master processes need it)"; }

# ---------------------------------------------------------------- install
cmd_install() {
    need_root
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "all packages already installed"
        return 0
    fi
    log "installing: ${missing[*]}"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# ---------------------------------------------------------------- helpers
ports_of() { # dir: use the ports a running bed in DIR was started with
    local f="$1/env" k v
    [[ -f "$f" ]] || return 0
    while IFS='=' read -r k v; do
        case "$k" in IMAP_PORT|IMAPS_PORT|POP3_PORT|POP3S_PORT|LMTP_PORT|SMTP_PORT|SUBMISSION_PORT) printf -v "$k" '%s' "$v" ;; esac
    done <"$f"
}

resolve_dir() {
    local d="${1:-$DEFAULT_DIR}"
    [[ -n "$d" && "$d" != "/" ]] || die "refusing to use DIR='$d'"
    case "$d" in /*) ;; *) d="$PWD/$d" ;; esac
    # strip trailing slashes
    while [[ "$d" == */ && "$d" != "/" ]]; do d="${d%/}"; done
    echo "$d"
}

port_open() { # port -> 0 if something listens on 127.0.0.1:port
    # A listening socket accepts connections (the kernel queues them until a
    # process takes them). Checking with ss rather than connecting keeps probe
    # sessions out of the logs and out of Dovecot's login processes, which
    # otherwise linger and slow down the next stop.
    if command -v ss >/dev/null 2>&1; then
        ss -ltnH "src 127.0.0.1:$1" 2>/dev/null | grep -q LISTEN && return 0
        ss -ltnH "sport = :$1" 2>/dev/null | grep -q LISTEN
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

wait_ports() { # timeout port...
    local timeout=$1; shift
    local deadline=$((SECONDS + timeout)) p pending
    while :; do
        pending=()
        for p in "$@"; do port_open "$p" || pending+=("$p"); done
        [[ ${#pending[@]} -eq 0 ]] && return 0
        if (( SECONDS >= deadline )); then
            echo "${pending[*]}"
            return 1
        fi
        sleep 0.05
    done
}

dump_logs() {
    local dir=$1 f
    for f in "$dir"/log/dovecot.log "$dir"/log/dovecot.stdio.log "$dir"/log/postfix.log "$dir"/log/postfix.stdio.log; do
        [[ -s "$f" ]] || continue
        echo "---- tail $f" >&2
        tail -n 25 "$f" >&2
    done
}

dovecot_pid() { # prints pid of this instance's dovecot master if running
    local dir=$1 pid
    [[ -f "$dir/run/dovecot/master.pid" ]] || return 1
    pid=$(<"$dir/run/dovecot/master.pid")
    [[ -n "$pid" ]] && alive "$pid" || return 1
    # make sure the pid really is a dovecot master for this config
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "dovecot.*$dir/dovecot.conf" || return 1
    echo "$pid"
}

postfix_pid() {
    local dir=$1 pid
    [[ -f "$dir/spool/pid/master.pid" ]] || return 1
    pid=$(tr -d ' \n' <"$dir/spool/pid/master.pid")
    [[ -n "$pid" ]] && alive "$pid" || return 1
    grep -q master "/proc/$pid/comm" 2>/dev/null || return 1
    echo "$pid"
}

alive() { # pid exists and is not a zombie (PID 1 here may be slow to reap orphans)
    kill -0 "$1" 2>/dev/null || return 1
    local st
    st=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ "${st:0:1}" != Z ]]
}

wait_gone() { # timeout_seconds pid
    local deadline end
    deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 ))
    while alive "$2"; do
        end=$(( $(date +%s%N) / 1000000 ))
        (( end < deadline )) || return 1
        sleep 0.02
    done
}

render() { # template dest dir
    sed -e "s|@DIR@|$3|g" \
        -e "s|@PORT_IMAP@|$IMAP_PORT|g" \
        -e "s|@PORT_IMAPS@|$IMAPS_PORT|g" \
        -e "s|@PORT_POP3@|$POP3_PORT|g" \
        -e "s|@PORT_POP3S@|$POP3S_PORT|g" \
        -e "s|@PORT_LMTP@|$LMTP_PORT|g" \
        -e "s|@PORT_SMTP@|$SMTP_PORT|g" \
        -e "s|@PORT_SUBMISSION@|$SUBMISSION_PORT|g" \
        -e "s|@OAUTH_AUDIENCE@|$OAUTH_AUDIENCE|g" \
        -e "s|@OAUTH_ISSUER@|$OAUTH_ISSUER|g" \
        -e "s|@OAUTH_SCOPE@|$OAUTH_SCOPE|g" \
        -e "s|@LMTP_HOST@|127.0.0.1|g" \
        -e "s|@LISTEN@|127.0.0.1|g" \
        -e "s|@INET_INTERFACES@|127.0.0.1|g" \
        "$1" >"$2"
    if grep -q '@[A-Z_]*@' "$2"; then
        die "unsubstituted placeholder in $2: $(grep -o '@[A-Z_]*@' "$2" | sort -u | tr '\n' ' ')"
    fi
}

age_file() { touch -d '-10 seconds' "$@"; }

# The canonical alias; MODE selects which targets it expands to.
write_alias_map() { # dir mode
    local dir=$1 mode=$2 targets
    case "$mode" in
        both)         targets="helpdesk@example.test, safety@example.test" ;;
        primary-only) targets="helpdesk@example.test" ;;
        copy-only)    targets="safety@example.test" ;;
        *) die "unknown alias mode '$mode' (both|primary-only|copy-only)" ;;
    esac
    local tmp="$dir/etc/virtual_alias.tmp"
    sed -e "s|^support@example\.test[[:space:]].*|support@example.test $targets|" \
        "$FIXTURES/postfix/virtual_alias" >"$tmp"
    grep -q "^support@example.test $targets\$" "$tmp" || die "virtual_alias template has no support@example.test line"
    age_file "$tmp"
    mv -f "$tmp" "$dir/etc/virtual_alias"
    echo "$mode" >"$dir/etc/alias_mode"
}

# ---------------------------------------------------------------- dovecot
start_dovecot() {
    local dir=$1
    : >"$dir/log/dovecot.stdio.log"
    dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/log/dovecot.stdio.log" 2>&1 \
        || { dump_logs "$dir"; die "dovecot failed to start"; }
}

stop_dovecot() {
    local dir=$1 pid kids c
    pid=$(dovecot_pid "$dir") || return 0
    kids=$(child_pids "$pid")
    kill -TERM "$pid" 2>/dev/null || true      # what `doveadm stop` does, without parsing the config
    # A graceful stop takes ~1.1 s; login processes of clients that were still
    # connected can keep the master (and its listening sockets) alive for several
    # seconds more. The instance is disposable: after 2 s, kill what is left of
    # it, by pid (children of this master only).
    if ! wait_gone 2 "$pid"; then
        kids="$kids $(child_pids "$pid")"
        for c in $kids; do is_dovecot_child "$c" && kill -KILL "$c" 2>/dev/null || true; done
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone 5 "$pid" || die "dovecot master ($pid) would not die"
    fi
    # the master is gone: whatever of its children is left is an orphan; end it now
    for c in $kids; do is_dovecot_child "$c" && kill -KILL "$c" 2>/dev/null || true; done
    for c in $kids; do wait_gone 2 "$c" || true; done
}

child_pids() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' | tr '\n' ' '; }

is_dovecot_child() { # pid still alive and a dovecot process (guards against pid reuse)
    alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q '^dovecot/'
}

# ---------------------------------------------------------------- postfix
start_postfix() {
    local dir=$1
    : >"$dir/log/postfix.stdio.log"
    if ! postfix -c "$dir/etc" start </dev/null >>"$dir/log/postfix.stdio.log" 2>&1; then
        # postfix prints its reasons only to a terminal: ask again through script(1)
        if command -v script >/dev/null 2>&1; then
            script -qec "postfix -c '$dir/etc' check" /dev/null </dev/null >>"$dir/log/postfix.stdio.log" 2>&1 || true
        fi
        dump_logs "$dir"
        die "postfix failed to start"
    fi
}

stop_postfix() {
    local dir=$1 pid kids c
    pid=$(postfix_pid "$dir") || return 0
    kids=$(child_pids "$pid")
    postfix -c "$dir/etc" stop </dev/null >>"$dir/log/postfix.stdio.log" 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone 10 "$pid"; then
        log "postfix master ($pid) did not exit; killing"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone 5 "$pid" || die "postfix master ($pid) would not die"
    fi
    # the master's children exit when they notice it is gone
    for c in $kids; do
        if ! wait_gone 3 "$c"; then kill -KILL "$c" 2>/dev/null || true; wait_gone 2 "$c" || true; fi
    done
}

# ---------------------------------------------------------------- commands
cmd_stop() {
    need_root
    local dir; dir=$(resolve_dir "${1:-}")
    [[ -d "$dir" ]] || return 0
    # stop both in parallel: dovecot takes a few seconds after TERM
    stop_postfix "$dir" &
    local pf=$!
    stop_dovecot "$dir"
    wait "$pf"
    # DIR/env exists only while the test bed runs (tests may use it to decide to skip)
    rm -f "$dir/env"
}

cmd_start() {
    need_root
    local dir; dir=$(resolve_dir "${1:-}")
    command -v dovecot >/dev/null && command -v postfix >/dev/null \
        || die "dovecot/postfix not installed: run '$0 install' first"

    cmd_stop "$dir"

    # An instance in another DIR (or anything else) holding one of our ports would
    # make the readiness check lie: choose others with MAILRECOVERY_TESTBED_PORT_BASE.
    local port busy=()
    for port in "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" "$LMTP_PORT" "$SMTP_PORT" "$SUBMISSION_PORT"; do
        port_open "$port" && busy+=("$port")
    done
    if [[ ${#busy[@]} -gt 0 ]]; then
        ss -ltnp 2>/dev/null | grep -E ":($(IFS='|'; echo "${busy[*]}"))\b" >&2 || true
        die "port(s) ${busy[*]} already in use on 127.0.0.1 (a test bed running in another DIR? '$0 stop OTHER_DIR', or set MAILRECOVERY_TESTBED_PORT_BASE to use seven other ports)"
    fi

    # Refuse to wipe something that does not look like a test bed.
    if [[ -e "$dir" && ! -f "$dir/.mailrecovery-testbed" ]] && [[ -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
        die "$dir exists, is not empty and is not a test bed; refusing to wipe it"
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    # every directory on the path must be traversable by mail, dovecot, dovenull, postfix
    local p="$dir"
    while [[ "$p" != "/" && -n "$p" ]]; do chmod a+rx "$p" 2>/dev/null || true; p=$(dirname "$p"); done
    chmod 0755 "$dir"
    touch "$dir/.mailrecovery-testbed"

    mkdir -p "$dir"/{etc,log,tls,run,home,state,spool,data}
    chmod 0755 "$dir"/{etc,log,tls,run,home,state,spool}
    chown mail:mail "$dir/home"
    chown postfix:postfix "$dir/data"
    chown root:root "$dir/spool"

    # self-signed EC certificate
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" -days 30 \
        -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        >/dev/null 2>&1 || die "openssl could not create the certificate"
    chmod 0644 "$dir/tls/cert.pem"; chmod 0600 "$dir/tls/key.pem"

    # OAuth2: the key the tests' stand-in identity provider signs access tokens with (RS256, as Microsoft's and
    # Google's are), and its public half where Dovecot's local JWT validation looks it up (<azp>/<ALG>/<kid>).
    mkdir -p "$dir/oauth/keys/default/RS256"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/oauth/signing-key.pem" >/dev/null 2>&1 \
        || die "openssl could not create the OAuth2 signing key"
    openssl pkey -in "$dir/oauth/signing-key.pem" -pubout -out "$dir/oauth/keys/default/RS256/$OAUTH_KEY_ID" >/dev/null 2>&1 \
        || die "openssl could not write the OAuth2 public key"
    chmod 0600 "$dir/oauth/signing-key.pem"; chmod -R a+rX "$dir/oauth/keys"

    # configs
    render "$FIXTURES/dovecot/dovecot.conf" "$dir/dovecot.conf" "$dir"
    render "$FIXTURES/dovecot/dovecot-oauth2.conf.ext" "$dir/dovecot-oauth2.conf.ext" "$dir"
    render "$FIXTURES/postfix/main.cf" "$dir/etc/main.cf" "$dir"
    render "$FIXTURES/postfix/master.cf" "$dir/etc/master.cf" "$dir"
    render "$FIXTURES/postfix/virtual_alias_regexp" "$dir/etc/virtual_alias_regexp" "$dir"
    render "$FIXTURES/postfix/recipient_access" "$dir/etc/recipient_access" "$dir"
    write_alias_map "$dir" both
    age_file "$dir"/etc/* "$dir/dovecot.conf" "$dir/dovecot-oauth2.conf.ext"

    # on any failure below, stop whatever did start
    trap 'cmd_stop "$dir" >/dev/null 2>&1 || true' EXIT
    start_dovecot "$dir"
    start_postfix "$dir"

    local pending
    if ! pending=$(wait_ports "$READY_TIMEOUT" "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" "$LMTP_PORT" "$SMTP_PORT" "$SUBMISSION_PORT"); then
        dump_logs "$dir"
        die "ports not accepting connections after ${READY_TIMEOUT}s: $pending (logs above, dir $dir)"
    fi
    [[ -S "$dir/run/lmtp" ]] || { dump_logs "$dir"; die "LMTP socket $dir/run/lmtp missing"; }
    dovecot_pid "$dir" >/dev/null || { dump_logs "$dir"; die "dovecot exited right after start"; }
    postfix_pid "$dir" >/dev/null || { dump_logs "$dir"; die "postfix exited right after start"; }

    cat >"$dir/env" <<ENV
TESTBED_DIR=$dir
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
POP3_PORT=$POP3_PORT
POP3S_PORT=$POP3S_PORT
LMTP_PORT=$LMTP_PORT
LMTP_SOCKET=$dir/run/lmtp
SMTP_PORT=$SMTP_PORT
SUBMISSION_PORT=$SUBMISSION_PORT
OAUTH_SIGNING_KEY=$dir/oauth/signing-key.pem
OAUTH_KEY_ID=$OAUTH_KEY_ID
OAUTH_AUDIENCE=$OAUTH_AUDIENCE
OAUTH_ISSUER=$OAUTH_ISSUER
OAUTH_SCOPE=$OAUTH_SCOPE
CA_FILE=$dir/tls/cert.pem
DOVECOT_CONF=$dir/dovecot.conf
PASSWORD=$PASSWORD
HOME_ROOT=$dir/home
ENV
    chmod 0644 "$dir/env"
    trap - EXIT
    log "started in $dir (env: $dir/env)"
}

cmd_status() {
    local dir; dir=$(resolve_dir "${1:-}")
    ports_of "$dir"
    local rc=0 pid p
    if pid=$(dovecot_pid "$dir"); then echo "dovecot: running (pid $pid)"; else echo "dovecot: stopped"; rc=1; fi
    if pid=$(postfix_pid "$dir"); then echo "postfix: running (pid $pid)"; else echo "postfix: stopped"; rc=1; fi
    for p in "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" "$LMTP_PORT" "$SMTP_PORT" "$SUBMISSION_PORT"; do
        if port_open "$p"; then echo "port $p: open"; else echo "port $p: closed"; rc=1; fi
    done
    [[ -f "$dir/etc/alias_mode" ]] && echo "alias mode: $(<"$dir/etc/alias_mode")"
    [[ -f "$dir/env" ]] && echo "env: $dir/env"
    return $rc
}

cmd_restart_dovecot() {
    need_root
    local dir; dir=$(resolve_dir "${1:-}")
    [[ -f "$dir/dovecot.conf" ]] || die "no test bed in $dir (run start first)"
    ports_of "$dir"
    stop_dovecot "$dir"
    start_dovecot "$dir"
    local pending
    if ! pending=$(wait_ports "$READY_TIMEOUT" "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" "$LMTP_PORT"); then
        dump_logs "$dir"
        die "dovecot ports not accepting connections after ${READY_TIMEOUT}s: $pending"
    fi
    log "dovecot restarted"
}

cmd_set_alias() {
    need_root
    local mode=${1:-both}
    local dir; dir=$(resolve_dir "${2:-}")
    [[ -f "$dir/etc/main.cf" ]] || die "no test bed in $dir (run start first)"
    postfix_pid "$dir" >/dev/null || die "postfix is not running in $dir"
    ports_of "$dir"
    write_alias_map "$dir" "$mode"
    local want
    want=$(grep '^support@example.test ' "$dir/etc/virtual_alias" | sed 's/^support@example.test //')
    # texthash maps are read when a process starts; virtual aliases are expanded
    # by cleanup(8). Reload makes the master end its children (they exit within
    # milliseconds when idle); the new alias is in force once every pre-reload
    # child is gone. smtpd is not waited for: a client may hold a session open,
    # and each new message goes through a fresh cleanup anyway.
    local mpid old c got
    mpid=$(postfix_pid "$dir")
    old=$(for c in $(child_pids "$mpid"); do [[ "$(cat "/proc/$c/comm" 2>/dev/null)" == smtpd ]] || echo "$c"; done)
    postfix -c "$dir/etc" reload </dev/null >>"$dir/log/postfix.stdio.log" 2>&1 || { dump_logs "$dir"; die "postfix reload failed"; }
    for c in $old; do wait_gone 10 "$c" || die "postfix process $c did not exit after reload"; done
    got=$(postmap -c "$dir/etc" -q support@example.test "texthash:$dir/etc/virtual_alias" 2>/dev/null || true)
    [[ "$got" == "$want" ]] || die "alias map not in force (got '$got', want '$want')"
    wait_ports 10 "$SMTP_PORT" >/dev/null || die "postfix smtpd not listening after reload"
    log "alias mode $mode: support@example.test -> $want"
}

main() {
    local cmd=${1:-}
    shift || true
    case "$cmd" in
        install) cmd_install "$@" ;;
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        status) cmd_status "$@" ;;
        restart-dovecot) cmd_restart_dovecot "$@" ;;
        set-alias) cmd_set_alias "$@" ;;
        *) echo "usage: $0 install | start [DIR] | stop [DIR] | status [DIR] | restart-dovecot [DIR] | set-alias both|primary-only|copy-only [DIR]" >&2; exit 2 ;;
    esac
}

main "$@"
