// Package serialport opens serial ports with github.com/tarm/serial and keeps
// them open: a Port supervisor reconnects with capped exponential backoff when
// a device disappears and hands each new connection to a device driver.
//
// Device drivers take io.Reader / io.Writer and never import this package;
// only cmd/ wires a Port to a driver.
package serialport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tarm/serial"
)

// Config says which port to open and how.
type Config struct {
	// Path of the device, in production a stable name such as
	// /dev/serial/by-id/usb-… or a udev symlink like /dev/borgerkiosk-card.
	Path string
	// Baud rate; 0 means 9600.
	Baud int
	// ReadTimeout is how often a waiting Read wakes up to notice Close and an
	// unplugged device. 0 means 100 ms; tarm/serial rounds to 0.1 s steps
	// and caps at 25.5 s.
	ReadTimeout time.Duration
}

const (
	defaultBaud        = 9600
	defaultReadTimeout = 100 * time.Millisecond
)

var (
	// ErrClosed is returned by Read and Write after Close.
	ErrClosed = errors.New("serial port closed")
	// ErrGone is returned by Read when the device node disappeared or the
	// line hung up (a USB adapter was unplugged).
	ErrGone = errors.New("serial device disappeared")
)

// Conn is an open serial port. Unlike a raw tarm/serial port, Read never
// returns the io.EOF that tarm/serial uses for "no data within the read
// timeout": it waits until data arrives, the port is closed (ErrClosed) or the
// device goes away (ErrGone or the system's error).
type Conn struct {
	port        *serial.Port
	path        string
	rdev        uint64
	readTimeout time.Duration
	closed      atomic.Bool
	fastZeros   int          // consecutive empty reads that returned well before the timeout
	timeouts    atomic.Int64 // read timeouts waited through, so a test can wait for some
}

// Open opens the serial port described by cfg in raw 8N1 mode.
func Open(cfg Config) (*Conn, error) {
	if cfg.Path == "" {
		return nil, errors.New("serialport: no device path configured")
	}
	if cfg.Baud == 0 {
		cfg.Baud = defaultBaud
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = defaultReadTimeout
	}
	rdev, err := deviceID(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("serialport: %w", err)
	}
	p, err := serial.OpenPort(&serial.Config{Name: cfg.Path, Baud: cfg.Baud, ReadTimeout: cfg.ReadTimeout})
	if err != nil {
		return nil, fmt.Errorf("serialport: open %s: %w", cfg.Path, err)
	}
	return &Conn{port: p, path: cfg.Path, rdev: rdev, readTimeout: cfg.ReadTimeout}, nil
}

// deviceID returns the device number of the node path points at (following
// symlinks), so that a by-id link now pointing at another device is noticed.
func deviceID(path string) (uint64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if fi.Mode()&os.ModeCharDevice == 0 {
		return 0, fmt.Errorf("%s is not a character device", path)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, nil
	}
	return uint64(st.Rdev), nil
}

// Path returns the path the port was opened with.
func (c *Conn) Path() string { return c.path }

// Read reads at least one byte, waiting as long as it takes.
func (c *Conn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		if c.closed.Load() {
			return 0, ErrClosed
		}
		start := time.Now()
		n, err := c.port.Read(b)
		if n > 0 {
			c.fastZeros = 0
			return n, nil
		}
		if c.closed.Load() {
			return 0, ErrClosed
		}
		if err != nil && err != io.EOF {
			return 0, fmt.Errorf("serialport: read %s: %w", c.path, err)
		}
		// A read timeout: no data yet. Check the device is still there.
		c.timeouts.Add(1)
		if err := c.checkPresent(time.Since(start)); err != nil {
			return 0, err
		}
	}
}

func (c *Conn) checkPresent(waited time.Duration) error {
	// A hung-up tty returns empty reads at once instead of after the
	// timeout; a few of those in a row mean the line is dead.
	if waited < c.readTimeout/2 {
		c.fastZeros++
		if c.fastZeros >= 3 {
			return fmt.Errorf("serialport: %s hung up: %w", c.path, ErrGone)
		}
	} else {
		c.fastZeros = 0
	}
	rdev, err := deviceID(c.path)
	if err != nil || rdev != c.rdev {
		return fmt.Errorf("serialport: %s: %w", c.path, ErrGone)
	}
	return nil
}

// Write writes b to the port.
func (c *Conn) Write(b []byte) (int, error) {
	if c.closed.Load() {
		return 0, ErrClosed
	}
	n, err := c.port.Write(b)
	if err != nil {
		if c.closed.Load() {
			return n, ErrClosed
		}
		return n, fmt.Errorf("serialport: write %s: %w", c.path, err)
	}
	return n, nil
}

// Close closes the port. A Read in progress returns ErrClosed within the
// read timeout.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.port.Close()
}
