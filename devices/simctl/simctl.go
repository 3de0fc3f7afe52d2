// Package simctl serves a device simulator's line-based control interface
// (insert a card, run out of paper, scan a code) on a Unix socket, so that a
// person, a script or `make run` can drive the simulators.
package simctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
)

// ServeFunc runs one control conversation: read commands from r, answer on w.
type ServeFunc func(ctx context.Context, r io.Reader, w io.Writer) error

// ListenUnix serves each connection to the socket at path with serve until
// ctx is done. A stale socket file is replaced; a live one (another
// simulator listening) is an error. The socket is mode 0600.
func ListenUnix(ctx context.Context, path string, serve ServeFunc) error {
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return fmt.Errorf("a simulator is already listening on %s", path)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return fmt.Errorf("%s exists and is not a socket", path)
		}
		os.Remove(path)
	}
	// Bind under a temporary name and rename once the mode is 0600, so the
	// socket is never reachable by others, not even for a moment.
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	os.Remove(tmp)
	l, err := net.Listen("unix", tmp)
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		l.Close()
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		l.Close()
		return err
	}
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer os.Remove(path)
	for {
		c, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			context.AfterFunc(cctx, func() { c.Close() })
			serve(cctx, c, c)
		}()
	}
}
