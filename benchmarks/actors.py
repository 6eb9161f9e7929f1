#!/usr/bin/env python3
"""Actor benchmark (issue 6): N processes (default 1,000,000) spawned, all idle at once
waiting for one message, then each answers one; in Mesh, Erlang (BEAM) and Go, run
one after another on this machine. Reports wall time and peak RSS (so bytes per idle
process) for each, and the ratios Mesh / peer. Usage: benchmarks/actors.py [N] [runs]"""
import os, re, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3

def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)

def measure(cmd, env):
    """(seconds, peak RSS in KB, stdout) of one run, by /usr/bin/time."""
    r = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {r.stderr}")
    secs, kb = r.stderr.strip().splitlines()[-1].split()
    return float(secs), int(kb), r.stdout

def main():
    out = tempfile.mkdtemp(prefix="mesh-actors")
    sh(["cargo", "build", "--release", "-q", "--bin", "mesh"], cwd=REPO)
    mesh = os.path.join(REPO, "target", "release", "mesh")
    sh([mesh, "build", "--release", os.path.join(ROOT, "actors", "actors.mpl"), "-o", os.path.join(out, "actors-mesh")])
    sh(["go", "build", "-o", os.path.join(out, "actors-go"), os.path.join(ROOT, "actors", "actors.go")],
       env={**os.environ, "GOCACHE": os.path.join(out, "gocache"), "GOFLAGS": "-mod=mod"})
    sh(["erlc", "-o", out, os.path.join(ROOT, "actors", "actors.erl")])
    programs = {
        "mesh": [os.path.join(out, "actors-mesh")],
        "erlang": ["erl", "-noshell", "+P", str(max(2 * N, 1_100_000)), "-pa", out,
                   "-eval", "actors:main(), init:stop()."],
        "go": [os.path.join(out, "actors-go")],
    }
    env = {**os.environ, "N": str(N)}
    rows = {}
    expected = None
    for name, cmd in programs.items():
        times, peaks = [], []
        for _ in range(RUNS):
            secs, kb, stdout = measure(cmd, env)
            expected = expected or stdout
            if stdout != expected:
                sys.exit(f"{name} printed {stdout!r}, expected {expected!r}")
            times.append(secs)
            peaks.append(kb)
        rows[name] = (statistics.mean(times), max(peaks))
    print(f"{N:,} processes, {RUNS} runs each (wall time mean, peak RSS max)")
    print(f"{'':<8} {'time':>9} {'peak RSS':>10} {'bytes/process':>14} {'time vs mesh':>13}")
    for name, (t, kb) in rows.items():
        print(f"{name:<8} {t:>8.2f}s {kb/1024:>8.0f}MB {kb*1024/N:>14.0f} {t/rows['mesh'][0]:>12.2f}x")
    m = rows["mesh"]
    for peer in ("erlang", "go"):
        p = rows[peer]
        print(f"mesh/{peer}: time {m[0]/p[0]:.2f}x, memory {m[1]/p[1]:.2f}x")

main()
