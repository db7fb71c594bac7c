#!/usr/bin/env bash
# Drill: hard-kill one worker pod while it holds in-flight jobs.
#
# Expected: submissions never fail (the API is not involved); the jobs the dead
# worker had taken stay pending in the consumer group until their visibility
# timeout (30 s) passes, then a surviving worker reclaims them
# (streamq_jobs_reclaimed_total rises) and every accepted job finishes.
#
# Usage: deploy/k8s/drills/kill-worker.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# Long enough that the victim is surely mid-job when it dies.
JOB_MS="${JOB_MS:-3000}"
# Visibility timeout (30 s) + reclaim interval + the jobs' own run time.
SETTLE="${SETTLE:-150}"

# Sum of a counter over the running worker pods, read through the API server's
# pod proxy (no port-forward needed, works with the shell-less image).
worker_counter() {
  local metric="$1" pod total=0 v
  for pod in $(k get pods -l app=streamq,role=worker --field-selector=status.phase=Running -o name); do
    v=$(kubectl get --raw "/api/v1/namespaces/${NS}/pods/${pod#pod/}:9000/proxy/q/metrics" 2>/dev/null \
      | awk -v m="$metric" 'index($0, m) == 1 { s += $NF } END { printf "%d", s }')
    total=$((total + ${v:-0}))
  done
  printf '%d' "$total"
}

preflight
victim=$(k get pods -l app=streamq,role=worker -o jsonpath='{.items[0].metadata.name}')
[[ -n "$victim" ]] || die "no worker pod"
before=$(worker_counter streamq_jobs_reclaimed_total)

start_probe sleep "{\"ms\":${JOB_MS}}"
sleep "$WARMUP"
log "force-deleting worker $victim"
k delete pod "$victim" --grace-period=0 --force --wait=false

wait_probe
report
verify_jobs

after=$(worker_counter streamq_jobs_reclaimed_total)
log "reclaimed by surviving workers during the drill: $((after - before))"
((after > before)) || log "note: nothing reclaimed (the victim held no job, or the counter restarted with a pod)"
k rollout status deploy/streamq-worker --timeout=180s
log "PASS: worker replaced, no accepted job lost"
