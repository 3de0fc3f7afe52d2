package cardreader

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

type frameResult struct {
	lines []string // "!kind" for a framing error
	final error
}

// errMark starts the entries frameAll makes for framing errors. A NUL can
// never start a good line (CheckLine refuses control bytes), so an error can
// never be mistaken for a line such as "!0".
const errMark = "\x00"

func frameAll(r io.Reader) frameResult {
	f := NewFramer(r)
	var res frameResult
	for i := 0; ; i++ {
		line, err := f.Next()
		var fe *FrameError
		switch {
		case errors.As(err, &fe):
			res.lines = append(res.lines, errMark+fe.Err.Error())
		case err != nil:
			res.final = err
			return res
		default:
			res.lines = append(res.lines, line)
		}
		if i > 1<<20 {
			panic("framer does not end")
		}
	}
}

func TestFramer(t *testing.T) {
	long := strings.Repeat("A", maxContent)
	var (
		lf    = errMark + ErrBareLF.Error()
		cr    = errMark + ErrBareCR.Error()
		big   = errMark + ErrTooLong.Error()
		junk  = errMark + ErrGarbage.Error()
		short = errMark + ErrTruncated.Error()
	)
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"EVT INSERTED\r\n", []string{"EVT INSERTED"}},
		{"\r\n", []string{""}},
		{"OK abc\r\nEVT REMOVED\r\nERR PIN 2\r\n", []string{"OK abc", "EVT REMOVED", "ERR PIN 2"}},
		{"CERT\nCERT\r\nOK\r\n", []string{lf, "OK"}},
		{"\nOK\r\nOK\r\n", []string{lf, "OK"}}, // resync at the next CR LF, not at the LF
		{"AB\rCD\r\nOK\r\n", []string{cr, "OK"}},
		{"AB\r\r\nOK\r\n", []string{cr, "OK"}},
		{"AB\x01CD\r\nOK\r\n", []string{junk, "OK"}},
		{"\xff\xfe\r\nOK\r\n", []string{junk, "OK"}},
		{"ÆØÅ\r\n", []string{junk}},
		{"A\tB\r\n", []string{junk}},
		{long + "\r\n", []string{long}},
		{long + "B\r\nOK\r\n", []string{big, "OK"}},
		{long + long + "\rX\r\nOK\r\n", []string{big, "OK"}},
		{"OK abc", []string{short}},
		{"OK abc\r", []string{short}},
		{"\r", []string{short}},
		{"AB\x00CD", []string{junk}}, // already reported; no second error at the end
		{"OK\r\nAB\nCD\nEF\r\n\r\n", []string{"OK", lf, ""}},
	}
	for _, tt := range tests {
		for _, chunked := range []bool{false, true} {
			var r io.Reader = strings.NewReader(tt.in)
			if chunked {
				r = iotest.OneByteReader(r)
			}
			got := frameAll(r)
			if !equal(got.lines, tt.want) || got.final != io.EOF {
				t.Errorf("Frame(%.40q, one byte reads %v) = %q, %v; want %q, EOF", tt.in, chunked, got.lines, got.final, tt.want)
			}
		}
	}
}

func TestFramerReturnsReaderError(t *testing.T) {
	boom := errors.New("port gone")
	r := io.MultiReader(strings.NewReader("OK\r\nOK ab"), iotest.ErrReader(boom))
	got := frameAll(r)
	want := []string{"OK", errMark + ErrTruncated.Error()}
	if !equal(got.lines, want) || got.final != boom {
		t.Errorf("Frame = %q, %v; want %q, %v", got.lines, got.final, want, boom)
	}
}

func TestFrameErrorHidesText(t *testing.T) {
	got := frameAll(strings.NewReader("AUTH 1234\x07 bm9uY2U=\r\n"))
	if len(got.lines) != 1 || strings.Contains(got.lines[0], "1234") {
		t.Fatalf("lines = %q", got.lines)
	}
	f := NewFramer(strings.NewReader("AUTH 1234\x07\r\n"))
	_, err := f.Next()
	if err == nil || strings.Contains(err.Error(), "1234") {
		t.Errorf("error %q shows the PIN", err)
	}
}

func TestWriteLine(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLine(&b, "SIGN abc="); err != nil || b.String() != "SIGN abc=\r\n" {
		t.Errorf("WriteLine = %q, %v; want %q", b.String(), err, "SIGN abc=\r\n")
	}
	for _, bad := range []string{"A\r\nB", "A\nB", "Æ", strings.Repeat("x", maxContent+1)} {
		b.Reset()
		if err := WriteLine(&b, bad); err == nil || b.Len() != 0 {
			t.Errorf("WriteLine(%.20q) = %v, wrote %d bytes; want an error and nothing written", bad, err, b.Len())
		}
	}
}

// referenceFrame is the framing rule stated over the whole input: split at
// CR LF; a terminated piece is a line when it is short and printable, else one
// error; a non-empty unterminated tail is one error.
func referenceFrame(data []byte) []string {
	var out []string
	for {
		i := bytes.Index(data, []byte("\r\n"))
		if i < 0 {
			break
		}
		piece := data[:i]
		data = data[i+2:]
		if len(piece) <= maxContent && CheckLine(string(piece)) == nil {
			out = append(out, string(piece))
		} else {
			out = append(out, errMark)
		}
	}
	if len(data) > 0 {
		out = append(out, errMark)
	}
	return out
}

func FuzzFrame(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/frame-*.bin")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(7))
	}
	f.Add([]byte("EVT INSERTED\r\nOK AAAA\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		r := io.Reader(bytes.NewReader(data))
		if chunk > 0 {
			r = &chunkReader{data: data, n: int(chunk)}
		}
		got := frameAll(r)
		if got.final != io.EOF {
			t.Fatalf("final error %v; want EOF", got.final)
		}
		for i, l := range got.lines {
			if strings.HasPrefix(l, errMark) {
				got.lines[i] = errMark
				continue
			}
			if err := CheckLine(l); err != nil {
				t.Fatalf("framer returned a bad line: %v", err)
			}
		}
		if want := referenceFrame(data); !equal(got.lines, want) {
			t.Fatalf("Frame(%q) = %q; want %q", data, got.lines, want)
		}
	})
}

type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), c.n, len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
