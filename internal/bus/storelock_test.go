package bus

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStoreLockRefusesSecondServer: while one Bus holds an embedded store,
// a second Open on the same directory is refused with ErrStoreInUse naming
// the holder, and nothing of the first is disturbed; after Close the store
// opens again with its data.
func TestStoreLockRefusesSecondServer(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first := openTest(t, dir)
	if _, err := first.Publish(ctx, SubjectArticles+".s", "id-1", []byte("{}"), nil); err != nil {
		t.Fatal(err)
	}
	second, err := Open(ctx, Config{StoreDir: dir, Sync: true}, nil)
	if err == nil {
		second.Close()
		t.Fatal("a second embedded server opened the store the first one holds")
	}
	if !errors.Is(err, ErrStoreInUse) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Open: %v, want ErrStoreInUse naming pid %d", err, os.Getpid())
	}
	if _, err := first.Publish(ctx, SubjectArticles+".s", "id-2", []byte("{}"), nil); err != nil {
		t.Fatalf("the holder cannot publish after a refused Open: %v", err)
	}
	first.Close()

	again := openTest(t, dir)
	defer again.Close()
	info, err := again.JetStream().Stream(ctx, StreamArticles)
	if err != nil {
		t.Fatal(err)
	}
	if n := info.CachedInfo().State.Msgs; n != 2 {
		t.Errorf("reopened store has %d articles, want 2", n)
	}
}

// TestStoreLockAcrossProcesses: another process holding the store refuses
// this one; once that process is SIGKILLed, the kernel has dropped its lock
// and the store opens here.
func TestStoreLockAcrossProcesses(t *testing.T) {
	if dir := os.Getenv("DIEMBAO_BUS_HOLD_STORE"); dir != "" {
		holdStore(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestStoreLockAcrossProcesses$")
	cmd.Env = append(os.Environ(), "DIEMBAO_BUS_HOLD_STORE="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "holding") {
				ready <- sc.Text()
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("the child process did not open the store")
	}

	_, err = Open(context.Background(), Config{StoreDir: dir}, nil)
	if !errors.Is(err, ErrStoreInUse) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(cmd.Process.Pid)) {
		t.Fatalf("Open while another process holds the store: %v, want ErrStoreInUse naming pid %d", err, cmd.Process.Pid)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	b := openTest(t, dir)
	b.Close()
}

// holdStore is the child side of TestStoreLockAcrossProcesses: it opens the
// store, says so, and waits to be killed.
func holdStore(dir string) {
	b, err := Open(context.Background(), Config{StoreDir: dir}, nil)
	if err != nil {
		os.Stdout.WriteString("error " + err.Error() + "\n")
		os.Exit(1)
	}
	defer b.Close()
	os.Stdout.WriteString("holding\n")
	time.Sleep(10 * time.Minute)
}
