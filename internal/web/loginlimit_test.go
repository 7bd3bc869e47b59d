package web

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// TestLoginLimitPerAddressAndUser: twenty failed logins from one address
// (one person's typos, four names) do not lock the other accounts of that
// address; the looser per-address cap still stops a spray of names.
func TestLoginLimitPerAddressAndUser(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	e := newEnv(t, Config{Now: func() time.Time { return now }})
	c := e.client()
	fail := func(name string) int {
		resp, _ := postForm(t, c, e.ts.URL+"/login", url.Values{"user": {name}, "password": {"sai mật khẩu"}})
		return resp.StatusCode
	}
	for i := range 20 {
		fail(fmt.Sprintf("nhanvien%d", i%4))
	}
	if code := fail("nhanvien0"); code != 429 {
		t.Errorf("a name that failed 5 times: %d, want 429", code)
	}
	resp, _ := postForm(t, e.client(), e.ts.URL+"/login", url.Values{"user": {"an"}, "password": {e.pw["an"]}})
	if resp.StatusCode != 303 {
		t.Fatalf("after 20 failures of other names from the address, an's login = %d, want 303", resp.StatusCode)
	}
	for i := range 100 {
		fail(fmt.Sprintf("phun%d", i))
	}
	resp, _ = postForm(t, e.client(), e.ts.URL+"/login", url.Values{"user": {"congan"}, "password": {e.pw["congan"]}})
	if resp.StatusCode != 429 {
		t.Errorf("after a spray of 120 names from the address, congan's login = %d, want 429", resp.StatusCode)
	}
}
