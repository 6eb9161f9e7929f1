#!/usr/bin/env python3
"""Process benchmarks (issue 16): processes talking, in Mesh, Erlang (BEAM) and Go, run
one after another on this machine in the same run, with both workers and pinned to one
core (`taskset -c 0`).

  pingpong   N round trips between two processes (default 1,000,000)
  calls      N service calls from one caller (Counter.next / gen_server:call / a channel)
  calls100   N calls shared by 100 callers on one service
  ring       a ring of 10,000 processes passes a token 1,000,000 hops
  fanout     100,000 jobs started, then awaited in order and summed

Reports per program the mean wall time, user and system CPU time, and the ratio
Mesh / peer. Usage: benchmarks/processes.py [runs] [bench...] (default 3 runs, all)."""
import os, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
BENCHES = {
    # name: (Mesh program, environment)
    "pingpong": ("pingpong", {"N": "1000000"}),
    "calls": ("calls", {"N": "100000", "CALLERS": "1"}),
    "calls100": ("calls", {"N": "100000", "CALLERS": "100"}),
    "ring": ("ring", {"PROCS": "10000", "HOPS": "1000000"}),
    "fanout": ("fanout", {"JOBS": "100000"}),
}
CHOSEN = sys.argv[2:] or list(BENCHES)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def measure(cmd, env):
    """(wall, user, system seconds, stdout) of one run, by /usr/bin/time."""
    r = subprocess.run(["/usr/bin/time", "-f", "%e %U %S"] + cmd, capture_output=True, text=True,
                       env=env, timeout=600)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r.stderr}")
    wall, user, sys_ = map(float, r.stderr.strip().splitlines()[-1].split())
    return wall, user, sys_, r.stdout


def main():
    out = tempfile.mkdtemp(prefix="mesh-processes")
    sh(["cargo", "build", "--release", "-q", "--bin", "mesh"], cwd=REPO)
    mesh = os.path.join(REPO, "target", "release", "mesh")
    for prog in sorted({p for p, _ in BENCHES.values()}):
        sh([mesh, "build", "--release", os.path.join(ROOT, "processes", f"{prog}.mpl"), "-o",
            os.path.join(out, f"{prog}-mesh")])
    sh(["go", "build", "-o", os.path.join(out, "processes-go"),
        os.path.join(ROOT, "processes", "processes.go")],
       env={**os.environ, "GOCACHE": os.path.join(out, "gocache"), "GOFLAGS": "-mod=mod"})
    sh(["erlc", "-o", out, os.path.join(ROOT, "processes", "processes.erl")])
    # Erlang's start-up (~0.1 s here) is part of its figures; `erl` alone is measured
    # once so the table can show it.
    erl = ["erl", "-noshell", "+P", "2000000", "-pa", out]
    boot = statistics.mean(measure(erl + ["-eval", "erlang:halt()."], os.environ)[0]
                           for _ in range(RUNS))
    print(f"{RUNS} runs each; mean wall / user / system seconds; Erlang's start-up alone "
          f"{boot:.2f} s (included)")
    for pin in (False, True):
        print()
        print("one core (taskset -c 0)" if pin else "two workers")
        print(f"{'':<10} {'':<7} {'wall':>7} {'user':>7} {'sys':>7} {'mesh/peer':>10}")
        for bench in CHOSEN:
            prog, extra = BENCHES[bench]
            env = {**os.environ, "BENCH": prog, **extra}
            programs = {
                "mesh": [os.path.join(out, f"{prog}-mesh")],
                "erlang": erl + ["-eval", "processes:main(), erlang:halt()."],
                "go": [os.path.join(out, "processes-go")],
            }
            rows, expected = {}, None
            for name, cmd in programs.items():
                if pin:
                    cmd = ["taskset", "-c", "0"] + cmd
                runs = []
                for _ in range(RUNS):
                    wall, user, sys_, stdout = measure(cmd, env)
                    expected = expected or stdout
                    if stdout != expected:
                        sys.exit(f"{bench}: {name} printed {stdout!r}, expected {expected!r}")
                    runs.append((wall, user, sys_))
                rows[name] = tuple(statistics.mean(r[i] for r in runs) for i in range(3))
            for name, (wall, user, sys_) in rows.items():
                ratio = "" if name == "mesh" else f"{rows['mesh'][0] / wall:.2f}x"
                print(f"{bench if name == 'mesh' else '':<10} {name:<7} {wall:>7.2f} {user:>7.2f} "
                      f"{sys_:>7.2f} {ratio:>10}")


main()
