package qrscanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/borgerkiosk/borgerkiosk/devices/ptytest"
	"github.com/borgerkiosk/borgerkiosk/devices/serialport"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
	qrcode "github.com/skip2/go-qrcode"
)

// chunk is bytes arriving ms milliseconds after the start.
type chunk struct {
	ms int
	b  string
}

func (c chunk) String() string { return fmt.Sprintf("%dms:%q", c.ms, c.b) }

func show(scans []Scan) string {
	var parts []string
	for _, s := range scans {
		p := fmt.Sprintf("%q", s.Text)
		if s.Symbology != "" {
			p = s.Symbology + ":" + p
		}
		if s.Err != nil {
			p += "!" + errName(s.Err)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func errName(err error) string {
	switch err {
	case ErrTimeout:
		return "timeout"
	case ErrTooLong:
		return "toolong"
	case ErrFraming:
		return "framing"
	case ErrCutOff:
		return "cutoff"
	}
	return err.Error()
}

func TestDecoder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	long := strings.Repeat("x", 20)
	tests := []struct {
		name   string
		opts   Options
		in     []chunk
		end    bool // input ends after the chunks
		tickMs int  // Tick at this time after the chunks (0: no tick)
		want   string
	}{
		{"CR", Options{}, []chunk{{0, "HELLO\r"}}, false, 0, `"HELLO"`},
		{"CR LF", Options{}, []chunk{{0, "A1\r\nB2\r\n"}}, false, 0, `"A1" "B2"`},
		{"empty lines ignored", Options{}, []chunk{{0, "\r\n\r\rA\r\n\n"}}, false, 0, `"A"`},
		{"LF is content", Options{}, []chunk{{0, "BEGIN\nEND\r"}}, false, 0, `"BEGIN\nEND"`},
		{"AIM QR", Options{}, []chunk{{0, "]Q1BK1:ABC\r\n"}}, false, 0, `Q1:"BK1:ABC"`},
		{"AIM QR model 1", Options{}, []chunk{{0, "]Q0x\r"}}, false, 0, `Q0:"x"`},
		{"AIM off", Options{NoAIM: true}, []chunk{{0, "]Q1x\r"}}, false, 0, `"]Q1x"`},
		{"not AIM", Options{}, []chunk{{0, "]1x\r]\r"}}, false, 0, `"]1x" "]"`},
		{"STX ETX", Options{}, []chunk{{0, "\x02]Q1multi\r\nline\x03"}}, false, 0, `Q1:"multi\r\nline"`},
		{"STX ETX CR LF", Options{}, []chunk{{0, "\x02a\x03\r\n\x02b\x03\r"}}, false, 0, `"a" "b"`},
		{"ETX alone", Options{}, []chunk{{0, "\x03OK\r"}}, false, 0, `""!framing "OK"`},
		{"ETX in plain scan", Options{}, []chunk{{0, "ab\x03cd\r"}}, false, 0, `"ab"!framing "cd"`},
		{"STX restarts", Options{}, []chunk{{0, "\x02ab\x02cd\x03"}}, false, 0, `"ab"!framing "cd"`},
		{"STX in plain scan", Options{}, []chunk{{0, "ab\x02cd\x03"}}, false, 0, `"ab"!framing "cd"`},
		{"split over reads", Options{}, []chunk{{0, "]Q"}, {5, "1AB"}, {10, "C\r"}}, false, 0, `Q1:"ABC"`},
		{"stall cuts off", Options{InterCharTimeout: 100 * time.Millisecond},
			[]chunk{{0, "ABC"}, {150, "DEF\r"}}, false, 0, `"ABC"!timeout "DEF"`},
		{"just within timeout", Options{InterCharTimeout: 100 * time.Millisecond},
			[]chunk{{0, "ABC"}, {100, "DEF\r"}}, false, 0, `"ABCDEF"`},
		{"timeout by tick", Options{InterCharTimeout: 100 * time.Millisecond},
			[]chunk{{0, "ABC"}}, false, 101, `"ABC"!timeout`},
		{"tick before deadline", Options{InterCharTimeout: 100 * time.Millisecond},
			[]chunk{{0, "ABC"}}, false, 100, ``},
		{"timeout disabled", Options{InterCharTimeout: -1},
			[]chunk{{0, "ABC"}, {60000, "\r"}}, false, 0, `"ABC"`},
		{"idle time is no stall", Options{InterCharTimeout: 100 * time.Millisecond},
			[]chunk{{0, "A\r"}, {5000, "B\r"}}, false, 0, `"A" "B"`},
		{"too long", Options{MaxLen: 10}, []chunk{{0, long + "\rOK\r"}}, false, 0, `"xxxxxxxxxx"!toolong "OK"`},
		{"too long wrapped", Options{MaxLen: 10}, []chunk{{0, "\x02" + long + "\r" + long + "\x03\r\nOK\r"}}, false, 0, `"xxxxxxxxxx"!toolong "OK"`},
		{"max length fits", Options{MaxLen: 20}, []chunk{{0, long + "\r"}}, false, 0, `"` + long + `"`},
		{"port closes mid-scan", Options{}, []chunk{{0, "AB"}}, true, 0, `"AB"!cutoff`},
		{"port closes mid-STX", Options{}, []chunk{{0, "\x02AB"}}, true, 0, `"AB"!cutoff`},
		{"port closes idle", Options{}, []chunk{{0, "AB\r"}}, true, 0, `"AB"`},
		{"binary content", Options{}, []chunk{{0, "\x00\xff\xc3\xa6\r"}}, false, 0, `"\x00\xffæ"`},
	}
	for _, tt := range tests {
		d := NewDecoder(tt.opts)
		var got []Scan
		for _, c := range tt.in {
			got = append(got, d.Feed([]byte(c.b), t0.Add(time.Duration(c.ms)*time.Millisecond))...)
		}
		if tt.tickMs > 0 {
			last := tt.in[len(tt.in)-1].ms
			got = append(got, d.Tick(t0.Add(time.Duration(last+tt.tickMs)*time.Millisecond))...)
		}
		if tt.end {
			got = append(got, d.End()...)
		}
		if s := show(got); s != tt.want {
			t.Errorf("%s: Decode(%v) = %s; want %s", tt.name, tt.in, s, tt.want)
		}
	}
}

func TestFrameRoundTrip(t *testing.T) {
	for _, f := range []Framing{
		{},
		{Suffix: SuffixCRLF},
		{AIM: "Q1"},
		{STX: true, Suffix: SuffixNone},
		{STX: true, AIM: "Q2", Suffix: SuffixCRLF},
	} {
		for _, text := range []string{"https://central.example/h/BK1:6BFOXN*TS0BI$ZD4", "ÆØÅ æøå"} {
			b, err := Frame(text, f)
			if err != nil {
				t.Fatalf("Frame(%q, %+v): %v", text, f, err)
			}
			got := NewDecoder(Options{}).Feed(b, time.Now())
			want := Scan{Text: text, Symbology: f.AIM}
			if len(got) != 1 || got[0] != want {
				t.Errorf("Decode(Frame(%q, %+v)) = %s; want %s", text, f, show(got), show([]Scan{want}))
			}
		}
	}
	for _, bad := range []struct {
		text string
		f    Framing
	}{
		{"a\rb", Framing{}},
		{"a\x02", Framing{STX: true}},
		{"a", Framing{Suffix: SuffixNone}},
		{"a", Framing{AIM: "1Q"}},
		{"a", Framing{AIM: "Q"}},
	} {
		if _, err := Frame(bad.text, bad.f); err == nil {
			t.Errorf("Frame(%q, %+v) succeeded; want an error", bad.text, bad.f)
		}
	}
}

func TestSymbologyName(t *testing.T) {
	for id, want := range map[string]string{"Q1": "QR Code", "d2": "Data Matrix", "": "", "X0": "symbology X0"} {
		if got := SymbologyName(id); got != want {
			t.Errorf("SymbologyName(%q) = %q; want %q", id, got, want)
		}
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestServeTimeout runs the real Serve loop with a stalling scanner in fake
// time.
func TestServeTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr, pw := io.Pipe()
		sc := New(Options{InterCharTimeout: 150 * time.Millisecond}, quiet())
		defer sc.Close()
		done := make(chan error, 1)
		go func() { done <- sc.Serve(t.Context(), pr) }()

		sim := &Sim{W: pw, Framing: Framing{AIM: "Q1"}, CharDelay: 100 * time.Millisecond}
		if err := sim.Scan(t.Context(), "slow but fine"); err != nil {
			t.Fatal(err)
		}
		if s := <-sc.Scans(); s.Err != nil || s.Text != "slow but fine" || s.Symbology != "Q1" {
			t.Errorf("slow scan = %s; want Q1:\"slow but fine\"", show([]Scan{s}))
		}
		start := time.Now()
		pw.Write([]byte("]Q1HALF"))
		s := <-sc.Scans()
		if s.Err != ErrTimeout || s.Text != "]Q1HALF" {
			t.Errorf("stalled scan = %s; want timeout", show([]Scan{s}))
		}
		if waited := time.Since(start); waited < 150*time.Millisecond || waited > 160*time.Millisecond {
			t.Errorf("stalled scan reported after %v; want about 150ms", waited)
		}
		pw.Write([]byte("NEXT\r"))
		if s := <-sc.Scans(); s.Err != nil || s.Text != "NEXT" {
			t.Errorf("scan after a stall = %s; want NEXT", show([]Scan{s}))
		}
		pw.Write([]byte("CUT"))
		pw.Close()
		if s := <-sc.Scans(); s.Err != ErrCutOff {
			t.Errorf("scan cut by close = %s; want cutoff", show([]Scan{s}))
		}
		if err := <-done; err != io.EOF {
			t.Errorf("Serve = %v; want EOF", err)
		}
	})
}

func TestEndToEndThroughPTY(t *testing.T) {
	master, tty := ptytest.Open(t)
	conn, err := serialport.Open(serialport.Config{Path: tty})
	if err != nil {
		t.Fatal(err)
	}
	sc := New(Options{}, quiet())
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- sc.Serve(ctx, conn) }()

	code := "https://central.example/h/BK1:NCFOXN%TSMAHN-H"
	for _, f := range []Framing{{}, {Suffix: SuffixCRLF}, {AIM: "Q1", Suffix: SuffixCRLF}, {STX: true, AIM: "Q1", Suffix: SuffixNone}} {
		sim := &Sim{W: master, Framing: f}
		if err := sim.Scan(ctx, code); err != nil {
			t.Fatal(err)
		}
		if s := <-sc.Scans(); s.Err != nil || s.Text != code || s.Symbology != f.AIM {
			t.Errorf("framing %+v: scan = %s; want %q", f, show([]Scan{s}), code)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Serve = %v; want context.Canceled", err)
	}
	sc.Close()
	if _, ok := <-sc.Scans(); ok {
		t.Error("Scans open after Close")
	}
}

// needTool skips a test when an external tool is missing, unless the
// environment says tools are required.
func needTool(t *testing.T, name string) {
	t.Helper()
	testtool.Require(t, name)
}

func TestScanImage(t *testing.T) {
	needTool(t, "zbarimg")
	dir := t.TempDir()
	code := "HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEXWK G2EP4J0B"
	png := filepath.Join(dir, "code.png")
	if err := qrcode.WriteFile(code, qrcode.Medium, 256, png); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	sc := New(Options{}, quiet())
	defer sc.Close()
	go sc.Serve(t.Context(), pr)
	defer pw.Close()

	sim := &Sim{W: pw, Framing: Framing{AIM: "Q1", Suffix: SuffixCRLF}}
	texts, err := sim.ScanImage(t.Context(), png)
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) != 1 || texts[0] != code {
		t.Errorf("ScanImage decoded %q; want %q", texts, code)
	}
	if s := <-sc.Scans(); s.Err != nil || s.Text != code || s.Symbology != "Q1" {
		t.Errorf("scan = %s; want %q", show([]Scan{s}), code)
	}

	blank := filepath.Join(dir, "blank.png")
	if err := os.WriteFile(blank, mustBlankPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeImage(t.Context(), blank); err == nil || !strings.Contains(err.Error(), "no code found") {
		t.Errorf("DecodeImage(blank) = %v; want no code found", err)
	}
	if _, err := DecodeImage(t.Context(), filepath.Join(dir, "missing.png")); err == nil {
		t.Error("DecodeImage(missing file) succeeded")
	}
}

func mustBlankPNG(t *testing.T) []byte {
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzDecoder feeds arbitrary bytes at arbitrary times: the decoder must not
// panic, never return more than MaxLen bytes, and a good scan never holds a
// CR (plain) or STX/ETX.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte("]Q1abc\r\n\x02x\x03\r"), []byte{0, 5, 200})
	f.Fuzz(func(t *testing.T, data, gaps []byte) {
		d := NewDecoder(Options{MaxLen: 16, InterCharTimeout: 100 * time.Millisecond})
		now := time.Unix(0, 0)
		var scans []Scan
		for i := 0; len(data) > 0; i++ {
			n := 1 + i%5
			if n > len(data) {
				n = len(data)
			}
			if len(gaps) > 0 {
				now = now.Add(time.Duration(gaps[i%len(gaps)]) * time.Millisecond)
			}
			scans = append(scans, d.Feed(data[:n], now)...)
			data = data[n:]
		}
		scans = append(scans, d.End()...)
		for _, s := range scans {
			if len(s.Text) > 16 {
				t.Fatalf("scan of %d bytes; max 16", len(s.Text))
			}
			if s.Err == nil && strings.ContainsAny(s.Text, "\x02\x03") {
				t.Fatalf("good scan %q holds STX/ETX", s.Text)
			}
		}
	})
}
