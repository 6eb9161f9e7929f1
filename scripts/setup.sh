#!/usr/bin/env bash
# Installs what Mesh needs on a Debian machine with Rust (LLVM 22 and the libraries it
# links against), builds the compiler, and runs an example program.
# Usage: scripts/setup.sh [--no-example]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(llvm-22-dev libpolly-22-dev clang-22 zlib1g-dev libzstd-dev gcc valgrind)
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

cargo build --workspace --quiet
if [ "${1:-}" != "--no-example" ]; then
  echo "setup: building and running tests/examples/core/01_hello_arith.mpl"
  target/debug/mesh run tests/examples/core/01_hello_arith.mpl
fi
