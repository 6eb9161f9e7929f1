#!/usr/bin/env bash
# Installs what Mesh needs on a Debian machine with Rust (LLVM 22 and the libraries it
# links against), builds the compiler, and runs an example program.
# Usage: scripts/setup.sh [--no-example] [--no-just]
#   --no-example  do not build and run the example at the end (CI)
#   --no-just     do not install the `just` command runner (CI needs none)
set -euo pipefail
cd "$(dirname "$0")/.."

no_example=0
no_just=0
for arg in "$@"; do
  case "$arg" in
    --no-example) no_example=1 ;;
    --no-just) no_just=1 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

packages=(llvm-22-dev libpolly-22-dev clang-22 zlib1g-dev libzstd-dev gcc valgrind openssl wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x /usr/lib/llvm-22/bin/llvm-config ]; then
  echo "setup: LLVM 22 is not at /usr/lib/llvm-22 after installing llvm-22-dev" >&2
  exit 1
fi

# `just` is not a Debian package: the justfile's recipes need it from crates.io
if [ "$no_just" = 0 ] && ! command -v just >/dev/null; then
  echo "setup: installing just (cargo install just)"
  cargo install just --locked --quiet
fi

cargo build --workspace --quiet
if [ "$no_example" = 0 ]; then
  echo "setup: building and running tests/examples/core/01_hello_arith.mpl"
  target/debug/mesh run tests/examples/core/01_hello_arith.mpl
fi
