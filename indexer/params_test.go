package indexer_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/indexer"
	"github.com/diembao/diembao/internal/errkind"
)

func TestParseParams(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	q, err := indexer.ParseParams(url.Values{
		"q": {"  biên giới "}, "from": {"2026-11-01"}, "to": {"2026-11-03"},
		"source": {"a,b", " b ", ""}, "topic": {"border"}, "area": {"yes"},
		"sort": {"date"}, "page": {"3"}, "size": {"100"},
	}, loc)
	if err != nil {
		t.Fatal(err)
	}
	if q.Q != "biên giới" || !q.From.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, loc)) ||
		!q.To.Equal(time.Date(2026, 11, 4, 0, 0, 0, 0, loc).Add(-time.Nanosecond)) ||
		strings.Join(q.Sources, "|") != "a|b" || strings.Join(q.Topics, "|") != "border" ||
		q.Area == nil || !*q.Area || q.Sort != "date" || q.Page != 3 || q.Size != 100 {
		t.Errorf("parsed %+v", q)
	}
	q, err = indexer.ParseParams(url.Values{"to": {"2026-11-03T10:00:00+07:00"}, "area": {"0"}}, loc)
	if err != nil {
		t.Fatal(err)
	}
	if q.Sort != "relevance" || q.Page != 1 || q.Size != 20 || q.Area == nil || *q.Area || q.To.Hour() != 10 {
		t.Errorf("defaults and an RFC 3339 time: %+v", q)
	}
}

func TestParseParamsErrors(t *testing.T) {
	tests := []struct {
		v           url.Values
		param, text string
	}{
		{url.Values{"from": {"1/11/2026"}}, "from", `from "1/11/2026": want a date YYYY-MM-DD`},
		{url.Values{"from": {"2026-11-03"}, "to": {"2026-11-01"}}, "to", "not before from"},
		{url.Values{"area": {"maybe"}}, "area", "want true or false"},
		{url.Values{"sort": {"score"}}, "sort", "want relevance or date"},
		{url.Values{"page": {"0"}}, "page", "from 1 to 1000"},
		{url.Values{"page": {"1001"}}, "page", "from 1 to 1000"},
		{url.Values{"size": {"101"}}, "size", "from 1 to 100"},
		{url.Values{"size": {"x"}}, "size", "from 1 to 100"},
		{url.Values{"q": {strings.Repeat("á", 501)}}, "q", "at most 500 characters"},
		{url.Values{"q": {"\xff"}}, "q", "valid UTF-8"},
	}
	for _, tt := range tests {
		_, err := indexer.ParseParams(tt.v, time.UTC)
		var pe *indexer.ParamError
		if !errors.As(err, &pe) || pe.Param != tt.param || !strings.Contains(err.Error(), tt.text) || !errors.Is(err, errkind.Invalid) {
			t.Errorf("%v: %v; want a ParamError for %s with %q", tt.v, err, tt.param, tt.text)
		}
	}
	if _, err := indexer.ParseParams(url.Values{"q": {strings.Repeat("á", 500)}}, time.UTC); err != nil {
		t.Errorf("500 characters refused: %v", err)
	}
}
