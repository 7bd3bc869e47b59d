package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
)

type partsErr map[string]string

func (p partsErr) Error() string              { return "unhealthy" }
func (p partsErr) Failing() map[string]string { return p }

// TestHealthzNamesFailingPart checks /healthz answers 503 with a JSON body
// that names the parts a readiness error lists, or "ready" for a plain error.
func TestHealthzNamesFailingPart(t *testing.T) {
	e := newEnv(t, Config{})
	for _, tt := range []struct {
		name string
		err  error
		want map[string]string
	}{
		{"parts", partsErr{"disk": "1 MiB free", "index": "last write failed"}, map[string]string{"disk": "1 MiB free", "index": "last write failed"}},
		{"plain", errors.New("nats disconnected"), map[string]string{"ready": "nats disconnected"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.srv.deps.Ready = func(context.Context) error { return tt.err }
			resp, body := get(t, e.client(), e.ts.URL+"/healthz")
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503", resp.StatusCode)
			}
			var got struct {
				Status  string            `json:"status"`
				Failing map[string]string `json:"failing"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if got.Status != "unavailable" || len(got.Failing) != len(tt.want) {
				t.Fatalf("body %+v, want failing %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got.Failing[k] != v {
					t.Errorf("failing[%s] = %q, want %q", k, got.Failing[k], v)
				}
			}
		})
	}
}
