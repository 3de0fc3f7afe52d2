package printersim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
)

// State is the simulated printer's condition, as reported to DLE EOT.
type State struct {
	PaperOut     bool
	PaperNearEnd bool
	CoverOpen    bool
	Offline      bool // offline for another reason (e.g. the feed button)
}

// CanPrint reports whether a printer in this state prints what it gets.
func (s State) CanPrint() bool { return !s.PaperOut && !s.CoverOpen && !s.Offline }

// statusByte answers DLE EOT n the way an Epson printer does: bits 1 and 4
// always set, 0 and 7 always clear.
func (s State) statusByte(n byte) byte {
	b := byte(0x12)
	switch n {
	case 1:
		if !s.CanPrint() {
			b |= 0x08 // offline
		}
	case 2:
		if s.CoverOpen {
			b |= 0x04
		}
		if s.PaperOut {
			b |= 0x20 // printing stopped by paper end
		}
	case 4:
		if s.PaperNearEnd {
			b |= 0x0C
		}
		if s.PaperOut {
			b |= 0x60
		}
	}
	return b
}

// Printed is a receipt the simulator got, with where it was saved.
type Printed struct {
	Seq     int
	Receipt *Receipt
	Text    string // Text(Receipt, Columns)
	PNGPath string // "" when not saved
	TxtPath string
	// Discarded is set when the receipt came while the printer could not
	// print (paper out, cover open, offline); it was not saved.
	Discarded bool
}

// Simulator is a receipt printer on a port. Set its fields before Serve.
type Simulator struct {
	// Dir receives receipt-NNNN.png and receipt-NNNN.txt for each cut
	// (receipt-NNNN-slip.* for a handover slip, with latest-slip.png a
	// symlink to the newest).
	// Empty: receipts are kept in memory only.
	Dir string
	// Columns per line at normal width (default 42).
	Columns int
	// OnReceipt, if set, is called (from Serve's goroutine) for each receipt.
	OnReceipt func(Printed)
	Logger    *slog.Logger

	mu       sync.Mutex
	state    State
	seq      int
	seqReady bool
	printed  []Printed

	statusRequests atomic.Int64
}

// New returns a Simulator that saves receipts in dir.
func New(dir string) *Simulator { return &Simulator{Dir: dir} }

// SetState changes what the printer reports from now on.
func (s *Simulator) SetState(st State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = st
}

// State returns the printer's current condition.
func (s *Simulator) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// StatusRequests counts the real-time status requests (DLE EOT n)
// answered so far.
func (s *Simulator) StatusRequests() int64 { return s.statusRequests.Load() }

// Printed returns the receipts got so far.
func (s *Simulator) Printed() []Printed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Printed(nil), s.printed...)
}

func (s *Simulator) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default().With("device", "printersim")
}

// Serve reads ESC/POS from port, answers status requests on it and collects
// receipts, until ctx is done or reading the port fails. A read that returns
// (0, io.EOF), as tarm/serial does on its read timeout, means "no data yet".
// To stop a Serve blocked in Read, cancel ctx: a port with a working
// SetReadDeadline (a pollable os.File) is woken. Other ports must also be
// made to fail the read: for a pty master from creack/pty, which is in
// blocking mode, close the slave side (every descriptor of the tty).
func (s *Simulator) Serve(ctx context.Context, port io.ReadWriter) error {
	log := s.logger()
	if dl, ok := port.(interface{ SetReadDeadline(time.Time) error }); ok {
		stop := context.AfterFunc(ctx, func() { dl.SetReadDeadline(time.Now()) })
		defer stop()
	}
	dec := NewDecoder(&patientReader{ctx: ctx, r: port})
	// A real printer answers DLE EOT at once, even while it is still
	// printing: receipts are saved (rendered to PNG, which takes a while) on
	// another goroutine, in order, so status requests behind a job are
	// answered without waiting for that. Saving them here made the kiosk's
	// status check after a job time out on a busy machine and its next
	// idle poll throw the late reply away.
	receipts := make(chan *Receipt, 16)
	saved := make(chan struct{})
	go func() {
		defer close(saved)
		for r := range receipts {
			s.deliver(log, r)
		}
	}()
	defer func() { close(receipts); <-saved }()
	var writeErr error
	dec.OnStatus = func(n byte) {
		s.statusRequests.Add(1)
		b := s.State().statusByte(n)
		if _, err := port.Write([]byte{b}); err != nil && writeErr == nil {
			writeErr = err
		}
	}
	for {
		r, err := dec.Next()
		if r != nil && !r.Empty() {
			receipts <- r
		}
		if writeErr != nil {
			return fmt.Errorf("printersim: answering status: %w", writeErr)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, io.EOF) {
			// Only a patientReader giving up returns EOF: ctx is done.
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("printersim: reading port: %w", err)
		}
	}
}

func (s *Simulator) deliver(log *slog.Logger, r *Receipt) {
	cols := s.Columns
	if cols <= 0 {
		cols = escpos.DefaultColumns
	}
	s.mu.Lock()
	if !s.seqReady {
		s.seq = lastSeq(s.Dir)
		s.seqReady = true
	}
	s.seq++
	p := Printed{Seq: s.seq, Receipt: r, Text: Text(r, cols), Discarded: !s.state.CanPrint()}
	s.mu.Unlock()

	switch {
	case p.Discarded:
		log.Warn("receipt discarded: printer cannot print", "seq", p.Seq, "state", fmt.Sprintf("%+v", s.State()))
	case s.Dir != "":
		if err := s.save(&p, cols); err != nil {
			log.Error("saving receipt", "seq", p.Seq, "err", err)
		}
	}
	if len(r.Errors) > 0 {
		log.Warn("receipt has decode errors", "seq", p.Seq, "errors", len(r.Errors), "first", r.Errors[0])
	}
	log.Info("receipt", "seq", p.Seq, "cut", r.Cut.String(), "blocks", len(r.Blocks), "png", p.PNGPath)
	s.mu.Lock()
	s.printed = append(s.printed, p)
	s.mu.Unlock()
	if s.OnReceipt != nil {
		s.OnReceipt(p)
	}
}

func (s *Simulator) save(p *Printed, cols int) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return err
	}
	// A handover slip is the one receipt with a QR code, native or sent as
	// a raster image (the kiosk prints no other images): its name says so,
	// and latest-slip.png is always the newest one, for a person to scan.
	slip := false
	for _, b := range p.Receipt.Blocks {
		slip = slip || b.Kind == QRBlock || b.Kind == RasterBlock
	}
	name := fmt.Sprintf("receipt-%04d", p.Seq)
	if slip {
		name += "-slip"
	}
	base := filepath.Join(s.Dir, name)
	txt := p.Text
	if len(p.Receipt.Errors) > 0 {
		txt += "--- decode errors ---\n"
		for _, e := range p.Receipt.Errors {
			txt += e + "\n"
		}
	}
	if err := os.WriteFile(base+".txt", []byte(txt), 0o644); err != nil {
		return err
	}
	p.TxtPath = base + ".txt"
	var buf bytes.Buffer
	if err := RenderPNG(&buf, p.Receipt, cols); err != nil {
		return err
	}
	if err := os.WriteFile(base+".png", buf.Bytes(), 0o644); err != nil {
		return err
	}
	p.PNGPath = base + ".png"
	if slip {
		latest := filepath.Join(s.Dir, "latest-slip.png")
		tmp := latest + ".tmp"
		os.Remove(tmp)
		if err := os.Symlink(filepath.Base(p.PNGPath), tmp); err != nil {
			return err
		}
		return os.Rename(tmp, latest)
	}
	return nil
}

// lastSeq finds the highest receipt number already in dir, so that a
// restarted simulator does not overwrite earlier receipts.
func lastSeq(dir string) int {
	if dir == "" {
		return 0
	}
	names, _ := filepath.Glob(filepath.Join(dir, "receipt-*.txt"))
	last := 0
	for _, n := range names {
		var k int
		if _, err := fmt.Sscanf(filepath.Base(n), "receipt-%d", &k); err == nil && k > last {
			last = k
		}
	}
	return last
}

// patientReader turns tarm/serial's (0, io.EOF) "nothing yet" into waiting,
// and returns io.EOF only once ctx is done.
type patientReader struct {
	ctx context.Context
	r   io.Reader
}

func (p *patientReader) Read(b []byte) (int, error) {
	for {
		n, err := p.r.Read(b)
		if n > 0 {
			return n, nil
		}
		if p.ctx.Err() != nil {
			return 0, io.EOF
		}
		if err == nil {
			continue
		}
		if errors.Is(err, io.EOF) {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		return 0, err
	}
}
