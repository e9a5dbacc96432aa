#!/usr/bin/env bash
# Installs what the tests need from Debian's packages when it is missing:
# prometheus (promtool), prometheus-alertmanager (amtool), victoria-metrics
# (vmalert) and postgresql. Idempotent: does nothing when all are there.
set -euo pipefail

need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v vmalert >/dev/null || need+=(victoria-metrics)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
  echo "deps: promtool, amtool, vmalert and PostgreSQL are installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Debian's packages start their services on install where an init system
# runs; the tests start their own instances on loopback ports instead.
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "deps: installed ${need[*]}"
