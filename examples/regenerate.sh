#!/usr/bin/env bash
# Rebuild examples/expected/ from examples/input/ with the installed CLI.
# Run after a deliberate change to the engine, review `git diff examples/expected`, commit.
set -euo pipefail
cd "$(dirname "$0")"
CORPUSCONV=${CORPUSCONV:-corpusconv}
rm -rf expected.new
# Sources are recorded relative to examples/ so the files do not depend on the checkout path.
$CORPUSCONV convert input -o expected.new/tei --format tei --quiet
$CORPUSCONV convert input -o expected.new/corpus.jsonl --quiet
rm -rf expected
mv expected.new expected
echo "regenerated $(find expected -type f | wc -l) files in examples/expected/"
