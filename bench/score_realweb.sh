#!/usr/bin/env bash
# Quality loop: convert the shared real-page dev set and score it with the shared scorer.
#   bench/score_realweb.sh                 # overall and per-category table
#   bench/score_realweb.sh --per-page      # any extra arguments go to score.py
# Needs ../shared/realweb (the team's dev set) and an installed corpusconv (.venv).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared/realweb
[ -d "$shared" ] || { echo "score_realweb: $shared not found" >&2; exit 2; }
cc=${CORPUSCONV:-.venv/bin/corpusconv}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$cc" convert "$shared/pages" -o "$out/dev.jsonl" --format jsonl --quiet
python3 "$shared/score.py" --pred "$out/dev.jsonl" "$@"
