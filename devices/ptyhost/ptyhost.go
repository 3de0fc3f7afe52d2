// Package ptyhost gives a device simulator a pseudo-terminal to play the
// device on: the simulator reads and writes the master end, the kiosk opens
// the tty path as its serial port, with real tarm/serial code.
package ptyhost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTY is an open pseudo-terminal.
type PTY struct {
	Master  *os.File // the device's end; pollable, so Close interrupts a Read
	TTYPath string   // what the kiosk opens
	tty     *os.File
	link    string
}

// Open makes a pseudo-terminal with its tty in raw mode (no echo, no CR/LF
// translation), so bytes pass unchanged even before the kiosk opens it. The
// tty stays open until Close: on Linux the master reads EIO whenever no tty
// descriptor is open, which would look like a dead device between two opens
// of the port.
func Open() (*PTY, error) {
	m, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("open pseudo-terminal: %w", err)
	}
	if err := makeRaw(tty); err != nil {
		m.Close()
		tty.Close()
		return nil, fmt.Errorf("pseudo-terminal raw mode: %w", err)
	}
	master, err := pollable(m)
	if err != nil {
		tty.Close()
		return nil, err
	}
	return &PTY{Master: master, TTYPath: tty.Name(), tty: tty}, nil
}

// Link makes path a symlink to the tty, replacing an old symlink there, so
// configs can name a stable path like /dev/serial/by-id/… does in production.
func (p *PTY) Link(path string) error {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSymlink == 0 {
			return fmt.Errorf("%s exists and is not a symlink; not replacing it", path)
		}
		os.Remove(path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Symlink(p.TTYPath, path); err != nil {
		return err
	}
	p.link = path
	return nil
}

// Close closes both ends and removes the symlink made by Link.
func (p *PTY) Close() error {
	if p.link != "" {
		os.Remove(p.link)
	}
	p.tty.Close()
	return p.Master.Close()
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
		m.Close()
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
