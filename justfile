# Everyday commands. `just --list` shows them.

# install system packages (LLVM 22, …), build, run an example
setup:
    scripts/setup.sh

build:
    cargo build --workspace

# the whole test suite, as CI runs it
test:
    cargo test --workspace -- --show-output

# the process core built and tested with its clients (HTTP, WebSockets, SQLite)
# compiled out: the layering test of issue 16
layering:
    cargo test -p mesh-runtime --no-default-features --lib process

# print the IR after a pass: just dump infer tests/examples/core/09_multi_clause.mpl
dump pass path:
    cargo run --quiet --bin mesh -- dump --after={{pass}} {{path}}

# list the pipeline's passes
passes:
    cargo run --quiet --bin mesh -- dump --list

# review changed insta snapshots
snapshots:
    INSTA_UPDATE=always cargo test -p mesh --test snapshots
    git diff --stat snapshots

# long property-testing campaign (the CI run uses small case counts); failures are
# shrunk and saved into fuzz/regressions/
fuzz cases="20000" scale="40":
    PROPTEST_CASES={{cases}} cargo test --release -p mesh-fuzz
    MESH_PROPTEST_SCALE={{scale}} cargo test --release -p mesh --test e2e -- decision_trees core_passes_preserve_meaning generated_programs
    MESH_PROPTEST_CASES=2000 cargo test --release -p mesh --test e2e generated_programs_match_reference
    MESH_PROPTEST_CASES=500 MESH_VALGRIND=1 cargo test --release -p mesh --test e2e native_code_matches

# libFuzzer campaign on the parser, the type checker or the HTTP request path
# (`parse`, `typecheck`, `http_request`; needs the nightly toolchain; installs cargo-fuzz
# if missing); seeds from the spec examples, or fuzz/libfuzzer/seeds/http_request
fuzz-libfuzzer target="parse" seconds="300":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    cargo build --bin mesh
    mkdir -p fuzz/libfuzzer/corpus/{{target}}
    if [ "{{target}}" = http_request ]; then cp fuzz/libfuzzer/seeds/http_request/* fuzz/libfuzzer/corpus/{{target}}/; else cp tests/examples/*/*.mpl fuzz/libfuzzer/corpus/{{target}}/; fi
    cargo +nightly fuzz run --fuzz-dir fuzz/libfuzzer {{target}} -- -max_total_time={{seconds}} -max_len=4096

# hostile clients and soak (issue 14): wrk with connection churn and a WebSocket
# broadcast load for MINUTES, sampling the servers' RSS, descriptors and threads
soak minutes="10":
    MESH_SOAK_SECS=$(( {{minutes}} * 60 )) cargo test -p mesh --test hostile soak -- --nocapture

# compute benchmarks: Mesh vs Rust vs Go side by side (installs golang-go, hyperfine)
bench:
    scripts/bench-deps.sh golang-go hyperfine
    benchmarks/run.py

# HTTP servers (spec 07): Mesh vs axum vs Go net/http vs Erlang inets, with wrk
bench-http secs="10" runs="3" conns="100":
    scripts/bench-deps.sh golang-go erlang-base erlang-inets wrk
    benchmarks/http.py {{secs}} {{runs}} {{conns}}

# a million actors: Mesh vs Erlang (BEAM) vs Go goroutines, time and peak RSS
bench-actors n="1000000" runs="3":
    scripts/bench-deps.sh golang-go erlang-base
    benchmarks/actors.py {{n}} {{runs}}

# processes talking (issue 16): ping-pong, service calls (1 and 100 callers), a ring,
# fan-out/fan-in — Mesh vs Erlang vs Go, two workers and one core
bench-processes runs="3" *benches="":
    scripts/bench-deps.sh golang-go erlang-base
    benchmarks/processes.py {{runs}} {{benches}}

# failover on server example 17: kill -9 of the primary to the survivor's first 200 and
# to the recovered work's completion (median of runs), and HTTP.clustered(1, h) vs a
# plain route with wrk
bench-failover runs="10" secs="5":
    benchmarks/failover.py {{runs}} {{secs}}

# two nodes on loopback (issue 17): round-trip p50/p99 and one-way throughput of
# ~100-byte structs, Mesh vs two Erlang nodes, each node on its own core
bench-dist runs="3" n="20000" m="200000":
    scripts/bench-deps.sh erlang-base
    benchmarks/dist.py {{runs}} {{n}} {{m}}
