#!/usr/bin/env bash
# Starts Prosody for the load benchmarks in its own directory (config, data, certs, pidfile, logs)
# and prints its pid once the c2s port accepts connections. Stop it with `kill PID`.
#   bench/prosody/start-prosody.sh DIR [PORT=15222] [DOMAIN=localhost] [HASH=SHA-1] [CPUS=0]
# Accounts: node --import tsx bench/load/prosody-accounts.ts --data-dir DIR/data --hash HASH ...
set -euo pipefail
dir=$(realpath -m "${1:?usage: start-prosody.sh DIR [PORT] [DOMAIN] [HASH] [CPUS]}")
port=${2:-15222}
domain=${3:-localhost}
hash=${4:-SHA-1}
cpus=${5:-0}
here=$(dirname "$(realpath "$0")")
command -v prosody >/dev/null || { echo "prosody is not installed (apt-get install -y prosody)" >&2; exit 1; }

mkdir -p "$dir/data" "$dir/certs"
if [ ! -f "$dir/certs/$domain.crt" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$domain" \
    -keyout "$dir/certs/$domain.key" -out "$dir/certs/$domain.crt" 2>/dev/null
fi
sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@DOMAIN@|$domain|g" -e "s|@HASH@|$hash|g" \
  "$here/prosody.cfg.lua.template" > "$dir/prosody.cfg.lua"

# -F: stay in the foreground (so the pid is ours); stdin closed, output to a file.
taskset -c "$cpus" prosody --config "$dir/prosody.cfg.lua" -F </dev/null >"$dir/stdout.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$pid"; exit 0; fi
  kill -0 "$pid" 2>/dev/null || { echo "prosody exited; see $dir/stdout.log and $dir/prosody.err" >&2; cat "$dir/stdout.log" >&2; exit 1; }
  sleep 0.1
done
echo "prosody did not open port $port; see $dir/prosody.log" >&2
kill "$pid"
exit 1
