// Command qprobe times queries of one kind against an index indexbench left
// in -dir, for profiling one query shape at a time.
//
//	cd bench && go run ./cmd/qprobe -dir /tmp/ib100k/bleve -q '"Về thủ"' -n 20 -cpuprofile /tmp/q.prof
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/diembao/diembao/indexer"
)

func main() {
	dir := flag.String("dir", "/tmp/ib100k/bleve", "index directory")
	qs := flag.String("q", `"Về thủ"`, "queries, separated by |")
	n := flag.Int("n", 20, "repetitions")
	source := flag.String("source", "", "source filter")
	sortBy := flag.String("sort", "", "relevance or date")
	prof := flag.String("cpuprofile", "", "CPU profile file")
	flag.Parse()
	x, err := indexer.Open(indexer.Config{Dir: *dir, ReadOnly: true}, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer x.Close()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	for _, q := range strings.Split(*qs, "|") {
		var d []time.Duration
		var total uint64
		for range *n {
			iq := indexer.Query{Q: q, Sort: *sortBy}
			if *source != "" {
				iq.Sources = []string{*source}
			}
			s := time.Now()
			res, err := x.Search(context.Background(), iq)
			if err != nil {
				log.Fatal(err)
			}
			d = append(d, time.Since(s))
			total = res.Total
		}
		slices.Sort(d)
		fmt.Printf("%-30q hits %6d  min %6.1f  p50 %6.1f  max %6.1f ms\n", q, total,
			ms(d[0]), ms(d[len(d)/2]), ms(d[len(d)-1]))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
