#!/bin/sh
# Rebuilds docs/BENCHMARKS.md from docs/bench/: the summary, then each
# package's section with its headings one level down.
set -e
cd "$(dirname "$0")"
{
	cat summary.md
	for f in pipeline textnorm indexer rules crawler extraction alerts web; do
		echo
		sed -e 's/^#/##/' "$f.md"
	done
} > ../BENCHMARKS.md
