#!/usr/bin/env bash
# A two-node PostgreSQL cluster on loopback: one etcd, two Patroni nodes with synchronous
# replication, and HAProxy on the primary's port. Everything lives under HA_DIR and runs as the
# unprivileged `postgres` account when started as root.
#
#   deploy/ha/cluster.sh start          start it; prints DATABASE_URL (also in $HA_DIR/cluster.env)
#   deploy/ha/cluster.sh status         each node's role, state, timeline and lag
#   deploy/ha/cluster.sh crash NODE     SIGKILL NODE's Patroni and PostgreSQL at once (n1 or n2)
#   deploy/ha/cluster.sh rejoin NODE    start NODE's Patroni again; it rejoins as a standby
#   deploy/ha/cluster.sh stop           stop every process and delete HA_DIR
#
# HA_DIR (default /tmp/authz-ha) and HA_PORT_BASE (default 25430; eight ports from there) pick
# where it lives. PG_BIN defaults to PostgreSQL 15's binaries.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
HA_DIR="${HA_DIR:-/tmp/authz-ha}"
BASE="${HA_PORT_BASE:-25430}"
export PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
export ETCD_PORT=$BASE ETCD_PEER_PORT=$((BASE + 1)) PRIMARY_PORT=$((BASE + 2)) STATS_PORT=$((BASE + 3))
export N1_PG_PORT=$((BASE + 4)) N1_REST_PORT=$((BASE + 5)) N2_PG_PORT=$((BASE + 6)) N2_REST_PORT=$((BASE + 7))
MARKER=.authz-ha-cluster

die() { echo "cluster.sh: $*" >&2; exit 1; }
rest_port() { case "$1" in n1) echo "$N1_REST_PORT" ;; n2) echo "$N2_REST_PORT" ;; *) die "no node '$1' (n1 or n2)" ;; esac; }

# As root, every process runs as postgres (PostgreSQL refuses root), with HA_DIR as its home.
owner_prefix() {
  [ "$(id -u)" = 0 ] && echo "setpriv --reuid=postgres --regid=postgres --init-groups --reset-env -- env PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=$HA_DIR"
  return 0
}
as_owner() { $(owner_prefix) "$@"; }

# Starts a long-running process in its own session; NAME.pid holds the process's own pid
# (subshell, setsid, setpriv and env all exec in place).
launch() {
  local name=$1; shift
  (cd "$HA_DIR" && exec setsid $(owner_prefix) "$@" >>"$HA_DIR/$name.log" 2>&1 </dev/null) &
  echo $! >"$HA_DIR/$name.pid"
}

# A pid from FILE that is still one of this cluster's processes (its command line names HA_DIR),
# so a stale file never leads to signalling a stranger that reused the pid.
owned() {
  local pid
  [ -f "$1" ] && pid=$(head -1 "$1") && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$HA_DIR" && echo "$pid"
}
alive() { owned "$1" >/dev/null; }

wait_for() {
  local what=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what: not ready after ${seconds}s (logs in $HA_DIR)"
}

# The state HAProxy gives n1 and n2 on the primary port, from its stats page (CSV).
proxy_states() {
  [ "$(curl -sf --max-time 1 "http://127.0.0.1:$STATS_PORT/;csv" | awk -F, '$1 == "primary" && ($2 == "n1" || $2 == "n2") { printf "%s%s", sep, $18; sep = " " }')" = "$1" ]
}

rest() { curl -sf --max-time 1 "http://127.0.0.1:$1$2"; }
secret() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }

render() {
  local template=$1 out=$2
  envsubst "$(grep -o '\${[A-Z0-9_]*}' "$template" | sort -u | tr -d '\n')" <"$template" >"$out"
}

start_node() {
  launch "$1/patroni" patroni "$HA_DIR/$1/patroni.yml"
}

cmd_start() {
  [ -f "$HA_DIR/$MARKER" ] && alive "$HA_DIR/etcd.pid" && die "a cluster already runs under $HA_DIR (stop it first)"
  if [ -e "$HA_DIR" ]; then
    [ -f "$HA_DIR/$MARKER" ] || die "$HA_DIR exists and is not a cluster directory; choose another HA_DIR"
    rm -rf "$HA_DIR"
  fi
  for tool in patroni etcd haproxy envsubst curl psql ss; do command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y patroni etcd-server haproxy)"; done
  for port in $(seq "$BASE" $((BASE + 7))); do
    [ -z "$(ss -Hltn "sport = :$port")" ] || die "port $port is taken; choose another HA_PORT_BASE"
  done
  mkdir -p "$HA_DIR" && chmod 700 "$HA_DIR" && touch "$HA_DIR/$MARKER"
  # A start that fails half-way stops what it started, and keeps the logs.
  trap 'echo "cluster.sh: start failed; stopped what had started, logs in $HA_DIR" >&2; cmd_stop keep' EXIT
  export SUPERUSER_PASSWORD REPLICATION_PASSWORD REWIND_PASSWORD
  SUPERUSER_PASSWORD=$(secret) REPLICATION_PASSWORD=$(secret) REWIND_PASSWORD=$(secret)
  for node in n1 n2; do
    mkdir -p "$HA_DIR/$node"
    local upper=${node^^}
    NODE=$node NODE_DIR="$HA_DIR/$node" PG_PORT=$(eval echo "\$${upper}_PG_PORT") REST_PORT=$(eval echo "\$${upper}_REST_PORT") \
      render "$HERE/patroni.yml" "$HA_DIR/$node/patroni.yml"
  done
  render "$HERE/haproxy.cfg" "$HA_DIR/haproxy.cfg"
  local url="postgres://postgres:$SUPERUSER_PASSWORD@127.0.0.1:$PRIMARY_PORT/authz"
  printf 'HA_DIR=%s\nDATABASE_URL=%s\nPRIMARY_PORT=%s\nSTATS_PORT=%s\nN1_REST_PORT=%s\nN2_REST_PORT=%s\nN1_PG_PORT=%s\nN2_PG_PORT=%s\n' \
    "$HA_DIR" "$url" "$PRIMARY_PORT" "$STATS_PORT" "$N1_REST_PORT" "$N2_REST_PORT" "$N1_PG_PORT" "$N2_PG_PORT" >"$HA_DIR/cluster.env"
  chmod 600 "$HA_DIR"/*/patroni.yml "$HA_DIR/cluster.env"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$HA_DIR"
  as_owner test -w "$HA_DIR" || die "the postgres account cannot reach $HA_DIR; choose an HA_DIR under a directory it can traverse"

  launch etcd etcd --name authz-ha --data-dir "$HA_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "authz-ha=http://127.0.0.1:$ETCD_PEER_PORT" --log-level warn
  wait_for etcd 20 curl -sf --max-time 1 "http://127.0.0.1:$ETCD_PORT/health"

  # n1 initialises the cluster; n2 then clones it and becomes the synchronous standby.
  start_node n1
  wait_for "n1 as primary" 60 rest "$N1_REST_PORT" /primary
  start_node n2
  wait_for "n2 as synchronous standby" 90 rest "$N2_REST_PORT" /sync
  launch haproxy haproxy -db -f "$HA_DIR/haproxy.cfg"
  # HAProxy counts a server up until its checks say otherwise: wait for them to settle on n1 alone.
  wait_for "HAProxy's checks" 20 proxy_states "UP DOWN"
  PGPASSWORD="$SUPERUSER_PASSWORD" psql -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -c 'CREATE DATABASE authz'
  trap - EXIT
  echo "cluster up under $HA_DIR"
  echo "DATABASE_URL=$url"
}

cmd_status() {
  [ -f "$HA_DIR/cluster.env" ] || die "no cluster under $HA_DIR"
  patronictl -c "$HA_DIR/n1/patroni.yml" list
}

# The processes that make up a node: its Patroni, and its postmaster with every child.
node_pids() {
  local pids=() pid
  pid=$(owned "$HA_DIR/$1/patroni.pid") && pids+=("$pid")
  pid=$(owned "$HA_DIR/$1/data/postmaster.pid") && pids+=("$pid") && pids+=($(pgrep -P "$pid" || true))
  echo "${pids[@]}"
}

cmd_crash() {
  rest_port "$1" >/dev/null
  local pids; pids=$(node_pids "$1")
  [ -n "$pids" ] || die "$1 is not running"
  # All at once, as when the machine under them dies: nothing gets to shut down cleanly.
  kill -9 $pids
  echo "killed $1: $pids"
}

cmd_rejoin() {
  rest_port "$1" >/dev/null
  alive "$HA_DIR/$1/patroni.pid" && die "$1 is running"
  start_node "$1"
  echo "started $1's Patroni"
}

stop_pidfile() {
  local pid
  pid=$(owned "$1") || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# Stops every process; `keep` leaves HA_DIR and its logs behind.
cmd_stop() {
  [ -f "$HA_DIR/$MARKER" ] || { echo "no cluster under $HA_DIR"; return 0; }
  stop_pidfile "$HA_DIR/haproxy.pid"
  # Patroni stops its PostgreSQL; a postmaster left by a crashed node goes by its own pid.
  for node in n1 n2; do
    stop_pidfile "$HA_DIR/$node/patroni.pid"
    local remaining; remaining=$(node_pids "$node")
    [ -n "$remaining" ] && kill -9 $remaining 2>/dev/null || true
  done
  stop_pidfile "$HA_DIR/etcd.pid"
  [ "${1:-}" = keep ] && return 0
  rm -rf "$HA_DIR"
  echo "cluster stopped"
}

case "${1:-}" in
  start) cmd_start ;;
  status) cmd_status ;;
  crash) cmd_crash "${2:-}" ;;
  rejoin) cmd_rejoin "${2:-}" ;;
  stop) cmd_stop ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
