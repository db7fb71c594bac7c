#!/bin/sh
# Shared by redis-init.sh and sentinel-init.sh (sourced, POSIX sh).
#
# Finds the host name of the CURRENT Redis master so that a restarted pod never
# blindly claims mastership. Order of trust:
#   1. what the sentinels say (majority answer of those that reply): they hold
#      the failover state, so after a failover they point at the promoted replica;
#   2. a Redis peer that itself reports role:master (all sentinels down, e.g.
#      a full cold restart after a failover moved the master away from pod-0);
#   3. pod-0, only when nobody answers at all (first boot of an empty cluster).
#
# Environment (set by the StatefulSets from the redis-topology ConfigMap):
#   POD_NAMESPACE, CLUSTER_DOMAIN, MASTER_NAME, REDIS_NODES, SENTINEL_NODES,
#   REDISCLI_AUTH (optional; redis-cli reads it, so the password never hits argv).

REDIS_SVC=redis
SENTINEL_SVC=redis-sentinel
: "${CLUSTER_DOMAIN:=cluster.local}"
: "${MASTER_NAME:=mymaster}"
# Keep each probe short: a dead peer's DNS name still resolves (headless service
# publishes not-ready addresses) and a SYN to it would otherwise hang.
: "${DISCOVERY_TIMEOUT:=3}"

# redis_fqdn 2 -> redis-2.redis.streamq.svc.cluster.local
redis_fqdn() {
  echo "${REDIS_SVC}-$1.${REDIS_SVC}.${POD_NAMESPACE}.svc.${CLUSTER_DOMAIN}"
}

sentinel_fqdn() {
  echo "${SENTINEL_SVC}-$1.${SENTINEL_SVC}.${POD_NAMESPACE}.svc.${CLUSTER_DOMAIN}"
}

log() {
  echo "[discover-master] $*" >&2
}

# Prints the master host according to the sentinels, or nothing.
# $1: optional sentinel index to skip (a sentinel does not ask itself).
master_from_sentinels() {
  skip="${1:-}"
  answers=""
  i=0
  while [ "$i" -lt "$SENTINEL_NODES" ]; do
    if [ "$i" != "$skip" ]; then
      host=$(timeout "$DISCOVERY_TIMEOUT" redis-cli -h "$(sentinel_fqdn "$i")" -p 26379 \
        SENTINEL get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | head -n 1)
      case "$host" in
        "" | *ERR* | *NOAUTH* | *WRONGPASS*) log "sentinel-$i: no answer" ;;
        *) log "sentinel-$i says master is $host"; answers="${answers}${host}
" ;;
      esac
    fi
    i=$((i + 1))
  done
  # Majority (most frequent) answer; ties resolve to the lexically first host,
  # which is deterministic across pods.
  printf '%s' "$answers" | sed '/^$/d' | sort | uniq -c | sort -k1,1nr -k2 | awk 'NR==1 {print $2}'
}

# Prints the first Redis peer that reports role:master, or nothing.
# $1: optional redis index to skip (the pod itself, whose data is not up yet).
master_from_peers() {
  skip="${1:-}"
  i=0
  while [ "$i" -lt "$REDIS_NODES" ]; do
    if [ "$i" != "$skip" ]; then
      host=$(redis_fqdn "$i")
      if timeout "$DISCOVERY_TIMEOUT" redis-cli -h "$host" -p 6379 INFO replication 2>/dev/null \
        | tr -d '\r' | grep -qx 'role:master'; then
        log "peer redis-$i reports role:master"
        echo "$host"
        return 0
      fi
    fi
    i=$((i + 1))
  done
}

# discover_master [skip_sentinel_index] [skip_redis_index]
discover_master() {
  master=$(master_from_sentinels "${1:-}")
  if [ -z "$master" ]; then
    master=$(master_from_peers "${2:-}")
  fi
  if [ -z "$master" ]; then
    master=$(redis_fqdn 0)
    log "nobody knows a master: defaulting to $master"
  fi
  echo "$master"
}
