#!/usr/bin/env python3
"""Failover benchmark (issue 18), on server example 17 (two nodes on loopback, the same
binary, a 20 s startup dispatch window so the work is pending when the primary dies).

  failover  RUNS times: kill -9 the primary, then time (a) the survivor's first 200 on the
            count-1 route /whoami and (b) the survivor's completion of the recovered
            startup work (its "warm_cache ran" line); medians, ms
  routes    wrk against the standby for SECS seconds each: /health (a plain route) and
            /whoami (HTTP.clustered(1, h): every request submits a continuity record and
            about half run on the primary over a transient connection); requests/s, the
            ratio clustered / plain, and the CPU time (user + sys) both nodes used

Usage: benchmarks/failover.py [runs] [secs] (default 10 runs, 5 s of wrk per route)."""
import os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
SECS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
P_NAME, S_NAME = "primary@127.0.0.1:4370", "standby@[::1]:4370"
P_HTTP, S_HTTP = 18081, 18082


def build():
    out = tempfile.mkdtemp(prefix="mesh-failover")
    subprocess.run(["cargo", "build", "--release", "-q", "--bin", "mesh"], cwd=REPO, check=True)
    proj = os.path.join(out, "app")
    os.makedirs(proj)
    ex = os.path.join(REPO, "tests", "examples", "server")
    shutil.copy(os.path.join(ex, "17_clustered_http_failover.mpl"), os.path.join(proj, "main.mpl"))
    files = os.path.join(ex, "17_clustered_http_failover.files")
    for f in os.listdir(files):
        shutil.copy(os.path.join(files, f), proj)
    mesh = os.path.join(REPO, "target", "release", "mesh")
    subprocess.run([mesh, "build", "--release", proj, "-o", os.path.join(out, "app-bin")], check=True)
    return os.path.join(out, "app-bin")


class Node:
    def __init__(self, binary, name, role, http, delay):
        env = {k: v for k, v in os.environ.items() if not k.startswith("MESH_")}
        env.update({
            "MESH_CLUSTER_COOKIE": "bench", "MESH_DISCOVERY_SEED": "127.0.0.1,::1",
            "MESH_CLUSTER_PORT": "4370", "MESH_NODE_NAME": name, "MESH_CONTINUITY_ROLE": role,
            "MESH_CONTINUITY_PROMOTION_EPOCH": "0", "MESH_DISCOVERY_INTERVAL_MS": "200",
            "MESH_STARTUP_WORK_DELAY_MS": delay, "PORT": str(http), "MESH_LOG": "info",
        })
        self.p = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.lines = []
        for stream in (self.p.stdout, self.p.stderr):
            threading.Thread(target=self.read, args=(stream,), daemon=True).start()

    def read(self, stream):
        for line in stream:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def wait_for(self, text, within=15):
        end = time.monotonic() + within
        while time.monotonic() < end:
            for t, l in list(self.lines):
                if text in l:
                    return t
            time.sleep(0.002)
        raise RuntimeError(f"no {text!r}: " + "\n".join(l for _, l in self.lines[-20:]))

    def cpu(self):
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def kill(self):
        self.p.kill()
        self.p.wait()


def get(port, path):
    """One GET over a fresh connection (raw: `benchmarks/http.py` shadows the `http`
    package urllib needs); its status, 0 when the node cannot be reached."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
            c.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            head = c.recv(64).decode(errors="replace")
            return int(head.split(" ")[1]) if head.startswith("HTTP/") else 0
    except (OSError, ValueError, IndexError):
        return 0


def failover(binary):
    standby = Node(binary, S_NAME, "standby", S_HTTP, "2500")
    standby.wait_for("startup_skipped")
    primary = Node(binary, P_NAME, "primary", P_HTTP, "20000")
    primary.wait_for("startup_dispatch_window")
    killed = time.monotonic()
    primary.kill()
    while get(S_HTTP, "/whoami") != 200:
        time.sleep(0.001)
    first = time.monotonic()
    done = standby.wait_for(f"warm_cache ran (node={S_NAME})", 10)
    standby.kill()
    return (first - killed) * 1000, (done - killed) * 1000


def wrk(path):
    out = subprocess.run(["wrk", "-t1", "-c16", f"-d{SECS}s", f"http://127.0.0.1:{S_HTTP}{path}"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


def routes(binary):
    standby = Node(binary, S_NAME, "standby", S_HTTP, "2500")
    standby.wait_for("startup_skipped")
    primary = Node(binary, P_NAME, "primary", P_HTTP, "200")
    primary.wait_for("startup_completed")
    figures = {}
    for label, path in (("plain /health", "/health"), ("clustered(1) /whoami", "/whoami")):
        cpu0 = standby.cpu() + primary.cpu()
        rps = wrk(path)
        figures[label] = (rps, standby.cpu() + primary.cpu() - cpu0)
    standby.kill()
    primary.kill()
    return figures


def main():
    binary = build()
    times = []
    for _ in range(RUNS):
        times.append(failover(binary))
        time.sleep(0.3)
    a = statistics.median(t[0] for t in times)
    b = statistics.median(t[1] for t in times)
    print(f"failover over {RUNS} kills (median): first 200 on a count-1 route {a:.1f} ms, "
          f"recovered work completed {b:.1f} ms (target <= 1000 ms each)")
    print(f"  per run (ms): " + ", ".join(f"{x:.0f}/{y:.0f}" for x, y in times))
    f = routes(binary)
    print(f"{'route':24} {'req/s':>10} {'CPU s (both nodes)':>20}")
    for label, (rps, cpu) in f.items():
        print(f"{label:24} {rps:10.0f} {cpu:20.2f}")
    plain, clustered = f["plain /health"][0], f["clustered(1) /whoami"][0]
    print(f"ratio clustered / plain: {clustered / plain:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
