#!/bin/sh
# The redis-cluster-create Job: once every node answers PING, creates the cluster (3
# masters, 1 replica each) with redis-cli --cluster create. Safe to run again at any time:
# it creates nothing unless every node is still empty.
#
#   all nodes empty (no slot assigned, no peer known)  -> create, then wait for cluster_state:ok
#   cluster_state:ok and all 16384 slots assigned      -> nothing to do, exit 0
#   anything else (a half-made cluster, a blank node   -> touch nothing, print the state, exit 1
#   among formed ones, a shard down)                      (docs/kubernetes-cluster.md says what to do)
#
# Environment (from the Job): POD_NAMESPACE, CLUSTER_DOMAIN, CLUSTER_NODES (count),
# REDISCLI_AUTH (optional; redis-cli reads it, so the password never hits argv).
# NODE_ADDRESSES (space-separated host:port) and WAIT_SECONDS are overridden only by
# dev.streamq.deploy.RedisClusterScriptsTest.
set -eu

: "${CLUSTER_DOMAIN:=cluster.local}"
: "${CLUSTER_NODES:=6}"
: "${CLUSTER_REPLICAS:=1}"
: "${WAIT_SECONDS:=600}"
CLUSTER_SVC=redis-cluster

log() {
  echo "[cluster-create] $*" >&2
}

if [ -z "${NODE_ADDRESSES:-}" ]; then
  NODE_ADDRESSES=""
  i=0
  while [ "$i" -lt "$CLUSTER_NODES" ]; do
    NODE_ADDRESSES="${NODE_ADDRESSES} ${CLUSTER_SVC}-${i}.${CLUSTER_SVC}.${POD_NAMESPACE}.svc.${CLUSTER_DOMAIN}:6379"
    i=$((i + 1))
  done
fi

# cli host:port ARGS... (a bounded call: a dead peer must not hang the Job)
cli() {
  target="$1"
  shift
  timeout 5 redis-cli -h "${target%:*}" -p "${target##*:}" "$@" 2>/dev/null | tr -d '\r'
}

# info_field host:port FIELD -> the value of FIELD in CLUSTER INFO, or nothing
info_field() {
  cli "$1" CLUSTER INFO | awk -F: -v f="$2" '$1 == f { print $2 }'
}

started=$(date +%s)
elapsed() {
  echo $(($(date +%s) - started))
}

while :; do
  missing=""
  for addr in $NODE_ADDRESSES; do
    reply=$(cli "$addr" PING)
    # NOAUTH / WRONGPASS here means the Job and the node disagree about the password.
    [ "$reply" = "PONG" ] || missing="$missing $addr(${reply:-no answer})"
  done
  [ -z "$missing" ] && break
  if [ "$(elapsed)" -ge "$WAIT_SECONDS" ]; then
    log "gave up after ${WAIT_SECONDS}s; no PONG from:$missing"
    exit 1
  fi
  log "waiting for PONG from:$missing"
  sleep 2
done
log "all nodes answer PING"

empty=0
formed=0
for addr in $NODE_ADDRESSES; do
  assigned=$(info_field "$addr" cluster_slots_assigned)
  known=$(info_field "$addr" cluster_known_nodes)
  state=$(info_field "$addr" cluster_state)
  log "$addr: cluster_state=$state slots_assigned=$assigned known_nodes=$known"
  if [ "$assigned" = "0" ] && [ "$known" = "1" ]; then
    empty=$((empty + 1))
  elif [ "$state" = "ok" ] && [ "$assigned" = "16384" ]; then
    formed=$((formed + 1))
  fi
done

if [ "$formed" -eq "$CLUSTER_NODES" ]; then
  log "cluster exists and is ok: nothing to do"
  exit 0
fi
if [ "$empty" -ne "$CLUSTER_NODES" ]; then
  log "not creating: $empty of $CLUSTER_NODES nodes are empty and $formed report a healthy cluster"
  first="${NODE_ADDRESSES# }"
  redis-cli --cluster check "${first%% *}" >&2 || true
  exit 1
fi

log "creating the cluster:$NODE_ADDRESSES"
# shellcheck disable=SC2086 # one argument per node address
redis-cli --cluster create $NODE_ADDRESSES --cluster-replicas "$CLUSTER_REPLICAS" --cluster-yes

# Done when every node sees the cluster ok and knows all the others (gossip has spread,
# so every nodes.conf on the PVCs lists the whole cluster).
started=$(date +%s)
for addr in $NODE_ADDRESSES; do
  until [ "$(info_field "$addr" cluster_state)" = "ok" ] &&
    [ "$(info_field "$addr" cluster_known_nodes)" = "$CLUSTER_NODES" ]; do
    if [ "$(elapsed)" -ge "$WAIT_SECONDS" ]; then
      log "$addr never reported cluster_state:ok with $CLUSTER_NODES known nodes"
      exit 1
    fi
    sleep 1
  done
done
log "cluster created: every node reports cluster_state:ok and knows all $CLUSTER_NODES nodes"
