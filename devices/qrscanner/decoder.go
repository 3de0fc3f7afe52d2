// Package qrscanner reads scans from a serial QR/barcode scanner and
// simulates one.
//
// A scan ends with CR or CR LF, or is wrapped in STX (0x02) … ETX (0x03)
// (optionally followed by CR / CR LF); it may start with an AIM symbology
// identifier such as "]Q1", which is stripped and reported. A scan that
// stalls for longer than the inter-character timeout is cut off and reported
// as an error, as is one longer than the maximum length.
package qrscanner

import (
	"errors"
	"time"
)

// Scan is one decoded code, or a broken attempt at one.
type Scan struct {
	// Text is the code's content without framing and AIM identifier. For a
	// broken scan it holds what arrived (never more than the maximum length).
	Text string
	// Symbology is the AIM identifier without its ']' (e.g. "Q1" for a QR
	// code), or "" when the scanner sent none. See SymbologyName.
	Symbology string
	// Err is nil for a good scan: ErrTimeout, ErrTooLong, ErrFraming or
	// ErrCutOff otherwise.
	Err error
}

// Kinds of broken scan.
var (
	ErrTimeout = errors.New("scan cut off: the scanner paused mid-code")
	ErrTooLong = errors.New("scan longer than the maximum length")
	ErrFraming = errors.New("scan with broken STX/ETX framing")
	ErrCutOff  = errors.New("scan cut off: the port closed mid-code")
)

const (
	stx = 0x02
	etx = 0x03
)

// Options configure a Decoder or Scanner.
type Options struct {
	// InterCharTimeout ends a scan that stalls: 0 means 200 ms, a negative
	// value disables it. A scanner sends a code in one burst (about 1 ms a
	// byte at 9600 baud).
	InterCharTimeout time.Duration
	// MaxLen is the longest scan content in bytes; 0 means 4096.
	MaxLen int
	// NoAIM keeps a leading "]Xy" as content instead of reading it as an
	// AIM symbology identifier.
	NoAIM bool
}

func (o Options) withDefaults() Options {
	if o.InterCharTimeout == 0 {
		o.InterCharTimeout = 200 * time.Millisecond
	}
	if o.MaxLen <= 0 {
		o.MaxLen = 4096
	}
	return o
}

type state int

const (
	idle      state = iota
	plain           // in a scan ended by CR
	wrapped         // in a scan ended by ETX
	skipPlain       // too long: dropping up to CR
	skipWrap        // too long: dropping up to ETX
)

// Decoder is the scanner's framing as a pure state machine: it is fed bytes
// with their arrival time and returns scans, so it can be tested without
// clocks. Scanner runs one over a port.
type Decoder struct {
	opts  Options
	st    state
	buf   []byte
	last  time.Time
	valid bool // last is set
}

// NewDecoder returns a Decoder.
func NewDecoder(opts Options) *Decoder {
	return &Decoder{opts: opts.withDefaults()}
}

// Feed processes p, which arrived at time at, and returns the scans it
// completed.
func (d *Decoder) Feed(p []byte, at time.Time) []Scan {
	out := d.Tick(at)
	for _, b := range p {
		out = d.feedByte(b, out)
	}
	if len(p) > 0 {
		d.last, d.valid = at, true
	}
	return out
}

// Deadline returns when the scan in progress times out, if one is.
func (d *Decoder) Deadline() (time.Time, bool) {
	if d.st == idle || !d.valid || d.opts.InterCharTimeout < 0 {
		return time.Time{}, false
	}
	return d.last.Add(d.opts.InterCharTimeout), true
}

// Tick ends a scan in progress whose deadline has passed at now.
func (d *Decoder) Tick(now time.Time) []Scan {
	if dl, ok := d.Deadline(); ok && now.After(dl) {
		return d.abort(nil, ErrTimeout)
	}
	return nil
}

// End reports a scan in progress as cut off, for when the input ends.
func (d *Decoder) End() []Scan {
	return d.abort(nil, ErrCutOff)
}

func (d *Decoder) abort(out []Scan, err error) []Scan {
	switch d.st {
	case plain, wrapped:
		out = append(out, Scan{Text: string(d.buf), Err: err})
	case skipPlain, skipWrap:
		// Already reported as too long.
	default:
		return out
	}
	d.reset()
	return out
}

func (d *Decoder) reset() {
	d.st = idle
	d.buf = d.buf[:0]
}

func (d *Decoder) feedByte(b byte, out []Scan) []Scan {
	switch d.st {
	case idle:
		switch b {
		case '\r', '\n':
			// Empty line, or the suffix after ETX.
		case stx:
			d.st = wrapped
		case etx:
			out = append(out, Scan{Err: ErrFraming})
		default:
			d.st = plain
			d.buf = append(d.buf, b)
		}
	case plain:
		switch b {
		case '\r':
			out = append(out, d.finish())
		case stx:
			out = d.abort(out, ErrFraming)
			d.st = wrapped
		case etx:
			out = d.abort(out, ErrFraming)
		default:
			out = d.add(b, out, skipPlain)
		}
	case wrapped:
		switch b {
		case etx:
			out = append(out, d.finish())
		case stx:
			out = d.abort(out, ErrFraming)
			d.st = wrapped
		default:
			out = d.add(b, out, skipWrap)
		}
	case skipPlain:
		if b == '\r' {
			d.reset()
		}
	case skipWrap:
		if b == etx {
			d.reset()
		}
	}
	return out
}

func (d *Decoder) add(b byte, out []Scan, skip state) []Scan {
	if len(d.buf) >= d.opts.MaxLen {
		out = append(out, Scan{Text: string(d.buf), Err: ErrTooLong})
		d.buf = d.buf[:0]
		d.st = skip
		return out
	}
	d.buf = append(d.buf, b)
	return out
}

func (d *Decoder) finish() Scan {
	s := Scan{Text: string(d.buf)}
	if !d.opts.NoAIM {
		s.Symbology, s.Text = splitAIM(s.Text)
	}
	d.reset()
	return s
}

// splitAIM splits an AIM symbology identifier ("]" + code letter + modifier)
// off text.
func splitAIM(text string) (id, rest string) {
	if len(text) >= 3 && text[0] == ']' && isLetter(text[1]) && (isLetter(text[2]) || isDigit(text[2])) {
		return text[1:3], text[3:]
	}
	return "", text
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// SymbologyName names the symbology of an AIM identifier ("Q1" → "QR Code").
func SymbologyName(id string) string {
	if id == "" {
		return ""
	}
	switch id[0] {
	case 'Q':
		return "QR Code"
	case 'd':
		return "Data Matrix"
	case 'z':
		return "Aztec"
	case 'L':
		return "PDF417"
	case 'C':
		return "Code 128"
	case 'A':
		return "Code 39"
	case 'E':
		return "EAN/UPC"
	case 'I':
		return "Interleaved 2 of 5"
	case 'e':
		return "GS1 DataBar"
	}
	return "symbology " + id
}
