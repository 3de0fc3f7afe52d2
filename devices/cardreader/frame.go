package cardreader

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// MaxLine is the longest line of the card reader protocol in bytes,
// counting the CR LF that ends it.
const MaxLine = 4096

// maxContent is the longest line without its CR LF.
const maxContent = MaxLine - 2

// Kinds of framing error, for errors.Is on a *FrameError.
var (
	ErrBareLF    = errors.New("LF without CR")
	ErrBareCR    = errors.New("CR without LF")
	ErrTooLong   = errors.New("line longer than 4096 bytes")
	ErrGarbage   = errors.New("non-printable byte")
	ErrTruncated = errors.New("line cut off")
)

// FrameError reports a line that broke the framing rules. It never holds the
// line's text, which may contain a PIN.
type FrameError struct {
	Err  error // one of ErrBareLF, ErrBareCR, ErrTooLong, ErrGarbage, ErrTruncated
	Byte byte  // the offending byte for ErrGarbage
	Len  int   // bytes of the line read before the error was seen
}

func (e *FrameError) Error() string {
	if e.Err == ErrGarbage {
		return fmt.Sprintf("card reader framing: %v 0x%02x after %d bytes", e.Err, e.Byte, e.Len)
	}
	return fmt.Sprintf("card reader framing: %v after %d bytes", e.Err, e.Len)
}

func (e *FrameError) Unwrap() error { return e.Err }

// Framer splits a byte stream into protocol lines: printable ASCII
// (0x20–0x7E) ended by CR LF, at most MaxLine bytes with the CR LF.
type Framer struct {
	r       *bufio.Reader
	line    []byte
	discard bool // after a framing error: drop bytes up to the next CR LF
	cr      bool // the previous byte was a CR
}

// NewFramer returns a Framer reading from r.
func NewFramer(r io.Reader) *Framer {
	return &Framer{r: bufio.NewReaderSize(r, MaxLine), line: make([]byte, 0, 128)}
}

// Next returns the next line without its CR LF.
//
// A line that breaks the rules is reported as a *FrameError as soon as the
// fault is seen; the rest of it, up to the next CR LF, is dropped and Next
// can be called again. An error of the underlying reader (io.EOF, a closed or
// vanished port) is returned as is and is final; a line cut off by it is first
// reported as a FrameError with ErrTruncated.
func (f *Framer) Next() (string, error) {
	for {
		b, err := f.r.ReadByte()
		if err != nil {
			if !f.discard && (len(f.line) > 0 || f.cr) {
				n := len(f.line)
				if f.cr {
					n++
				}
				f.reset()
				f.discard = false
				return "", &FrameError{Err: ErrTruncated, Len: n}
			}
			f.reset()
			f.discard = false
			return "", err
		}
		if f.discard {
			if b == '\n' && f.cr {
				f.discard = false
				f.cr = false
				continue
			}
			f.cr = b == '\r'
			continue
		}
		if f.cr {
			if b == '\n' {
				s := string(f.line)
				f.reset()
				return s, nil
			}
			return "", f.fail(ErrBareCR, 0, len(f.line)+1, b)
		}
		switch {
		case b == '\r':
			f.cr = true
		case b == '\n':
			return "", f.fail(ErrBareLF, 0, len(f.line), b)
		case b < 0x20 || b > 0x7e:
			return "", f.fail(ErrGarbage, b, len(f.line), b)
		case len(f.line) >= maxContent:
			return "", f.fail(ErrTooLong, 0, len(f.line), b)
		default:
			f.line = append(f.line, b)
		}
	}
}

// fail starts discarding up to the next CR LF; cur is the byte that showed the
// fault, which may itself be the CR of that CR LF.
func (f *Framer) fail(kind error, bad byte, n int, cur byte) *FrameError {
	f.reset()
	f.discard = true
	f.cr = cur == '\r'
	return &FrameError{Err: kind, Byte: bad, Len: n}
}

func (f *Framer) reset() {
	f.line = f.line[:0]
	f.cr = false
}

// CheckLine reports whether line can be sent as one protocol line.
func CheckLine(line string) error {
	if len(line) > maxContent {
		return &FrameError{Err: ErrTooLong, Len: len(line)}
	}
	for i := 0; i < len(line); i++ {
		if c := line[i]; c < 0x20 || c > 0x7e {
			return &FrameError{Err: ErrGarbage, Byte: c, Len: i}
		}
	}
	return nil
}

// WriteLine writes line and CR LF in one Write, after checking it with
// CheckLine.
func WriteLine(w io.Writer, line string) error {
	if err := CheckLine(line); err != nil {
		return err
	}
	b := make([]byte, 0, len(line)+2)
	b = append(b, line...)
	b = append(b, '\r', '\n')
	_, err := w.Write(b)
	return err
}
