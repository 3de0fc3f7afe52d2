package serialport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/borgerkiosk/borgerkiosk/devices/ptytest"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

func TestOpenPTYPassesBytesAndWaitsThroughTimeouts(t *testing.T) {
	master, path := ptytest.Open(t)
	c, err := Open(Config{Path: path, Baud: 115200, ReadTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, 64)
		n, err := io.ReadAtLeast(c, b, 6)
		if err != nil {
			got <- []byte("error: " + err.Error())
			return
		}
		got <- b[:n]
	}()
	// Several tarm/serial read timeouts (io.EOF) pass before data comes;
	// Read must keep waiting rather than report end of file.
	testtool.Until(t, "3 read timeouts", func() bool { return c.timeouts.Load() >= 3 })
	if _, err := master.Write([]byte("OK\x00\r\n\xff")); err != nil {
		t.Fatal(err)
	}
	if b := testtool.Recv(t, got, "Read to return the written bytes"); !bytes.Equal(b, []byte("OK\x00\r\n\xff")) {
		t.Errorf("Read = %q; want %q", b, "OK\x00\r\n\xff")
	}

	if _, err := c.Write([]byte("CERT\r\n")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	if _, err := io.ReadFull(master, b); err != nil || string(b) != "CERT\r\n" {
		t.Errorf("master read %q, %v; want %q", b, err, "CERT\r\n")
	}
}

func TestCloseEndsRead(t *testing.T) {
	_, path := ptytest.Open(t)
	c, err := Open(Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 8))
		done <- err
	}()
	testtool.Blocked(t, "serialport.(*Conn).Read")
	c.Close()
	if err := testtool.Recv(t, done, "Read to return after Close"); !errors.Is(err, ErrClosed) {
		t.Errorf("Read after Close = %v; want ErrClosed", err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v; want ErrClosed", err)
	}
}

func TestDeviceGoneEndsRead(t *testing.T) {
	master, path := ptytest.Open(t)
	c, err := Open(Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 8))
		done <- err
	}()
	testtool.Blocked(t, "serialport.(*Conn).Read")
	master.Close() // the "device" goes away
	if err := testtool.Recv(t, done, "Read to return after the device went away"); err == nil || errors.Is(err, ErrClosed) {
		t.Errorf("Read after the device went away = %v; want a device error", err)
	}
}

func TestOpenErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"", "/dev/serial/by-id/no-such-device", file} {
		if c, err := Open(Config{Path: path}); err == nil {
			c.Close()
			t.Errorf("Open(%q) succeeded; want an error", path)
		}
	}
	_, tty := ptytest.Open(t)
	if c, err := Open(Config{Path: tty, Baud: 12345}); err == nil {
		c.Close()
		t.Errorf("Open with baud 12345 succeeded; want an error")
	}
}

func TestBackoff(t *testing.T) {
	p := NewPort(PortConfig{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second})
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if got := p.backoff(i + 1); got != w*time.Millisecond {
			t.Errorf("backoff(%d) = %v; want %v", i+1, got, w*time.Millisecond)
		}
	}
}

// TestReconnect drives the supervisor with an opener that fails three times,
// then hands out a pipe whose far end the test closes, in fake time.
func TestReconnect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var (
			opens   int
			devices = make(chan net.Conn, 4)
		)
		opener := func(context.Context) (io.ReadWriteCloser, error) {
			opens++
			if opens <= 3 || opens == 5 {
				return nil, fmt.Errorf("open attempt %d: no such device", opens)
			}
			kiosk, dev := net.Pipe()
			devices <- dev
			return kiosk, nil
		}
		p := NewPort(PortConfig{Config: Config{Path: "/dev/fake"}, Open: opener,
			MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second})
		events, unsubscribe := p.Subscribe()
		defer unsubscribe()

		ctx, cancel := context.WithCancel(t.Context())
		handled := make(chan string, 4)
		runDone := make(chan error, 1)
		start := time.Now()
		go func() {
			runDone <- p.Run(ctx, func(ctx context.Context, rw io.ReadWriter) error {
				b := make([]byte, 16)
				n, err := rw.Read(b)
				if err != nil {
					return err
				}
				handled <- string(b[:n])
				_, err = rw.Read(b)
				return err
			})
		}()

		type step struct {
			state   State
			attempt int
			retry   time.Duration
			at      time.Duration
		}
		expect := func(want step) {
			t.Helper()
			s := <-events
			got := step{s.State, s.Attempt, s.Retry, time.Since(start)}
			if got != want {
				t.Errorf("status = %+v; want %+v", got, want)
			}
			if (s.State == StateConnected) != (s.Err == nil) {
				t.Errorf("status %v has Err %v", s.State, s.Err)
			}
		}
		ms := time.Millisecond
		expect(step{StateError, 1, 100 * ms, 0})
		expect(step{StateError, 2, 200 * ms, 100 * ms})
		expect(step{StateError, 3, 400 * ms, 300 * ms})
		expect(step{StateConnected, 3, 0, 700 * ms})

		dev := <-devices
		dev.Write([]byte("hello"))
		if got := <-handled; got != "hello" {
			t.Errorf("handler read %q; want hello", got)
		}
		dev.Close() // unplugged
		expect(step{StateDisconnected, 4, 800 * ms, 700 * ms})
		expect(step{StateError, 5, time.Second, 1500 * ms})
		expect(step{StateConnected, 5, 0, 2500 * ms})
		if s := p.Status(); s.State != StateConnected || s.Path != "/dev/fake" {
			t.Errorf("Status() = %+v; want connected on /dev/fake", s)
		}

		dev = <-devices
		cancel()
		if err := <-runDone; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v; want context.Canceled", err)
		}
		expect(step{StateDisconnected, 0, 0, 2500 * ms})
		// Cancelling closed the connection handed to the handler.
		if _, err := dev.Write([]byte("x")); err == nil {
			t.Error("device end still writable after Run returned")
		}
	})
}

func TestPortWithRealPTY(t *testing.T) {
	master, path := ptytest.Open(t)
	p := NewPort(PortConfig{Config: Config{Path: path}})
	events, unsubscribe := p.Subscribe()
	defer unsubscribe()
	ctx, cancel := context.WithCancel(t.Context())
	runDone := make(chan error, 1)
	go func() {
		runDone <- p.Run(ctx, func(ctx context.Context, rw io.ReadWriter) error {
			_, err := io.Copy(rw, rw) // echo
			return err
		})
	}()
	if s := testtool.Recv(t, events, "the first port status"); s.State != StateConnected {
		t.Fatalf("first status = %v (%v); want connected", s.State, s.Err)
	}
	master.Write([]byte("ping\r\n"))
	b := make([]byte, 6)
	if _, err := io.ReadFull(master, b); err != nil || string(b) != "ping\r\n" {
		t.Errorf("echo = %q, %v; want ping", b, err)
	}
	cancel()
	if err := testtool.Recv(t, runDone, "Run to return after cancel"); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v; want context.Canceled", err)
	}
}
