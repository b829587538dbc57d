#!/usr/bin/env bash
# tjabberd vs Prosody under the same load: each server pinned to core 0, the load generator to
# core 1; results as JSON lines in $OUT/results.jsonl and a Markdown table in $OUT/table.md.
#   bench/load/compare.sh                      # everything, 3 repeats
#   MODES="login idle" REPEAT=2 bench/load/compare.sh
# Knobs (defaults): MODES="login idle messages presence" REPEAT=3 LOGINS=2000 IDLE=5000
#   DURATION=10 ROUNDS=10 OUT=$(mktemp -d) NO_BUILD= TJ_NODE_FLAGS= (e.g. --cpu-prof --cpu-prof-dir=DIR)
set -euo pipefail
cd "$(dirname "$(realpath "$0")")/../.."
MODES=${MODES:-login idle messages presence}
REPEAT=${REPEAT:-3}
LOGINS=${LOGINS:-2000}
IDLE=${IDLE:-5000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-10}
OUT=$(realpath -m "${OUT:-$(mktemp -d /tmp/xmpp-compare.XXXXXX)}")
TJ_PORT=25222
PROSODY_PORT=15222
ACCOUNTS=$(( IDLE > 200 ? IDLE : 200 ))
RESULTS=$OUT/results.jsonl
mkdir -p "$OUT/tjabberd"
: >> "$RESULTS"

[ -n "${NO_BUILD:-}" ] || npm run build >/dev/null
LOAD=(taskset -c 1 node --import tsx bench/load/xmpp-load.ts)
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

wait_port() {
  for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "port $1 did not open" >&2; return 1
}
stop_pid() { # graceful, then forced; only the pid we started
  [ -n "${1:-}" ] || return 0
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}

# --- tjabberd ---------------------------------------------------------------------------------
cat > "$OUT/tjabberd/config.yaml" <<YAML
domain: localhost
data_dir: $OUT/tjabberd/data
require_encryption: false
allow_plaintext_loopback: true
listeners:
  c2s: { host: 127.0.0.1, port: $TJ_PORT }
  c2s_tls: { enabled: false }
limits:
  max_connections: 100000
  max_connections_per_ip: 100000
log: { level: warn }
YAML
TJ_PID=
start_tjabberd() {
  # shellcheck disable=SC2086
  taskset -c 0 node ${TJ_NODE_FLAGS:-} bin/tjabberd.js serve --config "$OUT/tjabberd/config.yaml" >>"$OUT/tjabberd/server.log" 2>&1 &
  TJ_PID=$!
  wait_port $TJ_PORT
}
stop_tjabberd() { stop_pid "$TJ_PID"; TJ_PID=; }

# --- Prosody: one instance per SCRAM hash (Prosody stores one hash per host) ---------------------
P_PID=
P_HASH=
start_prosody() { # HASH
  P_HASH=$1
  P_PID=$(bench/prosody/start-prosody.sh "$OUT/prosody-$1" $PROSODY_PORT localhost "$1" 0)
}
stop_prosody() { stop_pid "$P_PID"; P_PID=; }
trap 'stop_tjabberd; stop_prosody' EXIT

log "accounts: $ACCOUNTS per server in $OUT"
node --import tsx bench/load/tjabberd-accounts.ts --data-dir "$OUT/tjabberd/data" --count "$ACCOUNTS" >&2
for h in SHA-1 SHA-256; do
  node --import tsx bench/load/prosody-accounts.ts --data-dir "$OUT/prosody-$h/data" --count "$ACCOUNTS" --hash "$h" >&2
done

run() { # LABEL PORT MODE ARGS...
  local label=$1 port=$2 mode=$3; shift 3
  log "$label $mode $*"
  "${LOAD[@]}" "$mode" --port "$port" --users "$ACCOUNTS" --label "$label" "$@" | tee -a "$RESULTS" || log "$label $mode failed"
}

# Each repeat alternates which server goes first, to spread slow drifts in the machine's noise.
for r in $(seq 1 "$REPEAT"); do
  order=(tjabberd prosody); [ $((r % 2)) -eq 0 ] && order=(prosody tjabberd)
  for server in "${order[@]}"; do
    for mode in $MODES; do
      case "$server:$mode" in
        tjabberd:login)
          start_tjabberd
          for m in PLAIN SCRAM-SHA-1 SCRAM-SHA-256; do run tjabberd $TJ_PORT login --count "$LOGINS" --mechanism $m; done
          run tjabberd $TJ_PORT login --count "$LOGINS" --mechanism SCRAM-SHA-1 --tls
          stop_tjabberd ;;
        prosody:login)
          start_prosody SHA-1
          for m in PLAIN SCRAM-SHA-1; do run prosody $PROSODY_PORT login --count "$LOGINS" --mechanism $m; done
          run prosody $PROSODY_PORT login --count "$LOGINS" --mechanism SCRAM-SHA-1 --tls
          stop_prosody
          start_prosody SHA-256
          run prosody $PROSODY_PORT login --count "$LOGINS" --mechanism SCRAM-SHA-256
          stop_prosody ;;
        # Idle memory: a fresh process per measurement, so one run's freed memory doesn't hide the next's.
        tjabberd:idle)
          for tls in "" --tls; do start_tjabberd; run tjabberd $TJ_PORT idle --count "$IDLE" --pid "$TJ_PID" $tls; stop_tjabberd; done ;;
        prosody:idle)
          for tls in "" --tls; do start_prosody SHA-1; run prosody $PROSODY_PORT idle --count "$IDLE" --pid "$P_PID" $tls; stop_prosody; done ;;
        tjabberd:messages)
          start_tjabberd; run tjabberd $TJ_PORT messages --count 50 --window 20 --duration "$DURATION"; stop_tjabberd ;;
        prosody:messages)
          start_prosody SHA-1; run prosody $PROSODY_PORT messages --count 50 --window 20 --duration "$DURATION"; stop_prosody ;;
        tjabberd:presence)
          start_tjabberd; run tjabberd $TJ_PORT presence --count 100 --contacts 20 --updates 5 --rounds "$ROUNDS"; stop_tjabberd ;;
        prosody:presence)
          start_prosody SHA-1; run prosody $PROSODY_PORT presence --count 100 --contacts 20 --updates 5 --rounds "$ROUNDS"; stop_prosody ;;
      esac
    done
  done
done

node --import tsx bench/load/summarize.ts "$RESULTS" | tee "$OUT/table.md"
log "results: $RESULTS, table: $OUT/table.md"
