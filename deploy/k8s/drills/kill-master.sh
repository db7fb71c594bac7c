#!/usr/bin/env bash
# Drill: hard-kill the Redis master pod (no shutdown, no final AOF fsync).
#
# Expected (ha overlay): sentinels see the master down after 5 s
# (down-after-milliseconds), promote a replica a few seconds later; submissions
# fail for roughly 5-15 s, then succeed again; no accepted job is lost
# (the app's default durability means a 202 was on every replica too); the
# killed pod comes back as a REPLICA of the new master (redis-init.sh asks the
# sentinels first).
#
# Usage: deploy/k8s/drills/kill-master.sh   (see lib.sh for knobs)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

preflight
old=$(current_master_host)
[[ -n "$old" ]] || die "sentinels report no master: fix that before drilling"
victim=$(host_to_pod "$old")
log "master is $old (pod $victim)"

start_probe noop '{}'
sleep "$WARMUP"
log "force-deleting $victim"
k delete pod "$victim" --grace-period=0 --force --wait=false
new=$(wait_new_master "$old" 90)
log "promoted: $new"

wait_probe
report
verify_jobs

log "waiting for $victim to come back"
k wait --for=condition=Ready "pod/$victim" --timeout=300s
role=$(k exec "$victim" -c redis -- redis-cli INFO replication | tr -d '\r' | awk -F: '$1 == "role" { print $2 }')
[[ "$role" == "slave" ]] || die "$victim restarted as '$role', expected a replica of $new"
log "PASS: $victim rejoined as replica of $new"
