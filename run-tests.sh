#!/usr/bin/env bash
# Runs every test of MailRecovery (unit tests and the integration tests against a real Dovecot + Postfix).
#
#   ./run-tests.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Pop3]
#
# As root on Debian/Ubuntu with the .NET 10 SDK: installs the test bed's packages (apt, first time only),
# starts the bed on 127.0.0.1 high ports in ${MAILRECOVERY_TESTBED:-/tmp/mailrecovery-testbed}, runs
# `dotnet test`, then tests/native-smoke.sh (the ./mailrecovery build, end to end) and tests/deb-smoke.sh (the
# .deb built, installed, checked and purged), both only without extra arguments; stops the bed, and prints
# one line "N passed, N failed". Exits non-zero when either failed.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MAILRECOVERY_TESTBED="${MAILRECOVERY_TESTBED:-/tmp/mailrecovery-testbed}"

die() { echo "run-tests: $*" >&2; exit 2; }

command -v dotnet >/dev/null 2>&1 \
    || die "'dotnet' was not found: install the .NET 10 SDK (https://learn.microsoft.com/dotnet/core/install/linux), then run ./run-tests.sh again."
dotnet --list-sdks 2>/dev/null | grep -q '^10\.' \
    || die "the .NET 10 SDK is not installed (found: $(dotnet --list-sdks 2>/dev/null | cut -d' ' -f1 | tr '\n' ' ')): install the .NET 10 SDK."
[[ $(id -u) -eq 0 ]] \
    || die "run as root: the tests start a private Dovecot and Postfix (and install them with apt the first time)."

testbed/testbed.sh install
# The native build of ./mailrecovery (checked by tests/native-smoke.sh) links with gcc and zlib.
if [[ ! -f /usr/include/zlib.h ]] || ! command -v gcc >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev zlib1g-dev >/dev/null \
        || echo "run-tests: could not install gcc and zlib1g-dev; ./mailrecovery will use the .NET runtime build" >&2
fi
# The power-cut tests build tests/powercut/strictfs.c, a FUSE file system that keeps only what was fsynced.
if [[ ! -f /usr/include/fuse3/fuse.h ]] || ! command -v fusermount3 >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev libfuse3-dev fuse3 pkg-config >/dev/null \
        || echo "run-tests: could not install libfuse3-dev and fuse3; the power-cut tests will fail" >&2
fi
# The metrics tests parse watch's /metrics and check contrib/prometheus/'s alert rules with promtool (package
# prometheus; its service is not started in a container without systemd, and the tests never need it).
if ! command -v promtool >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
        || echo "run-tests: could not install prometheus (promtool); the metrics tests will fail" >&2
fi
trap 'testbed/testbed.sh stop "$MAILRECOVERY_TESTBED" >/dev/null 2>&1 || true' EXIT
testbed/testbed.sh start "$MAILRECOVERY_TESTBED"

TRX=TestResults/results.trx
rm -f "$TRX"
rc=0
dotnet test MailRecovery.sln -c Release \
    --logger "console;verbosity=normal" \
    --logger "trx;LogFileName=results.trx" --results-directory TestResults \
    "$@" || rc=$?

# The build users run (./mailrecovery: native when gcc or clang is there), end to end against the same bed.
smoke=0 deb=0
if [[ $# -eq 0 ]]; then
    tests/native-smoke.sh || smoke=$?
    (( smoke == 0 )) || rc=1
    # The package an admin installs, from the native build the smoke test has just made (no second publish).
    tests/deb-smoke.sh || deb=$?
    (( deb == 0 )) || rc=1
fi

# One plain line from the TRX counters (skipped xunit tests are "notExecuted" there).
counter() { grep -o '<Counters [^>]*>' "$TRX" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
if [[ -f "$TRX" ]]; then
    passed=$(counter passed)
    failed=$(( $(counter failed) + $(counter error) + $(counter timeout) + $(counter aborted) ))
    skipped=$(counter notExecuted)
    (( smoke == 0 )) || failed=$(( failed + 1 ))   # the native smoke test counts as one test
    (( deb == 0 )) || failed=$(( failed + 1 ))     # so does the package test
    line="$passed passed, $failed failed"
    (( skipped > 0 )) && line+=", $skipped skipped"
    echo "$line"
else
    echo "no test results: the build or the test run failed before any test ran (see above)"
fi
exit "$rc"
