package indexer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A process killed while bleve.New wrote a month's files left a directory
// whose empty mapping every later Open refused, so the index role never came
// back (the fault suite's SIGKILL seed 2 did that). A month now appears whole
// or not at all, and the half-built one a crash leaves is cleared by Open.
func TestMonthCreationCrashLeavesNothingOpenRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// What a kill during the creation of November leaves: the building
	// directory with a mapping file not yet written.
	half := filepath.Join(dir, "2026-11"+partialSuffix)
	if err := os.MkdirAll(half, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(half, "index_meta.json"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	x, err := Open(Config{Dir: dir}, nil, testLog())
	if err != nil {
		t.Fatalf("open after a crash during a month's creation: %v", err)
	}
	if _, err := os.Stat(half); !os.IsNotExist(err) {
		t.Errorf("the half-built month is still there: %v", err)
	}
	if err := x.Index(ctx, []ArticleAt{{art("a", "biên giới", "Đồn biên phòng", 5), 7}}); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"2026-11"}) {
		t.Errorf("index dir holds %v, want only the finished month", names)
	}
	x, err = Open(Config{Dir: dir}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := ids(t, x, Query{Q: "bien gioi"}); !slices.Equal(got, []string{"a"}) || x.LastSeq() != 7 {
		t.Errorf("after reopen: %v, last seq %d", got, x.LastSeq())
	}
}

// A read-only open (the digest command beside a stopped node) leaves a
// half-built month alone: only the writer clears it.
func TestReadOnlyOpenKeepsHalfBuiltMonth(t *testing.T) {
	dir := t.TempDir()
	half := filepath.Join(dir, "2026-10"+partialSuffix)
	if err := os.MkdirAll(half, 0o750); err != nil {
		t.Fatal(err)
	}
	x, err := Open(Config{Dir: dir, ReadOnly: true}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	x.Close()
	if _, err := os.Stat(half); err != nil {
		t.Errorf("a read-only open removed %s: %v", half, err)
	}
}

// A month an older version began to create in place (its mapping file
// empty, no segment in its store) is removed as the ".new" one is; a month
// with segments but a damaged mapping is not removed: Open refuses it,
// naming it, since its articles would be lost from the index.
func TestNeverWrittenMonthRemovedWrittenOneKept(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(Config{Dir: dir}, nil, testLog())
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Index(ctx, []ArticleAt{{art("a", "biên giới", "Đồn biên phòng", 5), 3}}); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if segs, _ := filepath.Glob(filepath.Join(dir, "2026-11", "store", "*.zap")); len(segs) == 0 {
		t.Fatal("a written month has no *.zap segment: neverWritten's test of the store is wrong")
	}
	old := filepath.Join(dir, "2026-12")
	if err := os.MkdirAll(old, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "index_meta.json"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	x, err = Open(Config{Dir: dir}, nil, testLog())
	if err != nil {
		t.Fatalf("open beside a month never written: %v", err)
	}
	x.Close()
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the month never written is still there: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "2026-11", "index_meta.json"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Config{Dir: dir}, nil, testLog()); err == nil || !strings.Contains(err.Error(), "2026-11") || !strings.Contains(err.Error(), "diembao reindex") {
		t.Errorf("a written month with a damaged mapping: %v, want an error naming it and the way out", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "2026-11")); err != nil {
		t.Errorf("a written month was removed: %v", err)
	}
}
