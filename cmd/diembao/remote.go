package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/diembao/diembao/indexer"
)

// The index role answers these requests so that serve roles in other
// processes can search the one Bleve index (a Bleve index has one writer).
const (
	subjSearch = "diembao.index.search"
	subjGet    = "diembao.index.get"
)

type remoteReply struct {
	Result   *indexer.Result `json:"result,omitempty"`
	Doc      *indexer.Doc    `json:"doc,omitempty"`
	Error    string          `json:"error,omitempty"`
	BadQuery bool            `json:"bad_query,omitempty"`
	NotFound bool            `json:"not_found,omitempty"`
}

// serveIndexRequests subscribes (queue group "index") until ctx ends.
func serveIndexRequests(ctx context.Context, nc *nats.Conn, idx *indexer.Index, log *slog.Logger) error {
	reply := func(m *nats.Msg, r remoteReply) {
		b, _ := json.Marshal(r)
		if err := m.Respond(b); err != nil {
			log.Warn("index request: respond", "err", err)
		}
	}
	s1, err := nc.QueueSubscribe(subjSearch, "index", func(m *nats.Msg) {
		var q indexer.Query
		if err := json.Unmarshal(m.Data, &q); err != nil {
			reply(m, remoteReply{Error: "bad request: " + err.Error(), BadQuery: true})
			return
		}
		res, err := idx.Search(ctx, q)
		if err != nil {
			reply(m, remoteReply{Error: err.Error(), BadQuery: isBadQuery(err)})
			return
		}
		reply(m, remoteReply{Result: &res})
	})
	if err != nil {
		return fmt.Errorf("index: subscribe %s: %w", subjSearch, err)
	}
	s2, err := nc.QueueSubscribe(subjGet, "index", func(m *nats.Msg) {
		d, err := idx.Get(ctx, string(m.Data))
		if err != nil {
			reply(m, remoteReply{Error: err.Error(), NotFound: errors.Is(err, indexer.ErrNotFound)})
			return
		}
		reply(m, remoteReply{Doc: &d})
	})
	if err != nil {
		_ = s1.Unsubscribe()
		return fmt.Errorf("index: subscribe %s: %w", subjGet, err)
	}
	go func() {
		<-ctx.Done()
		_ = s1.Drain()
		_ = s2.Drain()
	}()
	return nil
}

func isBadQuery(err error) bool {
	var qe *indexer.QueryError
	return errors.As(err, &qe)
}

// remoteIndex asks an index role over NATS.
type remoteIndex struct{ nc *nats.Conn }

// remoteErr carries an error from the index role with its kind.
type remoteErr struct {
	msg           string
	bad, notFound bool
}

func (e *remoteErr) Error() string  { return e.msg }
func (e *remoteErr) BadQuery() bool { return e.bad }
func (e *remoteErr) NotFound() bool { return e.notFound }

func (r remoteIndex) call(ctx context.Context, subj string, data []byte) (remoteReply, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	m, err := r.nc.RequestWithContext(ctx, subj, data)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) {
			return remoteReply{}, fmt.Errorf("no index role is running: %w", err)
		}
		return remoteReply{}, fmt.Errorf("index request: %w", err)
	}
	var rep remoteReply
	if err := json.Unmarshal(m.Data, &rep); err != nil {
		return remoteReply{}, fmt.Errorf("index reply: %w", err)
	}
	if rep.Error != "" {
		return rep, &remoteErr{msg: rep.Error, bad: rep.BadQuery, notFound: rep.NotFound}
	}
	return rep, nil
}

func (r remoteIndex) Search(ctx context.Context, q indexer.Query) (indexer.Result, error) {
	b, err := json.Marshal(q)
	if err != nil {
		return indexer.Result{}, err
	}
	rep, err := r.call(ctx, subjSearch, b)
	if err != nil || rep.Result == nil {
		return indexer.Result{}, err
	}
	return *rep.Result, nil
}

func (r remoteIndex) Get(ctx context.Context, id string) (indexer.Doc, error) {
	rep, err := r.call(ctx, subjGet, []byte(id))
	if err != nil || rep.Doc == nil {
		return indexer.Doc{}, err
	}
	return *rep.Doc, nil
}
