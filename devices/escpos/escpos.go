// Package escpos encodes receipts as ESC/POS bytes for Epson-compatible
// thermal printers and drives such a printer over a serial port.
//
// A Builder collects commands and text; Printer sends finished jobs to a port
// and checks the printer's real-time status before and after each job. The
// package never opens a port itself: cmd/ does that and hands over an
// io.ReadWriter.
package escpos

import (
	"golang.org/x/text/encoding/charmap"
)

// Control bytes of ESC/POS.
const (
	LF  = 0x0A
	ESC = 0x1B
	GS  = 0x1D
	DLE = 0x10
	EOT = 0x04
)

// CodePage is a printer character table: the number sent with ESC t and the
// charmap that encodes text for it.
type CodePage struct {
	Name    string
	N       byte // the n of ESC t n (Epson numbering)
	Charmap *charmap.Charmap
}

// Code pages with their Epson ESC t numbers. PC437 is what a printer uses
// after power-on or ESC @; PC865 (Nordic) has æ ø å Æ Ø Å.
var (
	PC437 = CodePage{Name: "PC437", N: 0, Charmap: charmap.CodePage437}
	PC850 = CodePage{Name: "PC850", N: 2, Charmap: charmap.CodePage850}
	PC865 = CodePage{Name: "PC865", N: 5, Charmap: charmap.CodePage865}
	PC858 = CodePage{Name: "PC858", N: 19, Charmap: charmap.CodePage858}
)

var codePages = []CodePage{PC437, PC850, PC865, PC858}

// CodePageByNumber returns the code page that ESC t n selects, if this
// package knows it.
func CodePageByNumber(n byte) (CodePage, bool) {
	for _, cp := range codePages {
		if cp.N == n {
			return cp, true
		}
	}
	return CodePage{}, false
}

// Alignment is the justification set with ESC a.
type Alignment byte

const (
	Left   Alignment = 0
	Center Alignment = 1
	Right  Alignment = 2
)

func (a Alignment) String() string {
	switch a {
	case Left:
		return "left"
	case Center:
		return "center"
	case Right:
		return "right"
	}
	return "unknown"
}

// QR error correction levels as sent with GS ( k function 169.
const (
	QRLevelL byte = 48
	QRLevelM byte = 49
	QRLevelQ byte = 50
	QRLevelH byte = 51
)

// Paper geometry of the common 80 mm printers with font A (12×24 dots).
const (
	DefaultColumns     = 42
	DefaultDotsPerLine = 512
)
