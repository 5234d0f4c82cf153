#!/usr/bin/env python3
"""Delivery latency of `mailrecovery watch`: SMTP acceptance -> durable archive file (issue 12).

Sends N messages at a steady rate through the bed's Postfix to a fresh account that a running
`mailrecovery watch` (IMAP IDLE, poll interval 60 s) archives, and reports p50/p99/max of the time from the
SMTP server's 250 after DATA to the message's file appearing in the archive's cur/ (files are renamed there
only after fsync, so presence there means durable). Not part of the test suite.

    MAILRECOVERY_TESTBED=/tmp/bed python3 bench/latency.py [--count 200] [--rate 10] [--cmd "dotnet path/mailrecovery.dll"]
"""
import argparse, os, secrets, shlex, smtplib, subprocess, sys, tempfile, threading, time
from email.message import EmailMessage

def env(bed):
    values = {}
    with open(os.path.join(bed, "env")) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            values[key] = value
    return values

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--rate", type=float, default=10.0, help="messages per second")
    ap.add_argument("--cmd", default="dotnet src/MailRecovery.Cli/bin/Release/net10.0/mailrecovery.dll")
    args = ap.parse_args()
    bed = os.environ.get("MAILRECOVERY_TESTBED", "/tmp/mailrecovery-testbed")
    e = env(bed)
    user = "lat" + secrets.token_hex(4)
    work = tempfile.mkdtemp(prefix="mr-latency-")
    archive = os.path.join(work, "archive")
    pw = os.path.join(work, "pw")
    with open(pw, "w") as f:
        f.write(e["PASSWORD"] + "\n")
    os.chmod(pw, 0o600)

    # Prime the account so that watch can log in and select INBOX, then start watch and let it settle into IDLE.
    smtp = smtplib.SMTP("127.0.0.1", int(e["SMTP_PORT"]))
    def send(subject, mid):
        m = EmailMessage()
        m["From"] = "customer@example.org"; m["To"] = f"{user}@example.test"
        m["Subject"] = subject; m["Message-ID"] = mid
        m.set_content("latency probe\n")
        smtp.send_message(m)
        return time.monotonic()
    send("prime", f"<prime.{user}@example.org>")
    time.sleep(1)
    cmd = shlex.split(args.cmd) + ["watch", "--archive", archive, "--source", f"imaps://{user}@127.0.0.1:{e['IMAPS_PORT']}",
        "--password-file", pw, "--ca-file", e["CA_FILE"], "--poll-seconds", "60"]
    watch = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cur = os.path.join(archive, "cur")
    seen = {}  # file name -> first time seen
    stop = threading.Event()
    def poll():
        while not stop.is_set():
            try:
                for name in os.listdir(cur):
                    if name not in seen:
                        seen[name] = time.monotonic()
            except FileNotFoundError:
                pass
            time.sleep(0.002)
    t = threading.Thread(target=poll, daemon=True); t.start()
    deadline = time.monotonic() + 30
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    if not seen:
        watch.kill(); sys.exit("watch archived nothing within 30 s: " + watch.stderr.read().decode(errors="replace")[-2000:])
    time.sleep(2)

    accepted = {}
    start = time.monotonic()
    for i in range(args.count):
        due = start + i / args.rate
        time.sleep(max(0, due - time.monotonic()))
        accepted[f"lat{i}.{user}@example.org"] = send(f"latency {i}", f"<lat{i}.{user}@example.org>")
    smtp.quit()
    deadline = time.monotonic() + 90
    while len(seen) < args.count + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set(); t.join()
    watch.terminate(); watch.wait(30)

    delays = []
    for name, at in seen.items():
        with open(os.path.join(cur, name), "rb") as f:
            head = f.read(65536).decode(errors="replace")
        for line in head.splitlines():
            if line.lower().startswith("message-id:"):
                mid = line.split(":", 1)[1].strip().strip("<>")
                if mid in accepted:
                    delays.append(at - accepted[mid])
                break
    missing = args.count - len(delays)
    delays.sort()
    def pct(p):
        return delays[min(len(delays) - 1, int(round(p / 100 * len(delays) + 0.5)) - 1)]
    print(f"{len(delays)} messages at {args.rate}/s, {missing} not archived within 90 s")
    if delays:
        print(f"SMTP acceptance -> durable archive file: p50 {pct(50)*1000:.0f} ms, p99 {pct(99)*1000:.0f} ms, max {delays[-1]*1000:.0f} ms")
    subprocess.run(["rm", "-rf", work])
    sys.exit(1 if missing else 0)

if __name__ == "__main__":
    main()
