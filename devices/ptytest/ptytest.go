// Package ptytest gives tests a pseudo-terminal: the master end plays the
// device (a simulator), the tty path is what the kiosk opens as its serial port.
package ptytest

import (
	"os"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Open returns the master end of a new pseudo-terminal and the path of its tty
// end. Both are closed in t.Cleanup.
//
// The tty is put in raw mode (no echo, no CR/LF translation) before anyone
// opens it, so bytes written to the master before the kiosk opens the port
// arrive unchanged. Open keeps its own tty descriptor open until cleanup: on
// Linux the master reads EIO whenever no tty descriptor is open, which would
// look like a dead device between two opens of the port.
//
// The master is pollable, so closing it unblocks a Read in progress and
// SetReadDeadline works.
func Open(t testing.TB) (master *os.File, ttyPath string) {
	t.Helper()
	m, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("ptytest: open pty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := makeRaw(tty); err != nil {
		m.Close()
		t.Fatalf("ptytest: raw mode: %v", err)
	}
	master, err = pollable(m)
	if err != nil {
		m.Close()
		t.Fatalf("ptytest: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	return master, tty.Name()
}

func makeRaw(tty *os.File) error {
	fd := int(tty.Fd())
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	// cfmakeraw
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	tio.Cflag &^= unix.CSIZE | unix.PARENB
	tio.Cflag |= unix.CS8
	tio.Cc[unix.VMIN] = 1
	tio.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, tio)
}

// pollable re-wraps m as a non-blocking *os.File. creack/pty's ioctls call
// Fd(), which switches the file to blocking mode, after which Close no longer
// interrupts a Read.
func pollable(m *os.File) (*os.File, error) {
	fd, err := unix.Dup(int(m.Fd()))
	if err != nil {
		return nil, err
	}
	m.Close()
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "/dev/ptmx"), nil
}
