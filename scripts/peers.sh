#!/usr/bin/env bash
# Starts the local peers on 127.0.0.1 and prints `export VAR=...` lines for
# them; `scripts/peers.sh stop` ends them. Used by scripts/test.sh and by the
# demo. Peers:
#   ROLECTL_MOTO_URL         moto_server with SigV4 and IAM checks on
#   ROLECTL_MOTO_NOAUTH_URL  moto_server without auth (AssumeRoleWithWebIdentity)
set -euo pipefail
cd "$(dirname "$0")/.."
# ROLECTL_PEERS_DIR keeps the demo and the benchmarks apart from the tests' peers.
dir=${ROLECTL_PEERS_DIR:-.peers}
mkdir -p "$dir"

stop() {
  for pidfile in "$dir"/*.pid; do
    [ -e "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

free_port() {
  .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_up() { # url name
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$1/moto-api/" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "peers: $2 did not start on $1; see $dir/$2.log" >&2
  cat "$dir/$2.log" >&2 || true
  return 1
}

start_moto() { # name, extra env...
  local name=$1; shift
  local port; port=$(free_port)
  # A recording left by an earlier run would only grow: each run starts empty.
  rm -f "$dir/$name.recording"
  env "$@" AWS_EC2_METADATA_DISABLED=true MOTO_ENABLE_RECORDING=1 MOTO_RECORDER_FILEPATH="$dir/$name.recording" \
    .venv/bin/moto_server -H 127.0.0.1 -p "$port" >"$dir/$name.log" 2>&1 &
  echo $! > "$dir/$name.pid"
  wait_up "http://127.0.0.1:$port" "$name"
  echo "http://127.0.0.1:$port"
}

case "${1:-start}" in
  stop) stop ;;
  start)
    stop
    auth=$(start_moto moto INITIAL_NO_AUTH_ACTION_COUNT=0)
    noauth=$(start_moto moto-noauth)
    echo "export ROLECTL_MOTO_URL=$auth"
    echo "export ROLECTL_MOTO_NOAUTH_URL=$noauth"
    ;;
  *) echo "usage: scripts/peers.sh [start|stop]" >&2; exit 2 ;;
esac
