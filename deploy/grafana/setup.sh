#!/usr/bin/env bash
# Creates one Grafana organisation per PO through Grafana's HTTP API, puts
# the PO organisations' provisioning files in place and reloads provisioning
# (files alone cannot create organisations: docs/DEPLOY.md). Idempotent.
# Compose runs the same command as its grafana-setup service.
#
#   GRAFANA_URL=http://127.0.0.1:3000 GRAFANA_ADMIN_PASSWORD=... \
#   PROVISIONING=/etc/grafana/provisioning deploy/grafana/setup.sh
#
# GRAFANA_URL (default http://127.0.0.1:3000), GRAFANA_ADMIN_USER (default
# admin), GRAFANA_ADMIN_PASSWORD (required), PROVISIONING (Grafana's
# provisioning folder, which must be writable here; required), CATALOG
# (default examples/london-ooh.yaml), SLAWATCH_BIN (default bin/slawatch).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD (Grafana admin)}"
: "${PROVISIONING:?set PROVISIONING to the provisioning folder of Grafana}"
exec "${SLAWATCH_BIN:-bin/slawatch}" grafana setup \
  --url "${GRAFANA_URL:-http://127.0.0.1:3000}" \
  --user "${GRAFANA_ADMIN_USER:-admin}" \
  --catalog "${CATALOG:-examples/london-ooh.yaml}" \
  --install-from deploy/grafana/provisioning \
  --install-to "$PROVISIONING"
