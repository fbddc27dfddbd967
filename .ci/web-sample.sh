#!/usr/bin/env bash
# Walks docs/http-api.md's flow with curl against samples/WebhookSender.Web, as a reader of the doc would, and fails
# on any answer the doc does not promise. Needs the Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${WEB_SAMPLE_PORT:-5080}
base="http://127.0.0.1:$port"
api="$base/api/workspaces/acme/webhooks"
log=$(mktemp)
dotnet samples/WebhookSender.Web/bin/Release/net10.0/WebhookSender.Web.dll --urls "$base" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do curl -sf "$api/event-types" >/dev/null 2>&1 && break; sleep 0.2; done

expect() { # expect STATUS METHOD URL [BODY]: prints the body, fails unless the status matches
  local want=$1 method=$2 url=$3 body=${4:-} out status
  out=$(mktemp)
  if [ -n "$body" ]; then
    status=$(curl -s -o "$out" -w '%{http_code}' -X "$method" "$url" -H 'content-type: application/json' -d "$body")
  else
    status=$(curl -s -o "$out" -w '%{http_code}' -X "$method" "$url")
  fi
  if [ "$status" != "$want" ]; then
    echo "web sample: $method $url answered $status, the doc says $want: $(cat "$out")" >&2
    cat "$log" >&2
    exit 1
  fi
  cat "$out"; rm -f "$out"
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

expect 200 GET "$api/event-types" | json "d['items'][0]['schema']['type']" | grep -qx object
id=$(expect 201 POST "$api" '{"url":"'"$base"'/receiver/orders","eventTypes":["order.placed"],"name":"Order updates"}' | json "d['subscription']['id']")
expect 200 POST "$api/$id/test" | json "d['testsSucceeded']" | grep -qx 1
expect 202 POST "$base/api/workspaces/acme/orders" '{"orderId":"ord_7","items":1,"total":12.5}' >/dev/null
attempt=""
for _ in $(seq 1 100); do
  attempt=$(expect 200 GET "$api/$id/attempts?status=succeeded&limit=1" | json "d['items'][0]['id'] if d['items'] and d['items'][0]['eventType']=='order.placed' and d['items'][0]['trigger']=='scheduled' else ''")
  [ -n "$attempt" ] && break; sleep 0.1
done
[ -n "$attempt" ] || { echo "web sample: the published order never showed in the attempt log" >&2; exit 1; }
message=$(expect 200 GET "$api/$id/attempts/$attempt" | json "d['request']['headers']['webhook-id']")
expect 202 POST "$api/$id/messages/$message/redeliver" | json "d['trigger']" | grep -qx manual
expect 200 PATCH "$api/$id" '{"name":"Renamed"}' | json "d['name']" | grep -qx Renamed
expect 400 POST "$api" '{"url":"ftp://x"}' | json "list(d['errors'])[0]" | grep -qx url
expect 404 GET "$base/api/workspaces/globex/webhooks/$id" >/dev/null
expect 204 DELETE "$api/$id" >/dev/null
echo "web sample: the documented flow works (create, test, publish, log, redeliver, patch, errors, tenancy, delete)"
