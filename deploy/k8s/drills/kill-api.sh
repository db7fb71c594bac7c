#!/usr/bin/env bash
# Drill: hard-kill the API pod that is serving this drill's traffic.
#
# Expected: the port-forward (pinned to the victim) breaks and is re-opened on
# the Service, i.e. on the surviving API pod within a couple of seconds; jobs
# the victim accepted before dying are in Redis and finish; the Deployment
# replaces the pod (PDB + 2 replicas keep one serving throughout).
#
# Usage: deploy/k8s/drills/kill-api.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

victim=$(kubectl -n "$NS" get pods -l app=streamq,role=api --field-selector=status.phase=Running \
  -o jsonpath='{.items[0].metadata.name}')
[[ -n "$victim" ]] || die "no running API pod"
# Send the traffic to the victim itself, so that the kill is felt.
PF_TARGET="pod/$victim"
preflight

start_probe noop '{}'
sleep "$WARMUP"
log "force-deleting API pod $victim"
k delete pod "$victim" --grace-period=0 --force --wait=false

wait_probe
report
verify_jobs
k rollout status deploy/streamq-api --timeout=180s
log "PASS: API pod replaced, no accepted job lost"
