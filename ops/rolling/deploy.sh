#!/usr/bin/env bash
# The rolling deploy that `bun run test:deploy` proves under traffic, for docker-compose.yml's
# `rolling` profile (HAProxy in front of api-1 and api-2):
#   docker compose --profile rolling up -d lb    # once: db, migrate, api-1, api-2, the balancer
#   ops/rolling/deploy.sh                        # each deploy: build, migrate once, roll one by one
# Each instance in turn is drained at the balancer (no new requests; wait until it has none in
# flight), replaced (compose sends SIGTERM: it finishes what it has and exits), and put back once
# HAProxy's own /ready check passes. The other instance serves meanwhile.
set -euo pipefail
cd "$(dirname "$0")/../.."

compose() { docker compose --profile rolling "$@"; }
# One command to HAProxy's runtime API (published on this host's 127.0.0.1 only).
admin() {
  exec 3<>"/dev/tcp/127.0.0.1/${HAPROXY_ADMIN_PORT:-9999}"
  printf '%s\n' "$1" >&3
  cat <&3
  exec 3<&-
}
# "<status> <current sessions>" of a server of backend `app`, from `show stat` (fields 18 and 5).
state() { admin "show stat" | awk -F, -v server="$1" '$1 == "app" && $2 == server { print $18 " " $5 }'; }
wait_for() {
  local server="$1" pattern="$2"
  for _ in $(seq 1 600); do
    # shellcheck disable=SC2254
    case "$(state "$server")" in $pattern) return 0 ;; esac
    sleep 0.5
  done
  echo "deploy: $server did not reach '$pattern' in 5 minutes (now: $(state "$server"))" >&2
  exit 1
}

compose build
echo "deploy: db:migrate, once, while the old instances serve"
compose run --rm migrate
for server in api-1 api-2; do
  echo "deploy: draining $server"
  admin "set server app/$server state drain" >/dev/null
  wait_for "$server" "DRAIN 0"
  echo "deploy: replacing $server (SIGTERM, then the new image)"
  compose up -d --no-deps --force-recreate "$server"
  admin "set server app/$server state ready" >/dev/null
  wait_for "$server" "UP *"
  echo "deploy: $server serves the new version"
done
