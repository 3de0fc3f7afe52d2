package simctl

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func echoUpper(ctx context.Context, r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fmt.Fprintln(w, strings.ToUpper(sc.Text()))
	}
	return sc.Err()
}

func TestListenUnixServesEachConnection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ListenUnix(ctx, path, echoUpper) }()
	var c net.Conn
	var err error
	for i := 0; i < 200; i++ {
		if c, err = net.Dial("unix", path); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("ListenUnix ended early: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	fmt.Fprintln(c, "insert card")
	got, _ := bufio.NewReader(c).ReadString('\n')
	if got != "INSERT CARD\n" {
		t.Errorf("reply = %q; want %q", got, "INSERT CARD\n")
	}
	c.Close()
	// A second simulator on the same socket is refused while the first lives.
	if err := ListenUnix(context.Background(), path, echoUpper); err == nil || !strings.Contains(err.Error(), "already listening") {
		t.Errorf("second ListenUnix = %v; want already listening", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ListenUnix after cancel = %v", err)
	}
}
