package demosite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Kept addresses: the demo's first-choice loopback addresses. The addresses
// a demo folder first used are kept in DIR/site.json and reused, so article
// URLs (and with them article ids) and portal pages stay the same from run
// to run.
const (
	keptSiteAddr   = "127.0.0.1:18765"
	keptPortalAddr = "127.0.0.1:18766"
)

// kept is what DIR/site.json keeps: the sample site's address and the clock
// its article dates are anchored to, and the sample portal's address.
type kept struct {
	Addr       string    `json:"addr"`
	Now        time.Time `json:"now"`
	PortalAddr string    `json:"portal_addr,omitempty"`
}

// StartKept serves the sample site at the address and clock kept in
// dir/site.json. On the first run it takes 127.0.0.1:18765, or a free port
// when that one is taken, and the current time, and keeps them. A later run
// whose address is taken fails with a clear error instead of moving the
// site: a new address would make every article new.
func StartKept(ctx context.Context, dir string) (*Site, error) {
	path := filepath.Join(dir, "site.json")
	var st kept
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &st); err != nil || st.Addr == "" || st.Now.IsZero() {
			return nil, fmt.Errorf("%s is damaged (%v); remove %s to start the demo afresh", path, err, dir)
		}
		site, err := StartOptions(ctx, st.Addr, Options{Now: st.Now})
		if err != nil {
			return nil, fmt.Errorf("%w: the demo's articles live at %s; free that port, or remove %s to start afresh", err, st.Addr, dir)
		}
		return site, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	st.Now = time.Now().Truncate(time.Minute)
	site, err := StartOptions(ctx, keptSiteAddr, Options{Now: st.Now})
	if err != nil {
		site, err = StartOptions(ctx, "127.0.0.1:0", Options{Now: st.Now})
		if err != nil {
			return nil, err
		}
	}
	st.Addr = strings.TrimPrefix(site.URL(), "http://")
	b, _ = json.Marshal(st)
	if err := os.WriteFile(path, append(b, '\n'), 0o640); err != nil {
		site.Close()
		return nil, err
	}
	return site, nil
}

// StartPortalKept serves the demo's own commune portal on loopback, at the
// address dir/site.json keeps (written by StartKept): one duty is missing,
// and the home page carries an injected block of betting links from its
// second check on (from the first on a later run, whose watch has seen the
// clean copy already).
func StartPortalKept(ctx context.Context, dir string) (*PortalServer, error) {
	path := filepath.Join(dir, "site.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var st kept
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("demo: %s: %w", path, err)
	}
	var site *PortalServer
	if st.PortalAddr != "" {
		site, err = StartPortal(ctx, st.PortalAddr, PortalOptions{InjectAfter: 1})
		if err != nil {
			return nil, fmt.Errorf("demo: sample portal: %w: its pages live at %s; free that port, or remove %s to start afresh", err, st.PortalAddr, dir)
		}
		return site, nil
	}
	site, err = StartPortal(ctx, keptPortalAddr, PortalOptions{InjectAfter: 2})
	if err != nil {
		site, err = StartPortal(ctx, "127.0.0.1:0", PortalOptions{InjectAfter: 2})
	}
	if err != nil {
		return nil, fmt.Errorf("demo: sample portal: %w", err)
	}
	st.PortalAddr = strings.TrimPrefix(site.URL(), "http://")
	b, _ = json.Marshal(st)
	if err := os.WriteFile(path, append(b, '\n'), 0o640); err != nil {
		site.Close()
		return nil, fmt.Errorf("demo: %w", err)
	}
	return site, nil
}
