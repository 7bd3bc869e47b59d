package faulttest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/e2e"
)

// natsCluster runs three nats-server processes routed into one cluster.
type natsCluster struct {
	t          *testing.T
	bin, dir   string
	client     [3]int
	route      [3]int
	nodes      [3]*e2e.Proc
	restarts   int
	routesFlag string
}

func startNATSCluster(t *testing.T, dir string) *natsCluster {
	t.Helper()
	c := &natsCluster{t: t, bin: e2e.BuildBinary(t, "nats-server", e2e.NATSServerPkg), dir: dir}
	var routes []string
	for i := range 3 {
		c.client[i], c.route[i] = e2e.FreePort(t), e2e.FreePort(t)
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", c.route[i]))
	}
	c.routesFlag = strings.Join(routes, ",")
	for i := range 3 {
		c.start(i)
	}
	return c
}

func (c *natsCluster) start(i int) {
	c.t.Helper()
	name := fmt.Sprintf("nats-%d", i+1)
	if c.restarts > 0 {
		name = fmt.Sprintf("nats-%d-restart-%d", i+1, c.restarts)
	}
	c.nodes[i] = e2e.StartProc(c.t, c.dir, name, nil, c.bin, "-js", "-a", "127.0.0.1", "-p", fmt.Sprint(c.client[i]),
		"--server_name", fmt.Sprintf("n%d", i+1), "--cluster_name", "diembao",
		"--cluster", fmt.Sprintf("nats://127.0.0.1:%d", c.route[i]), "--routes", c.routesFlag,
		"-sd", filepath.Join(c.dir, fmt.Sprintf("nats-%d", i+1)))
}

// URL lists every node, as a client's server list.
func (c *natsCluster) URL() string {
	var us []string
	for _, p := range c.client {
		us = append(us, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	return strings.Join(us, ",")
}

// TestClusterNodeKill runs the split roles against a 3-node nats-server
// cluster with every stream and bucket replicated three times, kills one
// NATS node with SIGKILL in the middle of the crawl and restarts it later:
// every article must end up indexed once and every alert mailed once per
// audience.
func TestClusterNodeKill(t *testing.T) {
	bin := e2e.BuildBinary(t, "diembao", e2e.DiembaoPkg)
	dir := t.TempDir()
	cl := startNATSCluster(t, dir)
	site, catcher, cfg, httpPort := e2e.Fixture(t, dir, cl.URL())
	// Three replicas of every stream and bucket.
	b := e2e.ReadFile(t, cfg)
	e2e.WriteFile(t, cfg, strings.Replace(b, fmt.Sprintf("nats: {url: %q}", cl.URL()), fmt.Sprintf("nats: {url: %q, replicas: 3}", cl.URL()), 1))

	e2e.Poll(t, 60*time.Second, "the cluster and user add", func() (bool, string) {
		cmd := exec.Command(bin, "--config", cfg, "user", "add", "tester", "--role", "admin", "--password-stdin", "--nats", cl.URL())
		cmd.Stdin = strings.NewReader(e2e.Password + "\n")
		out, err := cmd.CombinedOutput()
		return err == nil || strings.Contains(string(out), "exists"), string(out)
	})
	var crawl *e2e.Proc
	for _, role := range []string{"index", "match", "notify", "serve", "crawl"} {
		p := e2e.StartProc(t, dir, role, nil, bin, role, "--nats", cl.URL(), "--config", cfg, "--data", filepath.Join(dir, "data-"+role))
		if role == "crawl" {
			crawl = p
		}
	}
	api := e2e.API{Base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), User: "tester", Pass: e2e.Password}

	// Kill a node once the pipeline is busy: the first alert is raised.
	e2e.Poll(t, 2*time.Minute, "the first alert", func() (bool, string) {
		as, err := api.Alerts()
		if err != nil {
			return false, err.Error()
		}
		return len(as) > 0, fmt.Sprint(len(as), " alerts; crawl log has ", len(crawl.Output()), " bytes")
	})
	cl.nodes[1].Kill()
	t.Log("killed nats node 2")
	time.Sleep(15 * time.Second)
	cl.restarts++
	cl.start(1)
	t.Log("restarted nats node 2")

	e2e.WaitAllIndexedOnce(t, api, site, 4*time.Minute)
	e2e.WaitAlertsMailed(t, api, catcher, 3*time.Minute)
}
