#!/usr/bin/env bash
# Load benchmark of kinko's API next to the speed-of-light reference `limit`, in one run on
# one machine (see docs/performance.md). Needs the shared bench tools (../shared/bench, or
# BENCH_DIR): loadgen (concurrent create-then-get over HTTP) and limit (same two calls, no
# crypto, no auth, SQLite with group commit).
#
#   scripts/bench-api.sh [-n OPS] [-c CONC[,CONC…]] [-r ROUNDS] [-db sqlite|postgres] [-p PORT]
#
# Each round starts both servers on fresh databases and runs loadgen against limit, then
# against kinko; the report gives each round and the median ops/s per phase, the ratio
# kinko/limit, p50, p99, failures and each server's median CPU time per operation (its
# process's user + system time: on two cores shared with loadgen, throughput follows it).
# Rounds alternate so that machine noise hits both alike. kinko listens on PORT (default
# 18740) and limit on PORT+1; both must be free.
set -euo pipefail
cd "$(dirname "$0")/.."
N=20000; CONCS=16; ROUNDS=5; DB=sqlite; PORT=18740
while [ $# -gt 0 ]; do
  case $1 in
    -n) N=$2; shift 2;; -c) CONCS=$2; shift 2;; -r) ROUNDS=$2; shift 2;; -db) DB=$2; shift 2;; -p) PORT=$2; shift 2;;
    -h|--help) sed -n '2,14p' "$0"; exit 0;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
BENCH_DIR=${BENCH_DIR:-../shared/bench}
[ -d "$BENCH_DIR/loadgen" ] || { echo "bench-api: no $BENCH_DIR/loadgen (set BENCH_DIR)" >&2; exit 2; }
W=$(mktemp -d /tmp/kinko-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
(cd "$BENCH_DIR/loadgen" && go build -o "$W/loadgen" .)
(cd "$BENCH_DIR/limit" && go build -o "$W/limit" .)
go build -o "$W/kinko" ./cmd/kinko
PGURL=${KINKO_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
export PGOPTIONS="-c client_min_messages=warning"

KURL=http://127.0.0.1:$PORT LURL=http://127.0.0.1:$((PORT + 1))
# A server already listening there (another checkout's) would be measured instead of ours.
for u in "$KURL" "$LURL"; do
  if curl -s -o /dev/null "$u/healthz"; then echo "bench-api: ${u#http://} is already in use (choose another -p)" >&2; exit 2; fi
done

# cpu PID: the process's user + system time so far, in clock ticks (/proc/PID/stat).
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
# phases NAME URL KEY PID ROUND: loadgen's create-then-get run, each line with the server
# process's CPU per operation (cpu=µs; for PostgreSQL kinko's process only, not the
# database's). The create phase ends when loadgen prints its line: polled every 5 ms with
# builtins (no process started), so a few ms of gets may count as creates.
exec 9<> <(:)
phases() {
  local c0 c1 c2
  : > "$W/out"
  c0=$(cpu "$4")
  "$W/loadgen" -url "$2" -key "$3" -n "$N" -c "$C" > "$W/out" & local G=$!
  while [ ! -s "$W/out" ] && kill -0 "$G" 2>/dev/null; do read -t 0.005 -u 9 || true; done
  c1=$(cpu "$4")
  wait "$G"
  c2=$(cpu "$4")
  { sed -n 1p "$W/out" | sed "s/\$/ cpu=$(( (c1 - c0) * 1000000 / TICK / N ))/"
    sed -n 2p "$W/out" | sed "s/\$/ cpu=$(( (c2 - c1) * 1000000 / TICK / N ))/"; } | sed "s/^kinko/$1/; s/^/$5 /" >> "$W/results"
}

wait_up() { for _ in $(seq 100); do curl -fsS "$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server $1 did not start" >&2; exit 1; }

echo "machine: $(nproc) cores, $(uname -m); n=$N per phase; database $DB; $(date -u +%FT%TZ)"
for C in ${CONCS//,/ }; do
  : > "$W/results"
  for r in $(seq "$ROUNDS"); do
    rm -rf "$W/limit.db"* "$W/data"
    "$W/limit" -addr "${LURL#http://}" -db "$W/limit.db" >/dev/null 2>&1 & LP=$!
    wait_up "$LURL"
    phases limit "$LURL" x "$LP" "$r"
    kill $LP; wait $LP 2>/dev/null || true
    if [ "$DB" = postgres ]; then
      schema=kb_$RANDOM$RANDOM
      psql -q "$PGURL" -c "CREATE SCHEMA $schema" >/dev/null
      export KINKO_DATABASE_URL="$PGURL&search_path=$schema"
    fi
    KEY=$("$W/kinko" init --data "$W/data" | tail -1)
    "$W/kinko" serve --data "$W/data" --addr "${KURL#http://}" --log-level warn >/dev/null 2>&1 & KP=$!
    wait_up "$KURL"
    phases kinko "$KURL" "$KEY" "$KP" "$r"
    kill $KP; wait $KP 2>/dev/null || true
    if [ "$DB" = postgres ]; then psql -q "$PGURL" -c "DROP SCHEMA $schema CASCADE" >/dev/null; unset KINKO_DATABASE_URL; fi
  done
  python3 - "$W/results" "$C" <<'PY'
import sys, re, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
data = {}
for r in rows:
    rnd, who, phase = r[0], r[1], r[2].rstrip(':')
    kv = dict(x.split('=') for x in r[3:])
    data.setdefault((who, phase), []).append((float(kv['ops/s']), kv['p99'], int(kv['fails']), kv['p50'], int(kv['cpu'])))
print(f"c={sys.argv[2]}")
for phase in ('create', 'get'):
    l = [x[0] for x in data[('limit', phase)]]; k = [x[0] for x in data[('kinko', phase)]]
    ratios = [b / a for a, b in zip(l, k)]
    print(f"  {phase:6} limit median {st.median(l):8.0f}/s   kinko median {st.median(k):8.0f}/s   ratio median {st.median(ratios):.2f} (rounds: {' '.join(f'{x:.2f}' for x in ratios)})"
          f"   server cpu-µs/op kinko {st.median(x[4] for x in data[('kinko', phase)]):.0f} limit {st.median(x[4] for x in data[('limit', phase)]):.0f}"
          f"   kinko p50 {' '.join(x[3] for x in data[('kinko', phase)])}   kinko p99 {' '.join(x[1] for x in data[('kinko', phase)])}   limit p99 {' '.join(x[1] for x in data[('limit', phase)])}   kinko failures {sum(x[2] for x in data[('kinko', phase)])}")
PY
done
