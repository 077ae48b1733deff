#!/usr/bin/env bash
# Weir's benchmark against Debian's redis-server; `make bench` runs it after building.
# Options and environment variables: see bench/README.md or `bench/bench.sh --help`.
set -euo pipefail
cd "$(dirname "$0")/.."

# The stream consumer-group load generator (C, hiredis), built apart from the server.
# STREAMLOAD may name a prebuilt one; without hiredis the stream-group rows report FAIL.
streamload="${STREAMLOAD:-build/bench/streamload}"
if [ -z "${STREAMLOAD:-}" ] && { [ ! -x "$streamload" ] || [ bench/streamload.c -nt "$streamload" ] || [ bench/loadgen.h -nt "$streamload" ]; }; then
  mkdir -p "$(dirname "$streamload")"
  "${CC:-cc}" -O2 -Wall -Wextra -std=gnu11 -o "$streamload" bench/streamload.c -lhiredis -lpthread ||
    echo "bench.sh: could not build $streamload (needs libhiredis-dev: scripts/deps.sh installs it)" >&2
fi
export STREAMLOAD="$streamload"
# The Pub/Sub load generator, the same way (PUBSUBLOAD may name a prebuilt one).
pubsubload="${PUBSUBLOAD:-build/bench/pubsubload}"
if [ -z "${PUBSUBLOAD:-}" ] && { [ ! -x "$pubsubload" ] || [ bench/pubsubload.c -nt "$pubsubload" ] || [ bench/loadgen.h -nt "$pubsubload" ]; }; then
  mkdir -p "$(dirname "$pubsubload")"
  "${CC:-cc}" -O2 -Wall -Wextra -std=gnu11 -o "$pubsubload" bench/pubsubload.c -lhiredis ||
    echo "bench.sh: could not build $pubsubload (needs libhiredis-dev: scripts/deps.sh installs it)" >&2
fi
export PUBSUBLOAD="$pubsubload"
exec /usr/bin/python3 bench/bench.py "$@"
