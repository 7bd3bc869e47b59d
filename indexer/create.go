package indexer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
)

// partialSuffix names the directory a month index is built in before it
// takes its own name.
const partialSuffix = ".new"

// isPartialMonth reports whether a directory name under the index dir is a
// month index whose creation did not finish.
func isPartialMonth(name string) bool {
	base, ok := strings.CutSuffix(name, partialSuffix)
	return ok && monthDir.MatchString(base)
}

// neverWritten reports whether a month directory is one an older version
// began to create in place and a crash interrupted: its mapping file is
// missing or empty (bleve.New writes it first) and its store holds no
// segment, so no batch was ever written to it and removing it loses
// nothing.
func neverWritten(dir string) bool {
	if fi, err := os.Stat(filepath.Join(dir, "index_meta.json")); err == nil && fi.Size() > 0 {
		return false
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	segs, err := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
	return err == nil && len(segs) == 0
}

// damagedHint says what to do about a month that would not open because
// its mapping file is missing or not JSON (a crash or a disk fault, not a
// lock held by another process): "" otherwise.
func damagedHint(dir string) string {
	meta, err := os.ReadFile(filepath.Join(dir, "index_meta.json"))
	if err == nil && json.Valid(meta) || err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	return " (this month's index is damaged; `diembao reindex` rebuilds the whole index from the ARTICLES stream, leaving the old one in place until it is done)"
}

// createWhole creates a Bleve index at dir so that dir appears whole or not
// at all: bleve.New writes its mapping and store files one after another,
// and a process killed between them left a directory that every later Open
// refused ("error parsing mapping JSON"). The index is built under
// dir+".new", closed, its files synced, renamed to dir, and opened again.
// Open removes a ".new" directory a crash left behind.
func createWhole(dir string, m mapping.IndexMapping) (bleve.Index, error) {
	tmp := dir + partialSuffix
	if err := os.RemoveAll(tmp); err != nil {
		return nil, err
	}
	idx, err := bleve.New(tmp, m)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := idx.Close(); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("close new index: %w", err)
	}
	if err := syncTree(tmp); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return nil, err
	}
	return bleve.Open(dir)
}

// syncTree fsyncs every file and directory under root, so that a rename of
// root is not on disk before its contents are.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return syncDir(p)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", p, err)
		}
		return nil
	})
}

// syncDir fsyncs a directory's entries.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
