// Package ptytest gives tests a pseudo-terminal: the master end plays the
// device (a simulator), the tty path is what the kiosk opens as its serial port.
package ptytest

import (
	"os"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/devices/ptyhost"
)

// Open returns the master end of a new pseudo-terminal and the path of its
// tty end (see ptyhost.Open: raw mode, a tty descriptor kept open, a master
// whose Close interrupts a Read). Both are closed in t.Cleanup.
func Open(t testing.TB) (master *os.File, ttyPath string) {
	t.Helper()
	p, err := ptyhost.Open()
	if err != nil {
		t.Fatalf("ptytest: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p.Master, p.TTYPath
}
