#!/usr/bin/env bash
# Drill: hard-kill one sentinel, then (ALSO_KILL_MASTER=1, the default) kill the
# master while that sentinel is still down.
#
# Expected (ha: 3 sentinels, quorum 2): losing one sentinel costs no traffic at
# all (sentinels are not in the data path); the two left still reach quorum and
# a majority, so the master kill that follows fails over as in kill-master.sh.
# On the mvp overlay (1 sentinel) the second step shows the known gap: no
# failover until the sentinel is back. Run it there with
# VICTIM=redis-sentinel-0 ALSO_KILL_MASTER=0.
#
# Usage: deploy/k8s/drills/kill-sentinel.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

ALSO_KILL_MASTER="${ALSO_KILL_MASTER:-1}"
VICTIM="${VICTIM:-redis-sentinel-2}"

preflight
old=$(current_master_host)
[[ -n "$old" ]] || die "sentinels report no master"

start_probe noop '{}'
sleep "$WARMUP"
log "force-deleting sentinel $VICTIM"
k delete pod "$VICTIM" --grace-period=0 --force --wait=false

if [[ "$ALSO_KILL_MASTER" == 1 ]]; then
  sleep 5
  master_pod=$(host_to_pod "$old")
  log "force-deleting master $master_pod while $VICTIM is down"
  k delete pod "$master_pod" --grace-period=0 --force --wait=false
  # Ask a sentinel that is not the victim.
  new=$(wait_new_master "$old" 90)
  log "failover with one sentinel down: $new"
fi

wait_probe
report
verify_jobs
k rollout status statefulset/redis-sentinel --timeout=180s
log "PASS"
