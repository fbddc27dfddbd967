#!/usr/bin/env bash
# Prints the CPU time (in clock ticks, usually 1/100 s) that a local PostgreSQL server has used so far: the postmaster,
# its children still running, and those it has reaped. Take it before and after a run of the load tool; the difference
# over the deliveries sent is PostgreSQL's CPU per delivery, which the load tool's sender figures leave out.
#   before=$(bash tests/WebhookSender.LoadTest/postgres-cpu.sh /tmp/webhooksender-pg/data)
#   dotnet tests/WebhookSender.LoadTest/bin/Release/net10.0/WebhookSender.LoadTest.dll store=postgres phases=library runs=1 …
#   after=$(bash tests/WebhookSender.LoadTest/postgres-cpu.sh /tmp/webhooksender-pg/data)
set -euo pipefail
data=${1:-/tmp/webhooksender-pg/data}
postmaster=$(head -1 "$data/postmaster.pid")
python3 - "$postmaster" <<'PY'
import os, sys
postmaster = int(sys.argv[1])
def ticks(pid, children):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    own = int(fields[11]) + int(fields[12])           # utime, stime
    return own + (int(fields[13]) + int(fields[14]) if children else 0)  # cutime, cstime: reaped children
total = ticks(postmaster, children=True)
for entry in os.listdir("/proc"):
    if entry.isdigit():
        try:
            if int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1]) == postmaster:
                total += ticks(int(entry), children=False)
        except (OSError, ValueError):
            pass
print(total)
PY
