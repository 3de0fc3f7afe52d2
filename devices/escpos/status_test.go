package escpos

import (
	"errors"
	"testing"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name  string
		reply []byte
		check func(Status) bool
		want  error // Problem()
	}{
		{"ready", []byte{0x12, 0x12, 0x12, 0x12}, func(s Status) bool { return s.Online }, nil},
		{"near end", []byte{0x12, 0x12, 0x12, 0x1E}, func(s Status) bool { return s.PaperNearEnd && !s.PaperOut }, nil},
		{"paper out", []byte{0x1A, 0x32, 0x12, 0x7E}, func(s Status) bool { return s.PaperOut && s.PaperStop && !s.Online }, ErrPaperOut},
		{"cover open", []byte{0x1A, 0x16, 0x12, 0x12}, func(s Status) bool { return s.CoverOpen }, ErrCoverOpen},
		{"cutter", []byte{0x3A, 0x52, 0x1A, 0x12}, func(s Status) bool { return s.CutterError && s.Error }, ErrCutter},
		{"unrecoverable", []byte{0x1A, 0x52, 0x32, 0x12}, func(s Status) bool { return s.Unrecoverable }, ErrPrinterFault},
		{"too hot", []byte{0x1A, 0x52, 0x52, 0x12}, func(s Status) bool { return s.AutoRecoverable }, ErrPrinterBusy},
		{"offline", []byte{0x1A, 0x12, 0x12, 0x12}, func(s Status) bool { return !s.Online }, ErrOffline},
	}
	for _, tt := range tests {
		s, err := ParseStatus(tt.reply)
		if err != nil {
			t.Errorf("%s: ParseStatus(% x) error %v", tt.name, tt.reply, err)
			continue
		}
		if !tt.check(s) {
			t.Errorf("%s: ParseStatus(% x) = %v; flags wrong", tt.name, tt.reply, s)
		}
		if got := s.Problem(); !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
			t.Errorf("%s: Problem() = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseStatusBad(t *testing.T) {
	for _, reply := range [][]byte{nil, {0x12}, {0x12, 0x12, 0x12, 0x12, 0x12}, {0x00, 0x12, 0x12, 0x12}, {0x12, 0x12, 0x12, 0x92}, {0xFF, 0xFF, 0xFF, 0xFF}} {
		if s, err := ParseStatus(reply); err == nil {
			t.Errorf("ParseStatus(% x) = %v, nil; want an error", reply, s)
		}
	}
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte{0x12, 0x12, 0x12, 0x12})
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := ParseStatus(b); err == nil {
			_ = s.Problem()
			_ = s.String()
		}
	})
}
