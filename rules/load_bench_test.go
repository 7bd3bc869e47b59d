package rules

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// loadFile is one rule file of n rules of two OR'd phrases each, as benchSet
// writes it, plus one NEAR rule in ten (a sizable operator mix).
func loadFile(n int) []byte {
	terms := benchTerms(2*n, uint64(n))
	var y strings.Builder
	y.WriteString("topics: [{id: t}]\nrules:\n")
	for i := 0; i < n; i++ {
		if i%10 == 9 {
			fmt.Fprintf(&y, "  - {id: r%d, topic: t, severity: high, query: '\"%s\" NEAR/10 \"%s\"'}\n", i, terms[2*i], terms[2*i+1])
			continue
		}
		fmt.Fprintf(&y, "  - {id: r%d, topic: t, query: '\"%s\" OR \"%s\"'}\n", i, terms[2*i], terms[2*i+1])
	}
	return []byte(y.String())
}

// BenchmarkLoad compiles n rules from one YAML file, with the item reader
// (loader=items, what Load does) and with go-yaml's whole-file AST
// (loader=ast, the loader before the item reader: the baseline).
//
// Metrics: retained-MB is the live heap the compiled Set holds after a GC;
// alloc-MB everything allocated per load; peak-heap-MB the largest heap the
// runtime held (HeapSys less what it returned to the OS, sampled after
// the load: Go does not shrink HeapSys quickly, so it approximates the
// peak); maxrss-MB the process's peak resident memory so far (getrusage),
// which includes the generated YAML text: run one sub-benchmark per process
// to read it per size (see docs/bench/rules-load.md).
func BenchmarkLoad(b *testing.B) {
	loaders := []struct {
		name  string
		parse func(string, []byte) (*fileDoc, error)
	}{{"items", parseFile}, {"ast", parseFileAST}}
	for _, ld := range loaders {
		for _, n := range []int{10_000, 50_000, 100_000} {
			b.Run(fmt.Sprintf("loader=%s/rules=%d", ld.name, n), func(b *testing.B) {
				srcs := []source{{name: "r.yaml", data: loadFile(n)}}
				b.ReportAllocs()
				var s *Set
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				b.ResetTimer()
				for b.Loop() {
					s = nil
					var err error
					s, err = compileWith(srcs, ld.parse)
					if err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				runtime.ReadMemStats(&after)
				peak := after.HeapSys - after.HeapReleased
				runtime.GC()
				runtime.ReadMemStats(&after)
				if len(s.rules) != n {
					b.Fatalf("%d rules loaded, want %d", len(s.rules), n)
				}
				b.ReportMetric(float64(after.HeapAlloc-min(after.HeapAlloc, before.HeapAlloc))/(1<<20), "retained-MB")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "alloc-MB")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
				if rss := maxRSS(); rss > 0 {
					b.ReportMetric(float64(rss)/(1<<20), "maxrss-MB")
				}
				runtime.KeepAlive(s)
			})
		}
	}
}
