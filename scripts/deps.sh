#!/usr/bin/env bash
# Installs the Debian 12 packages Weir builds, tests and benchmarks with; a no-op when all are present.
set -euo pipefail
pkgs=(g++ cmake make pkg-config clang clang-format-14 libclang-rt-14-dev
      libabsl-dev libmimalloc-dev libxxhash-dev libgtest-dev libgmock-dev libbenchmark-dev
      python3-redis python3-pytest python3-pytest-xdist redis-server redis-tools tcl libhiredis-dev
      liblua5.1-0-dev lua-cjson-dev lua-bitop-dev libmsgpack-dev libssl-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node and npm run the Node client tests (tests/node: BullMQ). Checked by command, not by
# package: a node from elsewhere (nodesource, nvm) will do, and its nodejs package bundles npm.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
