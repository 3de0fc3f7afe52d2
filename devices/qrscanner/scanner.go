package qrscanner

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Scanner reads scans from a port and delivers them on a channel. It
// outlives connections: Serve is called again for each new connection.
type Scanner struct {
	opts   Options
	log    *slog.Logger
	scans  chan Scan
	mu     sync.Mutex
	closed bool
}

// New returns a Scanner. A nil logger means slog.Default().
func New(opts Options, log *slog.Logger) *Scanner {
	if log == nil {
		log = slog.Default()
	}
	return &Scanner{opts: opts.withDefaults(), log: log, scans: make(chan Scan, 16)}
}

// Scans delivers good and broken scans (Scan.Err set). Scans are dropped
// (and logged) while 16 are waiting unread. The channel is closed by Close.
func (s *Scanner) Scans() <-chan Scan { return s.scans }

// Close closes the Scans channel.
func (s *Scanner) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.scans)
	}
	return nil
}

func (s *Scanner) deliver(scans []Scan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range scans {
		if sc.Err != nil {
			// The content may be a personal handover code: log its size only.
			s.log.Warn("qr scanner: broken scan", "err", sc.Err, "len", len(sc.Text))
		} else {
			s.log.Info("qr scanner: scan", "symbology", sc.Symbology, "len", len(sc.Text))
		}
		if s.closed {
			continue
		}
		select {
		case s.scans <- sc:
		default:
			s.log.Warn("qr scanner: scan dropped, nobody is reading")
		}
	}
}

// Serve reads scans from r until r fails or ctx ends, and returns why. When
// ctx ends it closes r if r is an io.Closer, to unblock its Read. With a
// serialport.Port: port.Run(ctx, func(ctx context.Context, rw io.ReadWriter)
// error { return sc.Serve(ctx, rw) }).
func (s *Scanner) Serve(ctx context.Context, r io.Reader) error {
	type chunk struct {
		b   []byte
		at  time.Time
		err error
	}
	chunks := make(chan chunk)
	done := make(chan struct{})
	defer close(done)
	stop := context.AfterFunc(ctx, func() {
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
	})
	defer stop()
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := r.Read(buf)
			c := chunk{b: append([]byte(nil), buf[:n]...), at: time.Now(), err: err}
			select {
			case chunks <- c:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()

	d := NewDecoder(s.opts)
	var timer *time.Timer
	var timeout <-chan time.Time
	for {
		if timer != nil {
			timer.Stop()
			timer, timeout = nil, nil
		}
		if dl, ok := d.Deadline(); ok {
			timer = time.NewTimer(time.Until(dl) + time.Millisecond)
			timeout = timer.C
		}
		select {
		case c := <-chunks:
			s.deliver(d.Feed(c.b, c.at))
			if c.err != nil {
				s.deliver(d.End())
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return c.err
			}
		case now := <-timeout:
			s.deliver(d.Tick(now))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
