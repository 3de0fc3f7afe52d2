package escpos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// PrinterConfig tunes a Printer. Zero fields take defaults.
type PrinterConfig struct {
	// Timeout is how long to wait for a status reply (default 2 s).
	Timeout time.Duration
	// Baud is the port speed. When set, the wait for the status after a job
	// also allows for the job's own transmission time: the reply queues
	// behind it on the wire.
	Baud int
	// ChunkSize is how many bytes are written at a time, so that a cancelled
	// context stops a long job between chunks (default 1024).
	ChunkSize int
	Logger    *slog.Logger
}

// Printer drives an ESC/POS printer on a port. It is the only reader of the
// port: a goroutine started with the first status query reads replies until
// the port fails, so closing the port (in cmd/) ends it.
//
// A Printer is safe for concurrent use; jobs are printed one at a time.
type Printer struct {
	port io.ReadWriter
	cfg  PrinterConfig
	log  *slog.Logger

	mu      sync.Mutex
	start   sync.Once
	replies chan byte
	readErr chan error // gets the port's read error when the reader stops
}

// NewPrinter returns a Printer on port, for example a *serial.Port from
// github.com/tarm/serial opened with a ReadTimeout.
func NewPrinter(port io.ReadWriter, cfg PrinterConfig) *Printer {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = 1024
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Printer{
		port:    port,
		cfg:     cfg,
		log:     log.With("device", "printer"),
		replies: make(chan byte, 256),
		readErr: make(chan error, 1),
	}
}

// Status asks the printer for its real-time status. It returns ErrNoAnswer
// when no reply comes within the timeout and ErrBadReply for bytes that are
// not a status reply (both wrapped with details; use errors.Is).
func (p *Printer) Status(ctx context.Context) (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status(ctx, 0)
}

// Print sends one job. Before the job it checks the printer's status and
// refuses, writing nothing, when the printer cannot print (the error says why:
// ErrPaperOut, ErrCoverOpen, ErrOffline, ErrNoAnswer, ...). After the job it
// checks again and reports paper running out or a fault during the job
// (ErrPaperOutInJob, ErrFaultInJob). A roll near its end is logged, not an
// error. All errors are *borgerkiosk.Error values with code EUnavailable whose
// message is safe to show a person.
func (p *Printer) Print(ctx context.Context, job []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	before, err := p.status(ctx, 0)
	if err != nil {
		return err
	}
	if err := before.Problem(); err != nil {
		p.log.Warn("printer refused job", "status", before.String(), "reason", err)
		return err
	}
	if before.PaperNearEnd {
		p.log.Warn("printer paper roll near its end")
	}
	if err := p.write(ctx, job); err != nil {
		return err
	}
	after, err := p.status(ctx, p.wireTime(len(job)+len(statusQuery)))
	if err != nil {
		return err
	}
	switch {
	case after.PaperOut || after.PaperStop:
		p.log.Warn("printer ran out of paper during job", "status", after.String(), "bytes", len(job))
		return ErrPaperOutInJob
	case after.Problem() != nil:
		p.log.Warn("printer fault during job", "status", after.String(), "bytes", len(job))
		return fmt.Errorf("%w (%v)", ErrFaultInJob, after.Problem())
	}
	p.log.Debug("printed job", "bytes", len(job))
	return nil
}

func (p *Printer) write(ctx context.Context, job []byte) error {
	for len(job) > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w: %v", ErrNoAnswer, err)
		}
		n := min(len(job), p.cfg.ChunkSize)
		if _, err := p.port.Write(job[:n]); err != nil {
			p.log.Error("writing to printer port", "err", err)
			return fmt.Errorf("%w: write: %v", ErrNoAnswer, err)
		}
		job = job[n:]
	}
	return nil
}

// wireTime is how long n bytes take on the wire at 8N1 (10 bits a byte).
func (p *Printer) wireTime(n int) time.Duration {
	if p.cfg.Baud <= 0 {
		return 0
	}
	return time.Duration(n) * 10 * time.Second / time.Duration(p.cfg.Baud)
}

// status sends the four DLE EOT requests and parses the four reply bytes.
// extra lengthens the wait beyond the configured timeout.
func (p *Printer) status(ctx context.Context, extra time.Duration) (Status, error) {
	p.start.Do(func() { go p.readLoop() })
	// A reply that arrived after an earlier timeout would shift every later
	// reply by one; throw such leftovers away first.
	if n := p.drain(); n > 0 {
		p.log.Warn("discarded stale bytes from printer", "bytes", n)
	}
	if err := p.write(ctx, statusQuery); err != nil {
		return Status{}, err
	}
	timer := time.NewTimer(p.cfg.Timeout + extra)
	defer timer.Stop()
	var reply [4]byte
	for i := range reply {
		select {
		case c := <-p.replies:
			reply[i] = c
		case err := <-p.readErr:
			p.readErr <- err // keep it for the next caller
			p.log.Error("reading printer port", "err", err)
			return Status{}, fmt.Errorf("%w: read: %v", ErrNoAnswer, err)
		case <-timer.C:
			p.log.Warn("printer status timeout", "got_bytes", i)
			return Status{}, fmt.Errorf("%w: %d of 4 status bytes after %v", ErrNoAnswer, i, p.cfg.Timeout+extra)
		case <-ctx.Done():
			return Status{}, fmt.Errorf("%w: %v", ErrNoAnswer, ctx.Err())
		}
	}
	s, err := ParseStatus(reply[:])
	if err != nil {
		p.log.Warn("bad printer status", "err", err)
		return Status{}, fmt.Errorf("%w: %v", ErrBadReply, err)
	}
	return s, nil
}

func (p *Printer) drain() int {
	n := 0
	for {
		select {
		case <-p.replies:
			n++
		default:
			return n
		}
	}
}

// readLoop moves bytes from the port to p.replies. tarm/serial returns
// (0, io.EOF) whenever its read timeout passes without data; that means
// "nothing yet", not "closed", so the loop keeps going. The short sleep only
// matters for ports that return EOF at once, which would otherwise spin.
func (p *Printer) readLoop() {
	buf := make([]byte, 64)
	for {
		n, err := p.port.Read(buf)
		for _, c := range buf[:n] {
			p.replies <- c
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			if n == 0 {
				time.Sleep(10 * time.Millisecond)
			}
		default:
			p.readErr <- err
			return
		}
	}
}
