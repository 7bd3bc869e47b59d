package indexer

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/diembao/diembao/internal/textnorm"
)

// Analyzer names as stored in the index mapping.
const (
	analyzerExact = "diembao_vi_exact" // tone-canonical syllable keys, diacritics kept
	analyzerFold  = "diembao_vi_fold"  // diacritic-free syllable keys, đ → d
)

// The analyzers are registered in Bleve's process-wide registry, the only
// way Bleve finds an analyzer named in a stored mapping when an index is
// reopened. They hold no state.
func init() {
	for name, fold := range map[string]bool{analyzerExact: false, analyzerFold: true} {
		a := syllableAnalyzer{fold: fold}
		err := registry.RegisterAnalyzer(name, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
			return a, nil
		})
		if err != nil {
			panic(fmt.Sprintf("indexer: register analyzer %s: %v", name, err))
		}
	}
}

// syllableAnalyzer turns text that is already textnorm.Normalize'd into one
// token per syllable: its key (exact) or its folded key.
type syllableAnalyzer struct{ fold bool }

// Analyze implements analysis.Analyzer.
func (a syllableAnalyzer) Analyze(input []byte) analysis.TokenStream {
	// A syllable and its separator take 4–5 bytes in Vietnamese text: size
	// the term slice once instead of growing it through several copies.
	buf, terms := textnorm.AppendTerms(make([]byte, 0, len(input)), make([]textnorm.Term, 0, len(input)/4+1), string(input), a.fold)
	out := make([]analysis.Token, len(terms))
	stream := make(analysis.TokenStream, len(terms))
	for i, t := range terms {
		out[i] = analysis.Token{
			Start: t.Start, End: t.End, Position: i + 1, Type: analysis.AlphaNumeric,
			Term: buf[t.TermStart:t.TermEnd:t.TermEnd],
		}
		stream[i] = &out[i]
	}
	return stream
}
