package serialport

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"
)

// State is the state a Status reports.
type State int

const (
	// StateConnected: the port is open and handed to the driver.
	StateConnected State = iota + 1
	// StateDisconnected: an open connection ended (Status.Err says why).
	StateDisconnected
	// StateError: opening the port failed (Status.Err says why).
	StateError
)

func (s State) String() string {
	switch s {
	case StateConnected:
		return "connected"
	case StateDisconnected:
		return "disconnected"
	case StateError:
		return "error"
	}
	return "unknown"
}

// Status is one event of a Port's life.
type Status struct {
	State State
	Path  string
	// Err is why the connection ended or the open failed; nil when connected
	// or when the handler ended without an error.
	Err error
	// Attempt counts failures since the last stable connection.
	Attempt int
	// Retry is the wait before the next attempt (0 when connected or
	// stopping).
	Retry time.Duration
	At    time.Time
}

// Opener opens the device. Tests inject one; the default opens Config.Path.
type Opener func(ctx context.Context) (io.ReadWriteCloser, error)

// Handler drives a device over one connection. It returns when the connection
// fails (its Read or Write returns an error) or ctx ends; the Port closes the
// connection when ctx ends, which unblocks a Read.
type Handler func(ctx context.Context, rw io.ReadWriter) error

// PortConfig configures a Port.
type PortConfig struct {
	Config
	// Open opens the device; nil means Open(Config).
	Open Opener
	// MinBackoff is the first wait after a failure; 0 means 250 ms.
	MinBackoff time.Duration
	// MaxBackoff caps the doubling wait; 0 means 10 s.
	MaxBackoff time.Duration
	// Logger gets status changes; nil means slog.Default().
	Logger *slog.Logger
}

// Port keeps one serial device connected.
type Port struct {
	path       string
	open       Opener
	minBackoff time.Duration
	maxBackoff time.Duration
	log        *slog.Logger

	mu      sync.Mutex
	subs    map[chan Status]struct{}
	last    Status
	running bool
}

// NewPort returns a supervisor for the device described by cfg. Nothing is
// opened until Run.
func NewPort(cfg PortConfig) *Port {
	p := &Port{
		path:       cfg.Path,
		open:       cfg.Open,
		minBackoff: cfg.MinBackoff,
		maxBackoff: cfg.MaxBackoff,
		log:        cfg.Logger,
		subs:       make(map[chan Status]struct{}),
	}
	if p.open == nil {
		c := cfg.Config
		p.open = func(context.Context) (io.ReadWriteCloser, error) { return Open(c) }
	}
	if p.minBackoff <= 0 {
		p.minBackoff = 250 * time.Millisecond
	}
	if p.maxBackoff <= 0 {
		p.maxBackoff = 10 * time.Second
	}
	if p.maxBackoff < p.minBackoff {
		p.maxBackoff = p.minBackoff
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.log = p.log.With("port", p.path)
	return p
}

// Subscribe returns a channel of status events and a function that ends the
// subscription and closes the channel. Events are dropped for a subscriber
// that falls 32 events behind; Status always tells the latest.
func (p *Port) Subscribe() (<-chan Status, func()) {
	ch := make(chan Status, 32)
	p.mu.Lock()
	p.subs[ch] = struct{}{}
	p.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			p.mu.Lock()
			delete(p.subs, ch)
			p.mu.Unlock()
			close(ch)
		})
	}
}

// Status returns the latest status event (zero before Run's first attempt).
func (p *Port) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

func (p *Port) publish(s Status) {
	s.Path = p.path
	s.At = time.Now()
	switch s.State {
	case StateConnected:
		p.log.Info("serial port connected")
	default:
		p.log.Warn("serial port "+s.State.String(), "err", s.Err, "attempt", s.Attempt, "retry", s.Retry)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = s
	for ch := range p.subs {
		select {
		case ch <- s:
		default:
		}
	}
}

// backoff returns the wait after the n-th consecutive failure (n ≥ 1).
func (p *Port) backoff(n int) time.Duration {
	d := p.minBackoff
	for i := 1; i < n && d < p.maxBackoff; i++ {
		d *= 2
	}
	return min(d, p.maxBackoff)
}

// Run opens the port, runs h on each connection and reconnects after
// failures until ctx ends; then it returns ctx.Err(). A connection that
// stayed up for MaxBackoff resets the backoff.
func (p *Port) Run(ctx context.Context, h Handler) error {
	p.mu.Lock()
	if p.running {
		p.mu.Unlock()
		return errors.New("serialport: Run called twice")
	}
	p.running = true
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.running = false
		p.mu.Unlock()
	}()

	failures := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		conn, err := p.open(ctx)
		if err != nil {
			failures++
			wait := p.backoff(failures)
			p.publish(Status{State: StateError, Err: err, Attempt: failures, Retry: wait})
			if !sleep(ctx, wait) {
				return ctx.Err()
			}
			continue
		}
		p.publish(Status{State: StateConnected, Attempt: failures})
		start := time.Now()
		err = serve(ctx, conn, h)
		if ctx.Err() != nil {
			p.publish(Status{State: StateDisconnected, Err: ctx.Err()})
			return ctx.Err()
		}
		if time.Since(start) >= p.maxBackoff {
			failures = 0
		}
		failures++
		wait := p.backoff(failures)
		p.publish(Status{State: StateDisconnected, Err: err, Attempt: failures, Retry: wait})
		if !sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

func serve(ctx context.Context, conn io.ReadWriteCloser, h Handler) error {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(cctx, func() { conn.Close() })
	defer stop()
	err := h(cctx, conn)
	conn.Close()
	return err
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
