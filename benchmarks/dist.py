#!/usr/bin/env python3
"""Distribution benchmark (issue 17): two nodes on loopback, each pinned to its own core
(`taskset -c 0` / `-c 1`), Mesh (benchmarks/dist/dist.mpl) beside Erlang
(benchmarks/dist/dist.erl) in the same run.

  rtt        N timed round trips (a Ping struct out, a Pong back): p50 and p99, µs
  throughput M one-way ~100-byte struct messages, then one round trip for the count

Reports per runtime the median over the runs of each figure, the CPU time (user + sys)
both nodes used, and the ratios Mesh / Erlang.
Usage: benchmarks/dist.py [runs] [N] [M] (default 3 runs, 20000 round trips, 200000 loads)."""
import os, re, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
N = sys.argv[2] if len(sys.argv) > 2 else "20000"
M = sys.argv[3] if len(sys.argv) > 3 else "200000"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def cpu_of(stderr):
    user, sys_ = map(float, stderr.strip().splitlines()[-1].split())
    return user + sys_


def main():
    out = tempfile.mkdtemp(prefix="mesh-dist")
    sh(["cargo", "build", "--release", "-q", "--bin", "mesh"], cwd=REPO)
    mesh = os.path.join(REPO, "target", "release", "mesh")
    sh([mesh, "build", "--release", os.path.join(ROOT, "dist", "dist.mpl"), "-o",
        os.path.join(out, "dist-mesh")])
    sh(["erlc", "-o", out, os.path.join(ROOT, "dist", "dist.erl")])
    env = {**os.environ, "N": N, "M": M, "MESH_LOG": "warn"}
    port = "7400"
    runtimes = {
        "mesh": (
            [os.path.join(out, "dist-mesh")],
            [os.path.join(out, "dist-mesh")],
            {"ROLE": "echo", "PORT": port}, {"ROLE": "drive", "PORT": port}),
        "erlang": (
            ["erl", "-noshell", "-name", "echo@127.0.0.1", "-setcookie", "bench", "-pa", out,
             "-eval", "dist:echo()."],
            ["erl", "-noshell", "-name", "drive@127.0.0.2", "-setcookie", "bench", "-pa", out,
             "-eval", "dist:drive(), erlang:halt()."],
            {}, {}),
    }
    results = {}
    for name, (echo_cmd, drive_cmd, echo_env, drive_env) in runtimes.items():
        runs = []
        for _ in range(RUNS):
            # each role's environment: the echo node reads ROLE=echo, the driver ROLE=drive
            e = {**env, **echo_env}
            d = {**env, **drive_env}
            runs.append(pair_env(echo_cmd, drive_cmd, e, d))
            time.sleep(0.5)
        results[name] = [statistics.median(r[i] for r in runs) for i in range(4)]
    print(f"{RUNS} runs each, medians; {N} round trips, {M} one-way messages; "
          "echo node on core 0, driver on core 1")
    print(f"{'':<8} {'p50 µs':>8} {'p99 µs':>8} {'msgs/s':>10} {'CPU s':>7}")
    for name, (p50, p99, tput, cpu) in results.items():
        print(f"{name:<8} {p50:>8} {p99:>8} {int(tput):>10} {cpu:>7.2f}")
    me, er = results["mesh"], results["erlang"]
    print(f"{'mesh/erl':<8} {me[0] / er[0]:>8.2f} {me[1] / er[1]:>8.2f} "
          f"{me[2] / er[2]:>10.2f} {me[3] / er[3]:>7.2f}")


def pair_env(echo_cmd, drive_cmd, echo_env, drive_env):
    timed = ["/usr/bin/time", "-f", "%U %S"]
    echo = subprocess.Popen(["taskset", "-c", "0"] + timed + echo_cmd, env=echo_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    line = echo.stdout.readline()
    if "ready" not in line:
        echo.kill()
        sys.exit(f"echo node did not start: {line!r} {echo.stderr.read()}")
    drive = subprocess.run(["taskset", "-c", "1"] + timed + drive_cmd, env=drive_env,
                           capture_output=True, text=True, timeout=600)
    # `time` would not pass a signal on: end the node itself, then `time` reports
    for p in subprocess.run(["pgrep", "-g", str(echo.pid)], capture_output=True,
                            text=True).stdout.split():
        if int(p) != echo.pid:
            os.kill(int(p), 15)
    _, echo_err = echo.communicate(timeout=30)
    m = re.search(r"rtt_p50_us=(\d+) rtt_p99_us=(\d+) msgs_per_s=(\d+) received=(\d+)",
                  drive.stdout)
    if not m or m.group(4) != M:
        sys.exit(f"drive failed: {drive.stdout} {drive.stderr}")
    cpu = cpu_of(drive.stderr)
    try:
        cpu += cpu_of(echo_err)
    except ValueError:
        pass
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), cpu


if __name__ == "__main__":
    main()
