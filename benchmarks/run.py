#!/usr/bin/env python3
"""Compute benchmarks: each program in Mesh, Rust and Go, built optimised, checked to
print the same output, then timed side by side with hyperfine in one run. Prints a
table of mean times and the ratio Mesh / peer. Usage: benchmarks/run.py [name ...]"""
import json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
NAMES = sys.argv[1:] or ["fib", "sort", "strings", "map", "lists"]

def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)

def main():
    out = tempfile.mkdtemp(prefix="mesh-bench")
    sh(["cargo", "build", "--release", "-q", "--bin", "mesh"], cwd=REPO)
    mesh = os.path.join(REPO, "target", "release", "mesh")
    rows = []
    for name in NAMES:
        bins = {
            "mesh": os.path.join(out, name + "-mesh"),
            "rust": os.path.join(out, name + "-rust"),
            "go": os.path.join(out, name + "-go"),
        }
        sh([mesh, "build", "--release", os.path.join(ROOT, "mesh", name + ".mpl"), "-o", bins["mesh"]])
        sh(["rustc", "-O", "-C", "target-cpu=native", os.path.join(ROOT, "rust", name + ".rs"), "-o", bins["rust"]])
        sh(["go", "build", "-o", bins["go"], os.path.join(ROOT, "go", name + ".go")], env={**os.environ, "GOCACHE": os.path.join(out, "gocache"), "GOFLAGS": "-mod=mod"})
        outputs = {k: sh([b]).stdout for k, b in bins.items()}
        if len(set(outputs.values())) != 1:
            print(f"{name}: outputs differ: {outputs}", file=sys.stderr)
            sys.exit(1)
        report = os.path.join(out, name + ".json")
        sh(["hyperfine", "-N", "--warmup", "1", "--runs", "5", "--export-json", report] + [bins[k] for k in ("mesh", "rust", "go")])
        means = {k: r["mean"] for k, r in zip(("mesh", "rust", "go"), json.load(open(report))["results"])}
        rows.append((name, means))
    print(f"{'benchmark':<10} {'mesh':>10} {'rust':>10} {'go':>10} {'mesh/rust':>10} {'mesh/go':>9}")
    for name, m in rows:
        print(f"{name:<10} {m['mesh']*1000:>8.1f}ms {m['rust']*1000:>8.1f}ms {m['go']*1000:>8.1f}ms {m['mesh']/m['rust']:>9.2f}x {m['mesh']/m['go']:>8.2f}x")

main()
