#!/usr/bin/env python3
"""Fleet scenario (issue 15): many accounts in one `mailrecovery watch` process.

1. Creates N accounts on the bed (Dovecot makes a user on first delivery) and delivers one message to each, so
   that watch's first pass has something to archive and every INBOX exists.
2. Starts one `watch` with a configuration of N IMAP accounts (IDLE) and waits until every first message is
   archived and the process settled.
3. Idle: samples RSS, threads and CPU time of the watch process over --idle-seconds (default 60).
4. Burst: delivers one message to each account over LMTP (several connections, one transaction per recipient,
   as fast as Dovecot takes them), and records for each message the time from LMTP's 250 for its recipient to
   its file appearing in the archive's cur/ (files are renamed there only after their fsync, and cur/ is fsynced
   before the index commit: presence there means durable).

Prints a human summary and, with --json FILE, the numbers for bench/report.py. Not part of the test suite.

    MAILRECOVERY_TESTBED=/tmp/bed python3 bench/fleet.py [--fleet 1000] [--idle-seconds 60] [--cmd "..."]
"""
import argparse, json, os, secrets, shlex, smtplib, subprocess, sys, tempfile, threading, time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def env(bed):
    values = {}
    with open(os.path.join(bed, "env")) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            values[key] = value
    return values


def proc_sample(pid):
    """(rss_kb, threads, cpu_seconds) of a process."""
    rss = threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    return rss, threads, cpu


def connections(pid, port):
    """Established TCP connections of the process to the bed's IMAP port."""
    out = subprocess.run(["ss", "-tnpH", "state", "established", f"dport = :{port}"], capture_output=True, text=True).stdout
    return sum(1 for line in out.splitlines() if f"pid={pid}," in line)


def deliver(lmtp_port, jobs, accepted, workers):
    """Delivers (user, message-id, subject) jobs over `workers` LMTP connections; records each 250's time."""
    lock = threading.Lock()
    queue = list(jobs)

    def work():
        lmtp = smtplib.LMTP("127.0.0.1", lmtp_port)
        lmtp.ehlo("fleet.bench")  # smtplib.LMTP sends LHLO
        while True:
            with lock:
                if not queue:
                    break
                user, mid, subject = queue.pop(0)
            msg = (f"From: customer@example.org\r\nTo: {user}@example.test\r\nSubject: {subject}\r\n"
                   f"Message-ID: <{mid}>\r\nDate: Sun, 29 Nov 2026 10:00:00 +0000\r\n\r\nfleet {subject}\r\n")
            lmtp.sendmail("customer@example.org", [f"{user}@example.test"], msg)
            with lock:
                accepted[mid] = time.monotonic()
        lmtp.quit()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fleet", type=int, default=1000, help="number of accounts")
    ap.add_argument("--idle-seconds", type=int, default=60)
    ap.add_argument("--lmtp-workers", type=int, default=4)
    ap.add_argument("--cmd", default="dotnet src/MailRecovery.Cli/bin/Release/net10.0/mailrecovery.dll")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--log", help="keep watch's log here")
    ap.add_argument("--strace", help="profile the burst: strace -f -tt -T of fsync, fdatasync, rename and the connect/write of watch into this file")
    ap.add_argument("--extra", default="", help="extra JSON merged into the configuration's watch section")
    args = ap.parse_args()
    bed = os.environ.get("MAILRECOVERY_TESTBED", "/tmp/mailrecovery-testbed")
    e = env(bed)
    run = "fl" + secrets.token_hex(3)
    users = [f"{run}-{i:04d}" for i in range(args.fleet)]
    work = tempfile.mkdtemp(prefix="mr-fleet-")
    archive = os.path.join(work, "archive")
    pw = os.path.join(work, "pw")
    with open(pw, "w") as f:
        f.write(e["PASSWORD"] + "\n")
    os.chmod(pw, 0o600)
    watch_section = {"pollSeconds": 600, "heartbeatMinutes": 600}
    if args.extra:
        watch_section.update(json.loads(args.extra))
    config = {
        "archive": archive,
        "insecure": True,
        "watch": watch_section,
        "accounts": [{"name": u, "protocol": "imap", "host": "127.0.0.1", "port": int(e["IMAP_PORT"]), "tls": "none",
                      "user": u, "passwordFile": pw, "mailboxes": ["INBOX"], "policy": "keep"} for u in users],
    }
    config_path = os.path.join(work, "config.json")
    with open(config_path, "w") as f:
        json.dump(config, f)

    # Dovecot's IDLE watches each mailbox with one inotify instance per imap process, all as the user `mail`; past
    # the kernel's per-user limit (128 by default) it silently falls back to looking every 30 s
    # (mailbox_idle_check_interval), which is the server's delay, not ours. Raise it (system-wide, a ceiling only).
    limit_path = "/proc/sys/fs/inotify/max_user_instances"
    want = 2 * args.fleet + 512
    with open(limit_path) as f:
        have = int(f.read())
    if have < want:
        with open(limit_path, "w") as f:
            f.write(str(want))
        print(f"raised fs.inotify.max_user_instances from {have} to {want} (Dovecot's IDLE needs one per connection)", flush=True)

    t0 = time.monotonic()
    deliver(int(e["LMTP_PORT"]), [(u, f"prime.{u}@example.org", "prime") for u in users], {}, args.lmtp_workers)
    print(f"primed {args.fleet} accounts in {time.monotonic() - t0:.1f} s", flush=True)

    log = open(args.log or os.path.join(work, "watch.log"), "wb")
    cmd = shlex.split(args.cmd) + ["watch", "--config", config_path]
    watch = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    cur = os.path.join(archive, "cur")
    seen = {}
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            try:
                names = os.listdir(cur)
            except FileNotFoundError:
                names = []
            now = time.monotonic()
            for name in names:
                if name not in seen:
                    seen[name] = now
            time.sleep(0.005)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    t0 = time.monotonic()
    deadline = t0 + 600
    while len(seen) < args.fleet and time.monotonic() < deadline and watch.poll() is None:
        time.sleep(0.2)
    if len(seen) < args.fleet:
        watch.kill()
        sys.exit(f"watch archived {len(seen)} of {args.fleet} first messages (log: {log.name})")
    first_pass = time.monotonic() - t0
    print(f"first pass: {args.fleet} accounts archived in {first_pass:.1f} s", flush=True)

    # settle: every account back in IDLE (one connection each)
    settle_deadline = time.monotonic() + 120
    while connections(watch.pid, e["IMAP_PORT"]) > args.fleet and time.monotonic() < settle_deadline:
        time.sleep(0.5)
    time.sleep(3)
    conns = connections(watch.pid, e["IMAP_PORT"])

    rss0, threads0, cpu0 = proc_sample(watch.pid)
    w0 = time.monotonic()
    peak_rss = rss0
    max_threads = threads0
    while time.monotonic() - w0 < args.idle_seconds:
        time.sleep(1)
        rss, threads, _ = proc_sample(watch.pid)
        peak_rss = max(peak_rss, rss)
        max_threads = max(max_threads, threads)
    rss1, threads1, cpu1 = proc_sample(watch.pid)
    idle_cpu = 100 * (cpu1 - cpu0) / (time.monotonic() - w0)
    print(f"idle: RSS {rss1 / 1024:.1f} MB (peak {peak_rss / 1024:.1f}), threads {threads1}, {conns} IMAP connections, "
          f"CPU {idle_cpu:.2f}% of a core over {args.idle_seconds} s", flush=True)

    before = set(seen)
    accepted = {}
    tracer = None
    if args.strace:
        tracer = subprocess.Popen(["strace", "-f", "--seccomp-bpf", "-tt", "-T", "-e", "trace=fsync,fdatasync,rename,renameat,connect", "-o", args.strace, "-p", str(watch.pid)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    _, _, cpu_b0 = proc_sample(watch.pid)
    t0 = time.monotonic()
    deliver(int(e["LMTP_PORT"]), [(u, f"burst.{u}@example.org", "burst") for u in users], accepted, args.lmtp_workers)
    delivered_in = time.monotonic() - t0
    print(f"burst: {len(accepted)} messages delivered in {delivered_in:.1f} s", flush=True)
    deadline = time.monotonic() + 300
    burst_peak_rss = 0
    while len(seen) < 2 * args.fleet and time.monotonic() < deadline and watch.poll() is None:
        time.sleep(0.1)
        try:
            burst_peak_rss = max(burst_peak_rss, proc_sample(watch.pid)[0])
        except FileNotFoundError:
            break
    archived_in = time.monotonic() - t0
    _, _, cpu_b1 = proc_sample(watch.pid)
    stop.set()
    poller.join()
    if tracer:
        tracer.terminate()
        tracer.wait()
    watch.terminate()
    watch.wait(60)

    delays = []
    last = 0.0
    for name, at in seen.items():
        if name in before:
            continue
        with open(os.path.join(cur, name), "rb") as f:
            head = f.read(4096).decode(errors="replace")
        for line in head.splitlines():
            if line.lower().startswith("message-id:"):
                mid = line.split(":", 1)[1].strip().strip("<>")
                if mid in accepted:
                    delays.append(at - accepted[mid])
                    last = max(last, at - t0)
                break
    missing = args.fleet - len(delays)
    result = {
        "accounts": args.fleet,
        "first_pass_s": round(first_pass, 2),
        "idle_rss_mb": round(rss1 / 1024, 1),
        "idle_peak_rss_mb": round(peak_rss / 1024, 1),
        "idle_threads": threads1,
        "idle_connections": conns,
        "idle_cpu_pct": round(idle_cpu, 2),
        "idle_seconds": args.idle_seconds,
        "burst_delivered_s": round(delivered_in, 2),
        "burst_archived_s": round(last, 2),
        "burst_cpu_s": round(cpu_b1 - cpu_b0, 2),
        "burst_peak_rss_mb": round(burst_peak_rss / 1024, 1),
        "p50_ms": round(1000 * pct(delays, 50)) if delays else None,
        "p99_ms": round(1000 * pct(delays, 99)) if delays else None,
        "max_ms": round(1000 * max(delays)) if delays else None,
        "missing": missing,
        "loadavg": round(os.getloadavg()[0], 1),
        "cmd": args.cmd,
    }
    print(f"burst: {len(delays)} archived, last {last:.1f} s after the first delivery, {missing} missing; "
          f"delivery -> durable file p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms; "
          f"CPU {result['burst_cpu_s']} s; load average {result['loadavg']:.1f}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    subprocess.run(["rm", "-rf", work])
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
