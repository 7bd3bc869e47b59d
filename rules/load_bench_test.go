package rules

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
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

// BenchmarkLoad compiles n rules from YAML. Besides time and allocations it
// reports retained-MB: the live heap the compiled Set holds after a GC.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{10_000, 50_000, 100_000} {
		data := loadFile(n)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var s *Set
			for b.Loop() {
				var err error
				s, err = LoadFS(fstest.MapFS{"r.yaml": {Data: data}})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			var before, after runtime.MemStats
			s = nil
			runtime.GC()
			runtime.ReadMemStats(&before)
			s, _ = LoadFS(fstest.MapFS{"r.yaml": {Data: data}})
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapAlloc-min(after.HeapAlloc, before.HeapAlloc))/(1<<20), "retained-MB")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "alloc-MB")
			runtime.KeepAlive(s)
		})
	}
}
