#!/usr/bin/env bash
# Shared helpers for the HA drills (sourced, not run). Needs: kubectl, curl, jq.
#
# Every drill: open a port-forward to the API Service, run a bounded loop of
# job submissions in the background, inject one fault, then report how long
# submissions failed ("downtime") and whether every accepted job finished.
#
# Knobs (environment):
#   NS=streamq          namespace of the app and Redis
#   LOCAL_PORT=18080    local end of the port-forward
#   DURATION=90         seconds the probe loop runs (it stops by itself)
#   INTERVAL=0.5        seconds between submissions
#   WARMUP=10           seconds of healthy traffic before the fault
#   QUEUE=drill         queue the drill submits to (type "noop" / "sleep")
#   SETTLE=120          seconds to wait for accepted jobs to finish
#   STREAMQ_TOKEN=      bearer token with the producer role (the API wants one;
#                       docs/operations.md, "Authentication")
#
# The drill's job types are the built-in demo handlers, off by default: turn them
# on for the drill with
#   kubectl -n streamq set env deploy/streamq-worker STREAMQ_WORKER_BUILTIN_HANDLERS=true
#
# Note: `kubectl port-forward svc/...` pins ONE pod behind the Service. If that
# pod dies the forward breaks; the loop re-opens it on svc/streamq-api (so on a
# surviving pod) and the reconnect time counts as downtime: an upper bound of
# what a client going through the Service sees.

set -euo pipefail

NS="${NS:-streamq}"
LOCAL_PORT="${LOCAL_PORT:-18080}"
DURATION="${DURATION:-90}"
INTERVAL="${INTERVAL:-0.5}"
WARMUP="${WARMUP:-10}"
QUEUE="${QUEUE:-drill}"
SETTLE="${SETTLE:-120}"
MASTER_NAME="${MASTER_NAME:-mymaster}"
STREAMQ_TOKEN="${STREAMQ_TOKEN:-}"
# curl arguments that authenticate a request (none without a token).
AUTH=()
if [[ -n "$STREAMQ_TOKEN" ]]; then
  AUTH=(-H "Authorization: Bearer ${STREAMQ_TOKEN}")
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/streamq-drill.XXXXXX")"
PF_PID=""
# What the port-forward points at; kill-api.sh starts on the victim pod.
PF_TARGET="${PF_TARGET:-svc/streamq-api}"
PROBE_PID=""
CLEANUPS=()

log() {
  printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2
}

die() {
  log "FAIL: $*"
  exit 1
}

need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "missing tool: $tool"
  done
}

k() {
  kubectl -n "$NS" "$@"
}

# Register a command to run on exit (e.g. removing a drill's NetworkPolicy).
on_exit() {
  CLEANUPS+=("$*")
}

cleanup() {
  local cmd
  for cmd in "${CLEANUPS[@]+"${CLEANUPS[@]}"}"; do
    log "cleanup: $cmd"
    eval "$cmd" || true
  done
  # Only the processes this script started, by pid (the probe loop runs in a
  # subshell, so the port-forwards it re-opened are listed in pf.pids).
  if [[ -n "$PROBE_PID" ]]; then
    kill "$PROBE_PID" 2>/dev/null || true
  fi
  local pid
  if [[ -f "$WORK/pf.pids" ]]; then
    while read -r pid; do
      kill "$pid" 2>/dev/null || true
    done <"$WORK/pf.pids"
  fi
  log "artifacts kept in $WORK"
}
trap cleanup EXIT

api_url() {
  printf 'http://127.0.0.1:%s' "$LOCAL_PORT"
}

start_port_forward() {
  local port=80
  [[ "$PF_TARGET" == pod/* ]] && port=8080
  k port-forward "$PF_TARGET" "${LOCAL_PORT}:${port}" >>"$WORK/port-forward.log" 2>&1 &
  PF_PID=$!
  echo "$PF_PID" >>"$WORK/pf.pids"
  local i code
  for i in $(seq 1 40); do
    # Any HTTP answer (401 without a token) proves the forward reaches the API: health is on
    # the management port, which the Service does not expose.
    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 1 "$(api_url)/queues" 2>/dev/null) || code="000"
    if [[ "$code" != "000" ]]; then
      return 0
    fi
    kill -0 "$PF_PID" 2>/dev/null || break
    sleep 0.25
  done
  log "port-forward not ready after ${i} tries"
  return 1
}

# Restart the port-forward if it died (its pod went away), through the Service.
ensure_port_forward() {
  if [[ -z "$PF_PID" ]] || ! kill -0 "$PF_PID" 2>/dev/null; then
    PF_TARGET=svc/streamq-api
    start_port_forward || true
  fi
}

# submit TYPE PAYLOAD_JSON -> prints the HTTP status; accepted ids go to jobs.txt
submit() {
  local type="$1" payload="$2" out code
  out="$WORK/last-submit.json"
  code=$(curl -sS -o "$out" -w '%{http_code}' --connect-timeout 1 --max-time 3 \
    -H 'Content-Type: application/json' "${AUTH[@]}" \
    -H "Idempotency-Key: drill-$(date +%s%N)-$RANDOM" \
    -d "{\"type\":\"${type}\",\"payload\":${payload}}" \
    "$(api_url)/queues/${QUEUE}/jobs" 2>/dev/null) || code="000"
  if [[ "$code" == 202 || "$code" == 200 ]]; then
    jq -r '.id // empty' "$out" >>"$WORK/jobs.txt" 2>/dev/null || true
  fi
  printf '%s' "$code"
}

# Bounded probe loop: at most DURATION/INTERVAL submissions, then it stops.
probe_loop() {
  local type="$1" payload="$2" max i code
  max=$(awk -v d="$DURATION" -v i="$INTERVAL" 'BEGIN { printf "%d", d / i }')
  for ((i = 0; i < max; i++)); do
    ensure_port_forward
    code=$(submit "$type" "$payload")
    printf '%s %s\n' "$(date +%s%3N)" "$code" >>"$WORK/probe.log"
    sleep "$INTERVAL"
  done
}

start_probe() {
  : >"$WORK/probe.log"
  : >"$WORK/jobs.txt"
  probe_loop "$@" &
  PROBE_PID=$!
  log "probe loop started (pid $PROBE_PID, ${DURATION}s, every ${INTERVAL}s, queue ${QUEUE})"
}

wait_probe() {
  wait "$PROBE_PID" || true
  PROBE_PID=""
}

# Longest run of failed submissions, measured from the first failure to the
# next success, plus totals. Prints "downtime_ms=N" last (machine-readable).
report() {
  awk '
    { t = $1; ok = ($2 ~ /^20[02]$/) ; total++ }
    ok  { good++; if (down_start) { d = t - down_start; if (d > worst) worst = d; down_start = 0 } }
    !ok { bad++; if (!down_start) down_start = t; last_bad = t }
    END {
      if (down_start) { d = last_bad - down_start; if (d > worst) worst = d; open = 1 }
      printf "submissions=%d ok=%d failed=%d\n", total, good, bad
      if (open) print "WARNING: still failing when the loop ended"
      printf "downtime_ms=%d\n", worst
    }' "$WORK/probe.log"
  if [[ -f "$WORK/pf.pids" ]]; then
    log "port-forwards opened: $(wc -l <"$WORK/pf.pids") (more than 1 = the forwarded pod died)"
  fi
}

# job_state ID -> the job's state, "missing" on 404 (a job we were told was
# accepted no longer exists: a lost write), "unreachable" on anything else.
job_state() {
  local body code
  body=$(curl -sS --max-time 3 "${AUTH[@]}" -w '\n%{http_code}' "$(api_url)/jobs/$1" 2>/dev/null) || body=$'\n000'
  code="${body##*$'\n'}"
  case "$code" in
    200) printf '%s' "${body%$'\n'*}" | jq -r '.state // "unknown"' ;;
    404) printf 'missing' ;;
    *) printf 'unreachable' ;;
  esac
}

# Wait until every accepted job reached a final state; fail on lost jobs.
verify_jobs() {
  local deadline id state pending total lost=0
  total=$(sort -u "$WORK/jobs.txt" | wc -l)
  deadline=$(($(date +%s) + SETTLE))
  ensure_port_forward
  while :; do
    pending=0
    : >"$WORK/states.txt"
    while read -r id; do
      state=$(job_state "$id")
      printf '%s %s\n' "$id" "$state" >>"$WORK/states.txt"
      case "$state" in
        succeeded | dead) ;; # the final states (JobState)
        *) pending=$((pending + 1)) ;;
      esac
    done < <(sort -u "$WORK/jobs.txt")
    if ((pending == 0)) || (($(date +%s) > deadline)); then
      break
    fi
    sleep 5
    ensure_port_forward
  done
  lost=$(awk '$2 == "missing"' "$WORK/states.txt" | wc -l)
  log "accepted jobs: $total; by state:"
  awk '{ n[$2]++ } END { for (s in n) printf "  %-12s %d\n", s, n[s] }' "$WORK/states.txt" >&2
  ((lost == 0)) || die "$lost accepted job(s) are gone (lost writes)"
  ((pending == 0)) || die "$pending job(s) still not final after ${SETTLE}s"
}

# Host name of the master as the sentinels see it (redis-N.redis.<ns>.svc...),
# from the first running sentinel that answers (one may be the drill's victim).
current_master_host() {
  local pod host
  for pod in $(k get pods -l app=redis-sentinel --field-selector=status.phase=Running -o name); do
    host=$(k exec "${pod#pod/}" -c sentinel -- sh -c \
      "redis-cli -p 26379 SENTINEL get-master-addr-by-name $MASTER_NAME | head -n 1" 2>/dev/null || true)
    if [[ -n "$host" ]]; then
      printf '%s' "$host"
      return 0
    fi
  done
  return 1
}

# redis-N.redis.streamq.svc.cluster.local -> redis-N
host_to_pod() {
  printf '%s' "${1%%.*}"
}

# Block until the sentinels report a master different from $1 (bounded).
wait_new_master() {
  local old="$1" timeout="${2:-90}" t0 now host
  t0=$(date +%s)
  while :; do
    host=$(current_master_host 2>/dev/null || true)
    if [[ -n "$host" && "$host" != "$old" ]]; then
      now=$(date +%s)
      log "new master: $host after $((now - t0))s"
      printf '%s' "$host"
      return 0
    fi
    (($(date +%s) - t0 < timeout)) || die "no new master after ${timeout}s"
    sleep 1
  done
}

preflight() {
  need kubectl curl jq awk
  k get deploy streamq-api >/dev/null || die "no streamq-api Deployment in namespace $NS"
  start_port_forward || die "cannot reach the API through port-forward"
}
