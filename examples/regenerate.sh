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
# The containers (made by make_containers.py): WET, WARC and JSON Lines documents.
$CORPUSCONV convert containers/crawl.warc.wet.gz containers/archive.warc containers/docs.jsonl \
    -o expected.new/containers.jsonl --quiet
$CORPUSCONV learn containers/crawl.warc.wet.gz -o expected.new/site-rules.toml --quiet
rm -rf expected
mv expected.new expected
echo "regenerated $(find expected -type f | wc -l) files in examples/expected/"
