package escpos

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// fakePort is a small working printer: it answers DLE EOT requests found in
// what it is sent from a settable state, keeps everything else as printed
// bytes, and reads like tarm/serial, (0, io.EOF) when there is nothing yet.
type fakePort struct {
	mu       sync.Mutex
	printed  bytes.Buffer
	out      []byte
	paperOut bool
	cover    bool
	offline  bool
	nearEnd  bool
	silent   bool   // never answers
	garbage  bool   // answers with bytes that are not status bytes
	runOutAt int    // paper runs out once this many job bytes arrived (0: never)
	pending  []byte // an incomplete DLE EOT split over writes
}

func (f *fakePort) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data := append(f.pending, p...)
	f.pending = nil
	for i := 0; i < len(data); i++ {
		if data[i] == DLE && i+1 < len(data) && data[i+1] == EOT {
			if i+2 >= len(data) {
				f.pending = append([]byte(nil), data[i:]...)
				break
			}
			f.answer(data[i+2])
			i += 2
			continue
		}
		if data[i] == DLE && i+1 == len(data) {
			f.pending = []byte{DLE}
			break
		}
		f.printed.WriteByte(data[i])
		if f.runOutAt > 0 && f.printed.Len() >= f.runOutAt {
			f.paperOut = true
		}
	}
	return len(p), nil
}

func (f *fakePort) answer(n byte) {
	if f.silent {
		return
	}
	if f.garbage {
		f.out = append(f.out, 0xFF)
		return
	}
	b := byte(0x12)
	offline := f.offline || f.cover || f.paperOut
	switch n {
	case 1:
		if offline {
			b |= 0x08
		}
	case 2:
		if f.cover {
			b |= 0x04
		}
		if f.paperOut {
			b |= 0x20
		}
	case 4:
		if f.nearEnd {
			b |= 0x0C
		}
		if f.paperOut {
			b |= 0x60
		}
	}
	f.out = append(f.out, b)
}

func (f *fakePort) Read(p []byte) (int, error) {
	f.mu.Lock()
	if len(f.out) == 0 {
		f.mu.Unlock()
		time.Sleep(time.Millisecond)
		return 0, io.EOF
	}
	defer f.mu.Unlock()
	n := copy(p, f.out)
	f.out = f.out[n:]
	return n, nil
}

func (f *fakePort) Printed() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]byte(nil), f.printed.Bytes()...)
}

func TestPrinterPrints(t *testing.T) {
	port := &fakePort{nearEnd: true}
	p := NewPrinter(port, PrinterConfig{})
	job := build(t, sampleReceipt)
	if err := p.Print(context.Background(), job); err != nil {
		t.Fatalf("Print() = %v; want nil", err)
	}
	if got := port.Printed(); !bytes.Equal(got, job) {
		t.Errorf("printer got %d bytes; want the %d-byte job", len(got), len(job))
	}
	st, err := p.Status(context.Background())
	if err != nil || !st.Online || !st.PaperNearEnd || st.Problem() != nil {
		t.Errorf("Status() = %v, %v; want online, near end, no problem", st, err)
	}
}

func TestPrinterRefuses(t *testing.T) {
	tests := []struct {
		name string
		port *fakePort
		want error
	}{
		{"paper out", &fakePort{paperOut: true}, ErrPaperOut},
		{"cover open", &fakePort{cover: true}, ErrCoverOpen},
		{"offline", &fakePort{offline: true}, ErrOffline},
		{"silent", &fakePort{silent: true}, ErrNoAnswer},
		{"garbage", &fakePort{garbage: true}, ErrBadReply},
	}
	for _, tt := range tests {
		p := NewPrinter(tt.port, PrinterConfig{Timeout: 50 * time.Millisecond})
		err := p.Print(context.Background(), []byte("hej\n"))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Print() = %v; want %v", tt.name, err, tt.want)
		}
		if got := tt.port.Printed(); len(got) != 0 {
			t.Errorf("%s: printer got % x; want nothing", tt.name, got)
		}
		if code := borgerkiosk.ErrorCode(err); code != borgerkiosk.EUnavailable {
			t.Errorf("%s: ErrorCode(%v) = %q; want %q", tt.name, err, code, borgerkiosk.EUnavailable)
		}
		if msg := borgerkiosk.ErrorMessage(err); msg == "" || msg == "An internal error occurred." {
			t.Errorf("%s: ErrorMessage(%v) = %q; want a person-safe reason", tt.name, err, msg)
		}
	}
}

func TestPrinterPaperOutDuringJob(t *testing.T) {
	port := &fakePort{runOutAt: 10}
	p := NewPrinter(port, PrinterConfig{ChunkSize: 4})
	err := p.Print(context.Background(), build(t, sampleReceipt))
	if !errors.Is(err, ErrPaperOutInJob) {
		t.Errorf("Print() = %v; want %v", err, ErrPaperOutInJob)
	}
	// The next job is refused before anything is sent.
	before := len(port.Printed())
	if err := p.Print(context.Background(), []byte("x")); !errors.Is(err, ErrPaperOut) {
		t.Errorf("second Print() = %v; want %v", err, ErrPaperOut)
	}
	if after := len(port.Printed()); after != before {
		t.Errorf("second Print() sent %d bytes; want 0", after-before)
	}
}

func TestPrinterContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	port := &fakePort{}
	err := NewPrinter(port, PrinterConfig{}).Print(ctx, []byte("x"))
	if !errors.Is(err, ErrNoAnswer) {
		t.Errorf("Print(cancelled) = %v; want %v", err, ErrNoAnswer)
	}
}

// A reply that comes after a timeout must not be read as the next reply.
func TestPrinterDiscardsLateReplies(t *testing.T) {
	port := &fakePort{silent: true}
	p := NewPrinter(port, PrinterConfig{Timeout: 20 * time.Millisecond})
	if _, err := p.Status(context.Background()); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("Status() = %v; want %v", err, ErrNoAnswer)
	}
	port.mu.Lock()
	port.silent = false
	port.out = append(port.out, 0x1A, 0x1A) // late "offline" replies
	port.mu.Unlock()
	// Let the reader pick them up, as it would on a real port.
	testtool.Until(t, "the reader to take the late replies", func() bool {
		port.mu.Lock()
		defer port.mu.Unlock()
		return len(port.out) == 0
	})
	p.cfg.Timeout = 2 * time.Second
	st, err := p.Status(context.Background())
	if err != nil || !st.Online {
		t.Errorf("Status() after late replies = %v, %v; want online", st, err)
	}
}

type failingPort struct{ err error }

func (f failingPort) Read([]byte) (int, error)  { return 0, f.err }
func (f failingPort) Write([]byte) (int, error) { return 0, f.err }

func TestPrinterPortErrors(t *testing.T) {
	p := NewPrinter(failingPort{errors.New("input/output error")}, PrinterConfig{})
	if err := p.Print(context.Background(), []byte("x")); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("Print() on a broken port = %v; want %v", err, ErrNoAnswer)
	}
}
