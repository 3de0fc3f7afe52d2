package printersim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/tarm/serial"

	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
)

// startSim runs a Simulator on the master side of a new pseudo-terminal and
// returns it with the tty opened as a serial port, as the kiosk opens a real
// printer.
func startSim(t *testing.T) (*Simulator, *serial.Port) {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	port, err := serial.OpenPort(&serial.Config{Name: tty.Name(), Baud: 115200, ReadTimeout: 100 * time.Millisecond})
	if err != nil {
		master.Close()
		tty.Close()
		t.Fatalf("opening %s with tarm/serial: %v", tty.Name(), err)
	}
	sim := New(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Serve(ctx, master) }()
	t.Cleanup(func() {
		// creack/pty leaves the master in blocking mode, so a read deadline
		// cannot wake Serve; closing every slave descriptor makes its read
		// fail with EIO instead.
		cancel()
		port.Close()
		tty.Close()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Serve() = %v; want %v", err, context.Canceled)
		}
		master.Close()
	})
	return sim, port
}

func TestEndToEndThroughPTY(t *testing.T) {
	sim, port := startSim(t)
	p := escpos.NewPrinter(port, escpos.PrinterConfig{Timeout: 5 * time.Second, Baud: 115200})
	ctx := context.Background()
	for _, raster := range []bool{false, true} {
		if err := p.Print(ctx, slip(t, raster)); err != nil {
			t.Fatalf("Print(slip raster=%t) = %v", raster, err)
		}
	}
	got := waitPrinted(sim, 2)
	if len(got) != 2 {
		t.Fatalf("simulator got %d receipts; want 2", len(got))
	}
	for i, r := range got {
		if r.Receipt.Cut != PartialCut || len(r.Receipt.Errors) > 0 {
			t.Errorf("receipt %d: cut %v, errors %q; want a clean partial cut", i+1, r.Receipt.Cut, r.Receipt.Errors)
		}
		for _, want := range []string{"Borgerservice", "Fuldmægtig                    Åse Sørensen", "æøå ÆØÅ"} {
			if !strings.Contains(r.Text, want) {
				t.Errorf("receipt %d text lacks %q:\n%s", i+1, want, r.Text)
			}
		}
		if wantFile := filepath.Join(sim.Dir, "receipt-000"+string(rune('1'+i))+"-slip.png"); r.PNGPath != wantFile {
			t.Errorf("receipt %d PNG = %q; want %q", i+1, r.PNGPath, wantFile)
		}
		txt, err := os.ReadFile(r.TxtPath)
		if err != nil || string(txt) != r.Text {
			t.Errorf("receipt %d: %s = %q, %v; want the text rendering", i+1, r.TxtPath, txt, err)
		}
		if code := zbarimg(t, r.PNGPath); code != handoverURL {
			t.Errorf("receipt %d: zbarimg = %q; want %q", i+1, code, handoverURL)
		}
	}
	// The newest slip is always at the same path, for make run's help.
	if dest, err := os.Readlink(filepath.Join(sim.Dir, "latest-slip.png")); err != nil || dest != "receipt-0002-slip.png" {
		t.Errorf("latest-slip.png -> %q, %v; want receipt-0002-slip.png", dest, err)
	}
	if !strings.Contains(got[0].Text, "[QR: "+handoverURL+"]") {
		t.Errorf("native receipt text lacks the QR data:\n%s", got[0].Text)
	}
	if !strings.Contains(got[1].Text, "[image ") {
		t.Errorf("raster receipt text lacks the image:\n%s", got[1].Text)
	}
}

func TestPaperOutReportedBeforePrinting(t *testing.T) {
	sim, port := startSim(t)
	p := escpos.NewPrinter(port, escpos.PrinterConfig{Timeout: 5 * time.Second})
	ctx := context.Background()

	sim.SetState(State{PaperOut: true})
	if err := p.Print(ctx, slip(t, false)); !errors.Is(err, escpos.ErrPaperOut) {
		t.Fatalf("Print() with paper out = %v; want %v", err, escpos.ErrPaperOut)
	}
	sim.SetState(State{CoverOpen: true})
	if err := p.Print(ctx, slip(t, false)); !errors.Is(err, escpos.ErrCoverOpen) {
		t.Fatalf("Print() with cover open = %v; want %v", err, escpos.ErrCoverOpen)
	}
	sim.SetState(State{Offline: true})
	if err := p.Print(ctx, slip(t, false)); !errors.Is(err, escpos.ErrOffline) {
		t.Fatalf("Print() offline = %v; want %v", err, escpos.ErrOffline)
	}

	// Nothing of the refused jobs reached the printer: after new paper the
	// next receipt holds only the next job.
	sim.SetState(State{PaperNearEnd: true})
	job, _ := escpos.NewBuilder(escpos.Config{}).Init().Line("efter papirskift").Feed(2).Cut().Bytes()
	if err := p.Print(ctx, job); err != nil {
		t.Fatalf("Print() with paper near end = %v; want nil", err)
	}
	got := waitPrinted(sim, 1)
	if len(got) != 1 {
		t.Fatalf("simulator got %d receipts; want 1", len(got))
	}
	if want := "efter papirskift\n\n\n"; got[0].Text != want {
		t.Errorf("receipt text = %q; want %q", got[0].Text, want)
	}
}

func TestStatusAnswers(t *testing.T) {
	sim, port := startSim(t)
	p := escpos.NewPrinter(port, escpos.PrinterConfig{Timeout: 5 * time.Second})
	tests := []struct {
		state State
		check func(escpos.Status) bool
	}{
		{State{}, func(s escpos.Status) bool { return s.Online && s.Problem() == nil }},
		{State{PaperNearEnd: true}, func(s escpos.Status) bool { return s.Online && s.PaperNearEnd && s.Problem() == nil }},
		{State{PaperOut: true}, func(s escpos.Status) bool { return !s.Online && s.PaperOut && s.PaperStop }},
		{State{CoverOpen: true}, func(s escpos.Status) bool { return !s.Online && s.CoverOpen }},
	}
	for _, tt := range tests {
		sim.SetState(tt.state)
		s, err := p.Status(context.Background())
		if err != nil || !tt.check(s) {
			t.Errorf("Status() in %+v = %v, %v", tt.state, s, err)
		}
	}
}

// A job that arrives while the printer cannot print is not saved.
func TestDiscardWhileOffline(t *testing.T) {
	sim := New(t.TempDir())
	sim.SetState(State{PaperOut: true})
	var called []Printed
	sim.OnReceipt = func(p Printed) { called = append(called, p) }
	job, _ := escpos.NewBuilder(escpos.Config{}).Line("x").Cut().Bytes()
	ctx, cancel := context.WithCancel(context.Background())
	port := &oneShotPort{data: job, done: cancel}
	if err := sim.Serve(ctx, port); !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve() = %v; want %v", err, context.Canceled)
	}
	if len(called) != 1 || !called[0].Discarded || called[0].PNGPath != "" {
		t.Errorf("OnReceipt got %+v; want one discarded receipt", called)
	}
}

func TestNumberingContinues(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "receipt-0007-slip.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sim := New(dir)
	job, _ := escpos.NewBuilder(escpos.Config{}).Line("x").Cut().Bytes()
	ctx, cancel := context.WithCancel(context.Background())
	sim.Serve(ctx, &oneShotPort{data: job, done: cancel})
	got := sim.Printed()
	if len(got) != 1 || got[0].Seq != 8 {
		t.Fatalf("Printed() = %+v; want receipt 8", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "receipt-0008.png")); err != nil {
		t.Error(err) // not a slip: no QR code
	}
	if _, err := os.Lstat(filepath.Join(dir, "latest-slip.png")); err == nil {
		t.Error("latest-slip.png made for a receipt that is no slip")
	}
}

// oneShotPort delivers data, then cancels Serve's context and fails its
// reads, as a port does once its other side has gone.
type oneShotPort struct {
	data []byte
	done func()
}

func (o *oneShotPort) Read(p []byte) (int, error) {
	if len(o.data) == 0 {
		o.done()
		return 0, errors.New("port closed")
	}
	n := copy(p, o.data)
	o.data = o.data[n:]
	return n, nil
}

func (o *oneShotPort) Write(p []byte) (int, error) { return len(p), nil }
