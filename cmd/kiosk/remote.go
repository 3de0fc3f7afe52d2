//go:build soak

package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/borgerkiosk/borgerkiosk/ui"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
)

// In a soak build the kiosk takes commands on the Unix socket named by
// BK_REMOTE_SOCKET, one a line, and taps the real window's widgets through
// fyne.DoAndWait exactly as a finger's tap would run them:
//
//	screen        -> ok <screen id>
//	tap <id>      -> ok | err no button <id>
//	pin <digits>  -> taps the PIN pad's keys, then OK
//	malloc        -> ok inuse=N free=N mmap=N (glibc's C heap, bytes)
//	hang          -> ok once the UI thread is stuck in a function fyne.Do
//	                 gave it (a frozen screen, for the watchdog test)
//	release       -> ok; the stuck UI thread goes on
//
// TestMemorySoak (memsoak_test.go) uses it to make 1,000 consent actions;
// TestWatchdogStopsWhenTheRealUIThreadHangs (watchdog_test.go) hangs it.
func init() { remote = serveRemote }

func serveRemote(ctx context.Context, kui *ui.KioskUI, log *slog.Logger) error {
	path := os.Getenv("BK_REMOTE_SOCKET")
	if path == "" {
		return fmt.Errorf("soak build: set BK_REMOTE_SOCKET")
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	context.AfterFunc(ctx, func() { ln.Close() })
	log.Warn("remote control of the window (soak build)", "socket", path)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go remoteConn(c, kui)
		}
	}()
	return nil
}

func remoteConn(c net.Conn, kui *ui.KioskUI) {
	defer c.Close()
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		var reply string
		switch cmd {
		case "hang":
			reply = hangUIThread()
		case "release":
			reply = releaseUIThread()
		default:
			fyne.DoAndWait(func() { reply = remoteCommand(kui, cmd, arg) })
		}
		fmt.Fprintln(c, reply)
	}
}

func remoteCommand(kui *ui.KioskUI, cmd, arg string) string {
	switch cmd {
	case "screen":
		return "ok " + kui.Screen()
	case "malloc":
		return "ok " + mallocStats()
	case "tap":
		b := kui.Button(arg)
		if b == nil || b.OnTapped == nil || b.Disabled() {
			return "err no button " + arg
		}
		b.OnTapped()
		return "ok"
	case "pin":
		p := kui.PinPad()
		if p == nil {
			return "err no PIN pad"
		}
		for _, d := range arg + "\x00" {
			id := string(d)
			if d == 0 {
				id = keyboard.KeyOK
			}
			k := p.Key(id)
			if k == nil {
				return "err no key " + id
			}
			k.Tapped(nil)
		}
		return "ok"
	}
	return "err unknown command " + cmd
}

// release, while the UI thread hangs, lets it go on.
var (
	hangMu  sync.Mutex
	release chan struct{}
)

// hangUIThread blocks the UI thread, as a deadlock in a screen would, and
// returns once it is blocked.
func hangUIThread() string {
	hangMu.Lock()
	defer hangMu.Unlock()
	if release != nil {
		return "err the UI thread already hangs"
	}
	release = make(chan struct{})
	stuck, r := make(chan struct{}), release
	fyne.Do(func() { close(stuck); <-r })
	<-stuck
	return "ok"
}

func releaseUIThread() string {
	hangMu.Lock()
	defer hangMu.Unlock()
	if release == nil {
		return "err the UI thread does not hang"
	}
	close(release)
	release = nil
	return "ok"
}
