#!/bin/sh
# Rebuilds docs/BENCHMARKS.md from docs/bench/: the summary, then each
# package's section with its headings one level down: the known ones in
# pipeline order, then any other docs/bench/*.md in name order.
set -e
cd "$(dirname "$0")"
known="pipeline textnorm indexer search rules crawler alerts web"
{
	cat summary.md
	for f in $known; do
		[ -f "$f.md" ] || continue
		echo
		sed -e 's/^#/##/' "$f.md"
	done
	for p in *.md; do
		f=${p%.md}
		case " summary $known " in *" $f "*) continue ;; esac
		echo
		sed -e 's/^#/##/' "$p"
	done
} > ../BENCHMARKS.md
