#!/usr/bin/env bash
# Weir's benchmark against Debian's redis-server; `make bench` runs it after building.
# Options and environment variables: see bench/README.md or `bench/bench.sh --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/bench.py "$@"
