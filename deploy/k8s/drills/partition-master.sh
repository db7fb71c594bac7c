#!/usr/bin/env bash
# Drill: network-partition the Redis master with a NetworkPolicy (needs a CNI
# that enforces NetworkPolicy: Calico, Cilium, ...; kindnet and flannel do not).
#
# MODE=full (default): the master can talk to nobody. Expect a failover after
# ~5 s as in kill-master.sh, and the old master to rejoin as a replica once the
# partition heals.
# MODE=minority: the app pods can still reach the old master, but its replicas
# and the sentinels cannot. This is the split-brain case: the old master still
# takes writes until min-replicas-max-lag (10 s) makes it refuse them
# (NOREPLICAS); the app's WAIT for 1 replica must keep it from acknowledging
# any of them, so verify_jobs must find no lost job.
#
# Usage: MODE=minority PARTITION_SECONDS=30 deploy/k8s/drills/partition-master.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

MODE="${MODE:-full}"
PARTITION_SECONDS="${PARTITION_SECONDS:-30}"
POLICY=streamq-drill-partition

case "$MODE" in
  full)
    ingress='[]'
    ;;
  minority)
    ingress='[{"from":[{"podSelector":{"matchLabels":{"app":"streamq"}}}],"ports":[{"port":6379,"protocol":"TCP"}]}]'
    ;;
  *) die "MODE must be full or minority" ;;
esac

preflight
old=$(current_master_host)
[[ -n "$old" ]] || die "sentinels report no master"
victim=$(host_to_pod "$old")
log "master is $old (pod $victim); partition mode $MODE for ${PARTITION_SECONDS}s"

heal() {
  k delete networkpolicy "$POLICY" --ignore-not-found
  k label pod "$victim" streamq.dev/partitioned- >/dev/null 2>&1 || true
}
on_exit heal

start_probe noop '{}'
sleep "$WARMUP"

# The label takes the pod out of redis-allow-clients (deploy/k8s/redis); this
# policy then allows only $ingress and no egress at all (not even DNS).
k label pod "$victim" streamq.dev/partitioned=true --overwrite
k apply -f - <<POLICY
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${POLICY}
  labels:
    app.kubernetes.io/part-of: streamq-drills
spec:
  podSelector:
    matchLabels:
      streamq.dev/partitioned: "true"
  policyTypes: ["Ingress", "Egress"]
  ingress: ${ingress}
  egress: []
POLICY
log "partition applied"

new=$(wait_new_master "$old" 90)
sleep "$PARTITION_SECONDS"
log "healing the partition"
heal

wait_probe
report
verify_jobs

# After healing, the sentinels turn the old master into a replica of the new one.
for _ in $(seq 1 60); do
  role=$(k exec "$victim" -c redis -- redis-cli INFO replication 2>/dev/null | tr -d '\r' | awk -F: '$1 == "role" { print $2 }')
  [[ "$role" == "slave" ]] && break
  sleep 2
done
[[ "$role" == "slave" ]] || die "$victim is still '$role' after the partition healed (split brain?)"
log "PASS: $victim demoted to replica of $new"
