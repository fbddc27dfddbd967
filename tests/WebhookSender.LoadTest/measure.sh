#!/usr/bin/env bash
# Reproduces docs/benchmarks.md: builds in Release, runs the load tool on each store (5 runs each, baseline and library
# in every run), the BenchmarkDotNet suites, and draws the chart. Run it on a quiet machine (see the doc); it takes
# about 60 minutes on 2 cores. PostgreSQL: `source .ci/postgres.sh && start_postgres` first, or the postgres runs are skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
csv=${CSV:-docs/benchmarks-loadtest.csv}
scale_csv=${SCALE_CSV:-docs/benchmarks-scale.csv}
tool=tests/WebhookSender.LoadTest/bin/Release/net10.0/WebhookSender.LoadTest.dll

dotnet build tests/WebhookSender.LoadTest -c Release -warnaserror
dotnet build tests/WebhookSender.Benchmarks -c Release -warnaserror
rm -f "$csv" "$scale_csv"
# The setup every load-test line shares (docs/benchmarks.md, "End to end").
common=(events=10000 subscriptions=10 concurrency=64 payload=1024 runs=5 csv="$csv")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB; load: $(cut -d' ' -f1-3 /proc/loadavg)"

dotnet "$tool" label=inmemory store=inmemory "${common[@]}"
# The same with the store's attempt and message windows at 1,000 instead of 10,000 (what retention costs; see the doc).
dotnet "$tool" label=inmemory-retain1000 store=inmemory retain=1000 "${common[@]}"
dotnet "$tool" label=sqlite store=sqlite "${common[@]}"
if [ -n "${WEBHOOKSENDER_POSTGRES:-}" ]; then
  # PostgreSQL's own CPU over the measured part (the postgres_cpu_us_per_delivery column) when the server is local.
  export WEBHOOKSENDER_PGDATA=${WEBHOOKSENDER_PGDATA:-/tmp/webhooksender-pg/data}
  dotnet "$tool" label=postgres store=postgres "${common[@]}"
  # The same with Npgsql's session reset on returning a connection to the pool turned off (see docs/durability.md).
  dotnet "$tool" label=postgres-noreset store=postgres "${common[@]}" \
    "postgres=$WEBHOOKSENDER_POSTGRES;No Reset On Close=true"
  # 1, 2 and 3 sender processes on one database (docs/durability.md, "Capacity"); its rows go to a CSV of their own.
  dotnet "$tool" --scale store=postgres instances=1,2,3 events=10000 runs=3 csv="$scale_csv"
else
  echo "WEBHOOKSENDER_POSTGRES is not set: the postgres runs are skipped."
fi

# The store alone, one write at a time (no HTTP, no concurrency): 3 runs per store.
for run in 1 2 3; do
  dotnet "$tool" --store-cost store=inmemory events=10000 subscriptions=10
  dotnet "$tool" --store-cost store=inmemory events=10000 subscriptions=10 retain=1000
  dotnet "$tool" --store-cost store=sqlite events=3000 subscriptions=10
  if [ -n "${WEBHOOKSENDER_POSTGRES:-}" ]; then
    dotnet "$tool" --store-cost store=postgres events=3000 subscriptions=10
  fi
done

dotnet tests/WebhookSender.Benchmarks/bin/Release/net10.0/WebhookSender.Benchmarks.dll --filter "${BENCHMARKS:-*}" --artifacts BenchmarkDotNet.Artifacts
/usr/bin/python3 tests/WebhookSender.LoadTest/chart.py "$csv" docs/benchmarks.png
