#!/usr/bin/env bash
# The compose stack without Docker: Debian's prometheus and
# prometheus-alertmanager and bin/slawatch, every process on 127.0.0.1.
#
#   deploy/local/stack.sh up DIR     start everything; state, logs and pids in DIR
#   deploy/local/stack.sh down DIR   stop what `up DIR` started (by pid), keep DIR
#
# Ports (environment, defaults as in compose): PROM_PORT=9090 AM_PORT=9093
# TELEPHONY_PORT=9464 LINETEST_PORT=9466 CRM_PORT=9467 MAILROOM_PORT=9470
# NOTIFY_PORT=9095 PROXY_PORT=9099 PROXY_METRICS_PORT=9098.
# SLAWATCH_BIN (default bin/slawatch), CATALOG (default examples/london-ooh.yaml),
# INTERVAL (scrape and rule evaluation, default 15s).
# The tenancy proxy runs when DIR/proxy-credentials.yaml exists (make entries
# with `slawatch proxy token --po PO --credentials DIR/proxy-credentials.yaml`).
# Grafana is not packaged for Debian: point one at http://127.0.0.1:$PROM_PORT
# (provider) and http://127.0.0.1:$PROXY_PORT (POs); see docs/DEPLOY.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

cmd=${1:-}; dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2
fi
mkdir -p "$dir"; dir=$(cd "$dir" && pwd)

PROM_PORT=${PROM_PORT:-9090}; AM_PORT=${AM_PORT:-9093}
TELEPHONY_PORT=${TELEPHONY_PORT:-9464}; LINETEST_PORT=${LINETEST_PORT:-9466}
CRM_PORT=${CRM_PORT:-9467}; MAILROOM_PORT=${MAILROOM_PORT:-9470}
NOTIFY_PORT=${NOTIFY_PORT:-9095}; PROXY_PORT=${PROXY_PORT:-9099}; PROXY_METRICS_PORT=${PROXY_METRICS_PORT:-9098}
SLAWATCH_BIN=${SLAWATCH_BIN:-$repo/bin/slawatch}; CATALOG=${CATALOG:-$repo/examples/london-ooh.yaml}
INTERVAL=${INTERVAL:-15s}
export SLAWATCH_STORE="sqlite:$dir/events.db"

# start NAME CMD...: runs CMD in the background, log in DIR/logs, pid in DIR/pids.
start() {
  local name=$1; shift
  "$@" >"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name.pid"
}

# wait_healthy NAME URL: until URL answers 2xx (60 s), else print the log and fail.
wait_healthy() {
  local name=$1 url=$2 i
  for i in $(seq 1 120); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! kill -0 "$(cat "$dir/pids/$name.pid")" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "stack: $name is not healthy at $url; its log:" >&2
  tail -n 30 "$dir/logs/$name.log" >&2
  return 1
}

up() {
  [ -x "$SLAWATCH_BIN" ] || { echo "stack: $SLAWATCH_BIN not found: run make build" >&2; exit 1; }
  command -v prometheus >/dev/null && command -v prometheus-alertmanager >/dev/null ||
    { echo "stack: needs Debian's prometheus and prometheus-alertmanager: make deps" >&2; exit 1; }
  mkdir -p "$dir/logs" "$dir/pids" "$dir/prometheus-data" "$dir/alertmanager-data" "$dir/mailroom-drop"
  ln -sfn "$repo/rules/generated" "$dir/rules"
  "$SLAWATCH_BIN" generate alerting --catalog "$CATALOG" --notifier-url "http://127.0.0.1:$NOTIFY_PORT" \
    --out "$dir/alertmanager.yml" >/dev/null
  local proxy_job=""
  if [ -f "$dir/proxy-credentials.yaml" ]; then
    proxy_job="  - job_name: proxy
    static_configs: [{targets: [\"127.0.0.1:$PROXY_METRICS_PORT\"]}]"
  fi
  cat >"$dir/prometheus.yml" <<YAML
# Written by deploy/local/stack.sh: deploy/prometheus/prometheus.yml on loopback.
global:
  scrape_interval: $INTERVAL
  evaluation_interval: $INTERVAL
  external_labels: {stack: slawatch-local}
rule_files: [rules/*.yml]
alerting:
  alertmanagers: [{static_configs: [{targets: ["127.0.0.1:$AM_PORT"]}]}]
scrape_configs:
  - job_name: prometheus
    static_configs: [{targets: ["127.0.0.1:$PROM_PORT"]}]
  - job_name: alertmanager
    static_configs: [{targets: ["127.0.0.1:$AM_PORT"]}]
  - job_name: telephony
    static_configs: [{targets: ["127.0.0.1:$TELEPHONY_PORT"]}]
  - job_name: linetest
    static_configs: [{targets: ["127.0.0.1:$LINETEST_PORT"]}]
  - job_name: crm
    static_configs: [{targets: ["127.0.0.1:$CRM_PORT"]}]
  - job_name: mailroom
    static_configs: [{targets: ["127.0.0.1:$MAILROOM_PORT"]}]
  - job_name: notifier
    static_configs: [{targets: ["127.0.0.1:$NOTIFY_PORT"]}]
$proxy_job
YAML
  local c=(--catalog "$CATALOG" --log-level warn)
  # The telephony exporter makes the store's schema; the others start after it.
  start telephony "$SLAWATCH_BIN" serve --listen "127.0.0.1:$TELEPHONY_PORT" "${c[@]}"
  wait_healthy telephony "http://127.0.0.1:$TELEPHONY_PORT/-/healthy"
  start linetest "$SLAWATCH_BIN" linetest serve --sim --exporter "http://127.0.0.1:$TELEPHONY_PORT" \
    --listen "127.0.0.1:$LINETEST_PORT" "${c[@]}"
  start crm "$SLAWATCH_BIN" crm serve --listen "127.0.0.1:$CRM_PORT" "${c[@]}"
  start mailroom "$SLAWATCH_BIN" mailroom serve --listen "127.0.0.1:$MAILROOM_PORT" --drop "$dir/mailroom-drop" "${c[@]}"
  start notify "$SLAWATCH_BIN" notify --listen "127.0.0.1:$NOTIFY_PORT" --prometheus "http://127.0.0.1:$PROM_PORT" "${c[@]}"
  start alertmanager prometheus-alertmanager --config.file "$dir/alertmanager.yml" \
    --storage.path "$dir/alertmanager-data" --web.listen-address "127.0.0.1:$AM_PORT" --cluster.listen-address ""
  start prometheus prometheus --config.file "$dir/prometheus.yml" --storage.tsdb.path "$dir/prometheus-data" \
    --web.listen-address "127.0.0.1:$PROM_PORT"
  if [ -f "$dir/proxy-credentials.yaml" ]; then
    start proxy "$SLAWATCH_BIN" proxy serve --listen "127.0.0.1:$PROXY_PORT" --metrics-listen "127.0.0.1:$PROXY_METRICS_PORT" \
      --upstream "http://127.0.0.1:$PROM_PORT" --credentials "$dir/proxy-credentials.yaml" "${c[@]}"
  fi
  wait_healthy linetest "http://127.0.0.1:$LINETEST_PORT/-/healthy"
  wait_healthy crm "http://127.0.0.1:$CRM_PORT/-/healthy"
  wait_healthy mailroom "http://127.0.0.1:$MAILROOM_PORT/-/healthy"
  wait_healthy notify "http://127.0.0.1:$NOTIFY_PORT/-/healthy"
  wait_healthy alertmanager "http://127.0.0.1:$AM_PORT/-/healthy"
  wait_healthy prometheus "http://127.0.0.1:$PROM_PORT/-/ready"
  if [ -f "$dir/pids/proxy.pid" ]; then wait_healthy proxy "http://127.0.0.1:$PROXY_PORT/-/healthy"; fi
  echo "stack: up in $dir (Prometheus http://127.0.0.1:$PROM_PORT, Alertmanager http://127.0.0.1:$AM_PORT)"
}

down() {
  local f pid
  [ -d "$dir/pids" ] || return 0
  for f in "$dir"/pids/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
  done
  for f in "$dir"/pids/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  echo "stack: down ($dir kept)"
}

case "$cmd" in
  up) up ;;
  down) down ;;
  *) echo "stack: use up or down" >&2; exit 2 ;;
esac
