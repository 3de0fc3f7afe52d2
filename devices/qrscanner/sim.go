package qrscanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// Suffix is what a simulated scanner sends after a code.
type Suffix int

const (
	SuffixCR   Suffix = iota // "\r" (the zero value)
	SuffixCRLF               // "\r\n"
	SuffixNone               // nothing: only for STX/ETX framing
)

// Framing is how a simulated scanner frames a code.
type Framing struct {
	STX    bool   // wrap the code in STX … ETX
	AIM    string // AIM identifier to put in front, without ']' (e.g. "Q1"); "" for none
	Suffix Suffix // sent after the code (after ETX when STX is set)
}

// Frame returns the bytes a scanner with framing f sends for text. It
// refuses text that f cannot carry unambiguously.
func Frame(text string, f Framing) ([]byte, error) {
	if f.AIM != "" {
		if id, _ := splitAIM("]" + f.AIM); id != f.AIM || len(f.AIM) != 2 {
			return nil, fmt.Errorf("qrscanner: %q is not an AIM identifier like Q1", f.AIM)
		}
	}
	if strings.ContainsAny(text, "\x02\x03") {
		return nil, errors.New("qrscanner: a code cannot contain STX or ETX")
	}
	if !f.STX {
		if f.Suffix == SuffixNone {
			return nil, errors.New("qrscanner: without STX/ETX a scan needs a CR suffix")
		}
		if strings.Contains(text, "\r") {
			return nil, errors.New("qrscanner: a code with CR needs STX/ETX framing")
		}
	}
	var b bytes.Buffer
	if f.STX {
		b.WriteByte(stx)
	}
	if f.AIM != "" {
		b.WriteString("]" + f.AIM)
	}
	b.WriteString(text)
	if f.STX {
		b.WriteByte(etx)
	}
	switch f.Suffix {
	case SuffixCR:
		b.WriteString("\r")
	case SuffixCRLF:
		b.WriteString("\r\n")
	}
	return b.Bytes(), nil
}

// Sim is a simulated scanner writing to W, normally a pty master.
type Sim struct {
	W       io.Writer
	Framing Framing
	// CharDelay is a pause between bytes, like a slow scanner; 0 sends each
	// code in one write.
	CharDelay time.Duration
}

// Scan sends text as one scanned code.
func (s *Sim) Scan(ctx context.Context, text string) error {
	b, err := Frame(text, s.Framing)
	if err != nil {
		return err
	}
	if s.CharDelay <= 0 {
		_, err = s.W.Write(b)
		return err
	}
	for i := range b {
		if _, err := s.W.Write(b[i : i+1]); err != nil {
			return err
		}
		if i < len(b)-1 {
			t := time.NewTimer(s.CharDelay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		}
	}
	return nil
}

// ScanImage decodes the codes in an image file with zbarimg and sends each
// as a scan. It returns the texts sent.
func (s *Sim) ScanImage(ctx context.Context, path string) ([]string, error) {
	texts, err := DecodeImage(ctx, path)
	if err != nil {
		return nil, err
	}
	for _, t := range texts {
		if err := s.Scan(ctx, t); err != nil {
			return nil, err
		}
	}
	return texts, nil
}

// DecodeImage returns the codes zbarimg finds in an image file (one per
// output line of `zbarimg --nodbus --raw -q`; a code holding a newline comes
// out as several). It needs zbarimg (Debian: apt-get install zbar-tools).
func DecodeImage(ctx context.Context, path string) ([]string, error) {
	bin, err := exec.LookPath("zbarimg")
	if err != nil {
		return nil, fmt.Errorf("qrscanner: zbarimg not found (apt-get install zbar-tools): %w", err)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--nodbus", "--raw", "-q", path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 4 {
			return nil, fmt.Errorf("qrscanner: no code found in %s", path)
		}
		return nil, fmt.Errorf("qrscanner: zbarimg %s: %w: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	text := strings.TrimSuffix(string(out), "\n")
	if text == "" {
		return nil, fmt.Errorf("qrscanner: no code found in %s", path)
	}
	return strings.Split(text, "\n"), nil
}
