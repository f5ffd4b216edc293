#!/usr/bin/env bash
# Scanner speed and memory, side by side with ripgrep, on the same generated corpus.
#
#   internal/scan/bench.sh                 # 600 MB folder + 500 MB single file in /tmp
#   SIZE=1GB RUNS=3 internal/scan/bench.sh
#
# Needs: go, ripgrep (apt-get install -y ripgrep), GNU time (apt-get install -y time).
# For each command it runs one warm-up, then RUNS timed runs under /usr/bin/time -v, and
# prints the median wall time, CPU use (user+sys / wall: 2.0 means both cores busy), MB/s and
# the largest peak RSS. ripgrep counts a plain card-number regex: it validates nothing and
# understands no structure; it also skips .gz files, which kinko decompresses and scans, so
# kinko reads more bytes than ripgrep does on the folder.
set -euo pipefail
SIZE=${SIZE:-600MB}
SINGLE_SIZE=${SINGLE_SIZE:-500MB}
RUNS=${RUNS:-5}
WORK=${WORK:-/tmp/kinko-bench}
RE='[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{1,7}'

cd "$(dirname "$0")/../.."
mkdir -p "$WORK"
go build -o "$WORK/kinko" ./cmd/kinko
go build -o "$WORK/kinko-corpus" ./cmd/kinko-corpus
[ -d "$WORK/corpus" ] || "$WORK/kinko-corpus" -out "$WORK/corpus" -size "$SIZE"
[ -d "$WORK/single" ] || "$WORK/kinko-corpus" -out "$WORK/single" -size "$SINGLE_SIZE" -only customers_utf8.csv

# measure NAME BYTES CMD...: median wall, CPU, MB/s, max RSS over RUNS runs.
measure() {
	local name=$1 bytes=$2
	shift 2
	"$@" >/dev/null 2>&1 || true
	local out="$WORK/time.$$"
	: >"$out"
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %U %S %M' -o "$out.1" "$@" >/dev/null 2>/dev/null || true
		grep -E "^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$" "$out.1" >>"$out" # drop "Command exited with non-zero status"
	done
	sort -n "$out" | awk -v n="$name" -v b="$bytes" -v r="$RUNS" '
		{ w[NR]=$1; c[NR]=($2+$3)/($1>0?$1:1); if ($4>m) m=$4 }
		END { i=int((r+1)/2); printf "%-28s wall %6.2fs  cpu %4.2f  %7.1f MB/s  max RSS %6.1f MB\n", n, w[i], c[i], b/1e6/w[i], m/1024 }'
	rm -f "$out" "$out.1"
}

folder_bytes=$(find "$WORK/corpus" -type f ! -name '*.gz' -printf '%s\n' | awk '{s+=$1} END {print s}')
gz_plain=$(for f in "$WORK"/corpus/*.gz; do gzip -dc "$f"; done | wc -c)
single_bytes=$(stat -c %s "$WORK/single/customers_utf8.csv")
echo "folder: $WORK/corpus ($((folder_bytes / 1000000)) MB plain + $((gz_plain / 1000000)) MB in .gz), single file: $((single_bytes / 1000000)) MB, $(nproc) CPUs"
measure "kinko scan folder" $((folder_bytes + gz_plain)) "$WORK/kinko" scan --format jsonl "$WORK/corpus"
measure "rg -c folder" "$folder_bytes" rg -c "$RE" "$WORK/corpus"
measure "kinko scan single file" "$single_bytes" "$WORK/kinko" scan --format jsonl "$WORK/single/customers_utf8.csv"
measure "rg -c single file" "$single_bytes" rg -c "$RE" "$WORK/single/customers_utf8.csv"
echo "per-format MB/s: go test ./internal/scan -run '^\$' -bench Scan -benchtime 5x"
