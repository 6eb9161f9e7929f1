#!/usr/bin/env python3
"""HTTP benchmark (issue 7, spec 07): GET /text and GET /json served by Mesh, Rust (axum
on hyper), Go (net/http) and Erlang (OTP inets httpd; Cowboy is not packaged by Debian).
All servers run at once, each pinned to CPU 0 (idle while another is measured), and wrk
runs on CPU 1 over loopback (keep-alive connections). Runs are *interleaved*: after a
warmup of each, round r measures every server and endpoint in turn, RUNS rounds — so
drift in the machine's speed (this one varies by ±10% over minutes) falls on all
servers alike (and the order of the servers turns each round). Reports the median
requests/s, p50/p99 latency of the median run, the Mesh / peer ratio of the medians,
the median and range of the same-round ratios, and each server's CPU time (user +
system, from /proc) per request: the cost, which the machine's drift moves less than
the throughput.
Usage: benchmarks/http.py [seconds per run] [runs] [connections]"""
import os, re, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
SECS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
CONNS = int(sys.argv[3]) if len(sys.argv) > 3 else 100
HTTP = os.path.join(ROOT, "http")

def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)

def free_port():
    s = socket.socket(socket.AF_INET6)
    s.bind(("::", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def wait_port(port, proc, secs=15):
    end = time.time() + secs
    while time.time() < end:
        if proc.poll() is not None:
            sys.exit(f"server exited: {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"server on {port} did not start")

def ms(text):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(n) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

TICK = os.sysconf("SC_CLK_TCK")

def cpu_secs(pid):
    """User + system CPU time of a process (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK

def wrk(url, secs, pid=None):
    """requests/s, p50 and p99 latency (ms), and the server's CPU µs per request."""
    before = cpu_secs(pid) if pid else 0
    out = sh(["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNS}", f"-d{secs}s", "--latency", url]).stdout
    cpu = cpu_secs(pid) - before if pid else 0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"\n\s+50%\s+(\S+)", out).group(1))
    p99 = ms(re.search(r"\n\s+99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if errors:
        print(f"  warning: {url}: {errors.group(0)}", file=sys.stderr)
    total = float(re.search(r"(\d+) requests in", out).group(1))
    return rps, p50, p99, cpu * 1e6 / max(total, 1)

def main():
    out = tempfile.mkdtemp(prefix="mesh-http")
    sh(["cargo", "build", "--release", "-q", "--bin", "mesh"], cwd=REPO)
    mesh = os.path.join(REPO, "target", "release", "mesh")
    sh([mesh, "build", "--release", os.path.join(HTTP, "mesh", "main.mpl"), "-o", os.path.join(out, "mesh-server")])
    sh(["go", "build", "-o", os.path.join(out, "go-server"), os.path.join(HTTP, "go", "main.go")],
       env={**os.environ, "GOCACHE": os.path.join(out, "gocache"), "GOFLAGS": "-mod=mod"})
    sh(["cargo", "build", "--release", "-q", "--target-dir", os.path.join(out, "axum")], cwd=os.path.join(HTTP, "rust"))
    sh(["erlc", "-o", out, os.path.join(HTTP, "erlang", "hello.erl")])
    servers = {
        "mesh": [os.path.join(out, "mesh-server")],
        "rust": [os.path.join(out, "axum", "release", "http-bench-axum")],
        "go": [os.path.join(out, "go-server")],
        "erlang": ["erl", "-noshell", "+S", "1", "-pa", out, "-eval", "hello:main()."],
    }
    procs, ports = {}, {}
    try:
        for name, cmd in servers.items():
            port = free_port()
            env = {**os.environ, "PORT": str(port), "GOMAXPROCS": "1"}
            procs[name] = subprocess.Popen(["taskset", "-c", "0"] + cmd, env=env,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ports[name] = port
            wait_port(port, procs[name])
        url = lambda name, ep: f"http://127.0.0.1:{ports[name]}/{ep}"
        for name in servers:
            for ep in ("text", "json"):
                wrk(url(name, ep), 3)
        runs = {(name, ep): [] for name in servers for ep in ("text", "json")}
        names = list(servers)
        for r in range(RUNS):
            # the order turns each round, so no server is always measured first or last
            for name in names[r % len(names):] + names[:r % len(names)]:
                for ep in ("text", "json"):
                    runs[(name, ep)].append(wrk(url(name, ep), SECS, procs[name].pid))
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait()
    print(f"wrk -t1 -c{CONNS}, {RUNS} interleaved rounds x {SECS}s after a warmup; "
          "servers on CPU 0, wrk on CPU 1")
    print("mesh/this: ratio of median req/s; per round: median and range of the same-round "
          "ratios; CPU: the server's user+system µs per request (median), and this/mesh")
    print(f"{'server':<8} {'endpoint':<6} {'req/s':>10} {'p50':>9} {'p99':>9} "
          f"{'mesh/this':>10} {'per round':>20} {'CPU µs':>8} {'this/mesh':>10}")
    for (name, ep), rs in runs.items():
        med = sorted(rs, key=lambda r: r[0])[len(rs) // 2]
        mesh = runs[("mesh", ep)]
        ratio = statistics.median(r[0] for r in mesh) / statistics.median(r[0] for r in rs)
        per = [m[0] / r[0] for m, r in zip(mesh, rs)]
        cpu = statistics.median(r[3] for r in rs)
        cpu_ratio = cpu / statistics.median(r[3] for r in mesh)
        print(f"{name:<8} /{ep:<5} {med[0]:>10.0f} {med[1]:>7.2f}ms {med[2]:>7.2f}ms "
              f"{ratio:>9.2f}x {statistics.median(per):>6.2f} ({min(per):.2f}-{max(per):.2f})x "
              f"{cpu:>8.2f} {cpu_ratio:>9.2f}x")

main()
