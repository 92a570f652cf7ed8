#!/usr/bin/env bash
# Webhook benchmark: Weft (release build, embedded SQLite, every event durably stored) against
# the peers of ../shared/peers in the same run, with the same workflows, load and measuring code.
#
#   bash ops/bench/webhook.sh                  # Weft + Node-RED (~4 min once built)
#   PEERS="node-red n8n" bash ops/bench/webhook.sh   # also n8n (~7 min, first install ~5 min)
#   PEERS= bash ops/bench/webhook.sh           # Weft only
#
# Knobs (env): DURATION (20 s per run), REPS (2), CONCS ("1 8 64"), CHAIN_REPS (1), PORT (18080),
# PEERS_DIR (../shared/peers), OUT, WEFT_BIN (measure this weft binary instead of building one).
# Prints one table per server and the Weft/peer ratios.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS_DIR=${PEERS_DIR:-$(cd "$ROOT/.." && pwd)/shared/peers}
LIBDIR=$PEERS_DIR/lib
# shellcheck source=/dev/null
. "$LIBDIR/common.sh"

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/weft-target}
PORT=${PORT:-18080}
DURATION=${DURATION:-20}
REPS=${REPS:-2}
CONCS=${CONCS:-"1 8 64"}
CHAIN_REPS=${CHAIN_REPS:-1}
PEERS=${PEERS-node-red}
OUT=${OUT:-/tmp/weft-bench/webhook-$(date +%Y%m%d-%H%M%S)}
DATA_DIR=$OUT/data
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv; : > "$RESULTS"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && stop_pid "$SERVER_PID"' EXIT INT TERM

ensure_wrk
if [ -n "${WEFT_BIN:-}" ]; then
  WEFT=$WEFT_BIN
else
  log "building weft (release)"
  (cd "$ROOT" && cargo build -q --release -p weft-api-graphql --bin weft)
  WEFT=$CARGO_TARGET_DIR/release/weft
fi

start_weft() {
  WEFT_DATA_DIR=$DATA_DIR WEFT_LISTEN=127.0.0.1:$PORT WEFT_LOG=warn "$WEFT" serve > "$OUT/weft.log" 2>&1 &
  SERVER_PID=$!
}

TOKEN=""
graphql() {
  curl -sf "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' \
    ${TOKEN:+-H "authorization: Bearer $TOKEN"} -d "$1"
}

# Set-up run: an owner signs in, imports both peer workflows (n8n JSON) and activates them.
rm -rf "$DATA_DIR"; mkdir -p "$DATA_DIR"
WEFT_DATA_DIR=$DATA_DIR WEFT_OWNER_PASSWORD=bench-owner-pw "$WEFT" user create-owner --email bench@example.com > /dev/null
start_weft
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.1; done
TOKEN=$(graphql '{"query":"mutation { login(email: \"bench@example.com\", password: \"bench-owner-pw\") { accessToken } }"}' |
  sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { log "owner login failed"; exit 1; }
for flow in webhook-set-if-respond webhook-chain10; do
  doc=$(cat "$PEERS_DIR/workflows/$flow.n8n.json")
  id=$(graphql "{\"query\":\"mutation(\$d: JSON!) { importWorkflow(document: \$d, format: N8N) { workflowId } }\",\"variables\":{\"d\":$doc}}" |
    sed -n 's/.*"workflowId":"\([^"]*\)".*/\1/p')
  [ -n "$id" ] || { log "import of $flow failed"; exit 1; }
  graphql "{\"query\":\"mutation { activateWorkflow(workflowId: \\\"$id\\\") { version } }\"}" > /dev/null
done
stop_pid "$SERVER_PID"; SERVER_PID=""

BODY='{"a":7,"b":5}'
URL=http://127.0.0.1:$PORT/webhook/bench
URL_CHAIN=http://127.0.0.1:$PORT/webhook/chain10
T0=$(date +%s%N)
start_weft
cold=$(wait_200 "$URL" "$BODY" 30 branch) || { log "weft did not answer in 30 s"; tail -20 "$OUT/weft.log"; exit 1; }
idle_rss=$(rss_tree_mib "$SERVER_PID")
resp=$(curl -s -X POST -H 'Content-Type: application/json' -d "$BODY" "$URL")
resp_chain=$(curl -s -X POST -H 'Content-Type: application/json' -d "$BODY" "$URL_CHAIN")
log "weft cold start to first answer: ${cold}s; RSS ${idle_rss} MiB; $resp $resp_chain"
[ "$resp" = '{"branch":"big","total":12}' ] || { log "unexpected response: $resp"; exit 1; }
timeout 10 wrk -t1 -c8 -d3s -s "$LIBDIR/post.lua" "$URL" > /dev/null 2>&1 || true   # warm-up
for c in $CONCS; do
  for r in $(seq 1 "$REPS"); do run_wrk "weft/set-if#$r" "$URL" "$c" "$DURATION" "$SERVER_PID"; done
done
for c in $CONCS; do
  for r in $(seq 1 "$CHAIN_REPS"); do run_wrk "weft/chain10#$r" "$URL_CHAIN" "$c" "$DURATION" "$SERVER_PID"; done
done
sleep 2
after_rss=$(rss_tree_mib "$SERVER_PID")
stop_pid "$SERVER_PID"; SERVER_PID=""
events=$(sqlite3 "$DATA_DIR/weft.db" "SELECT COUNT(*) FROM events" 2>/dev/null || echo "?")

echo
echo "Weft $("$WEFT" --version | cut -d' ' -f2), $(nproc) CPUs; wrk -t1, ${DURATION}s per run; body $BODY"
echo "cold start (spawn -> first answer from POST /webhook/bench): ${cold}s; RSS idle ${idle_rss} MiB," \
     "after the run ${after_rss} MiB; events stored: $events"
echo
print_results
cp "$RESULTS" "$OUT/weft.tsv"

for peer in $PEERS; do
  log "running peer $peer"
  peer_out=$OUT/$peer
  OUT=$peer_out DURATION=$DURATION REPS=$REPS CONCS=$CONCS CHAIN_REPS=$CHAIN_REPS \
    bash "$PEERS_DIR/run-$peer-bench.sh" > "$OUT/$peer.txt" 2> "$OUT/$peer.log" || {
      log "peer $peer failed (see $OUT/$peer.log)"; continue; }
  echo
  cat "$OUT/$peer.txt"
  # Ratio of best req/s per (workflow, concurrency): weft / peer.
  echo
  echo "Weft / $peer, best req/s per workflow and concurrency:"
  awk -F'\t' -v peer="$peer" '
    FNR == NR { split($1, a, "[/#]"); k = a[2] " c=" $2; if ($3 > w[k]) w[k] = $3; next }
    { split($1, a, "[/#]"); k = a[2] " c=" $2; if ($3 > p[k]) p[k] = $3 }
    END { for (k in w) if (p[k] > 0) printf "  %-18s weft %9.1f  %s %9.1f  ratio %.2fx\n", k, w[k], peer, p[k], w[k] / p[k] }
  ' "$OUT/weft.tsv" "$peer_out/results.tsv" | sort
done
