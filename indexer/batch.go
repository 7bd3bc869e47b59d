package indexer

import (
	"context"
	"fmt"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/errkind"
	"github.com/diembao/diembao/internal/kv"
)

// Incoming is one article message for IndexBatch: the decoded article, its
// stream sequence and the message's bytes as received.
type Incoming struct {
	Article article.Article
	Seq     uint64
	Raw     []byte
}

// IndexBatch keeps every message's bytes in revs (key "<id>.<revision>",
// for the article page's revisions) and indexes the kept ones in one
// durable batch. It returns one error per message, nil for those indexed:
// an article without id is errkind.Permanent; a failed batch fails every
// message in it.
func (x *Index) IndexBatch(ctx context.Context, revs kv.Store, msgs []Incoming) []error {
	errs := make([]error, len(msgs))
	var batch []ArticleAt
	var pos []int
	for i, m := range msgs {
		a := m.Article
		if a.ID == "" {
			errs[i] = fmt.Errorf("index: article without id at seq %d: %w", m.Seq, errkind.Permanent)
			continue
		}
		if _, err := revs.Put(ctx, a.ID+"."+fmt.Sprint(a.Revision), m.Raw); err != nil {
			errs[i] = fmt.Errorf("index: keep revision: %w", err)
			continue
		}
		batch = append(batch, ArticleAt{Article: a, Seq: m.Seq})
		pos = append(pos, i)
	}
	if len(batch) == 0 {
		return errs
	}
	if err := x.Index(ctx, batch); err != nil {
		for _, i := range pos {
			errs[i] = err
		}
	}
	return errs
}
