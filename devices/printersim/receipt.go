// Package printersim simulates an ESC/POS receipt printer: it decodes the
// byte stream a kiosk sends into receipts, renders them as text and PNG, and
// answers real-time status requests over a port such as a pseudo-terminal,
// so that the whole print path can run without hardware.
package printersim

import (
	"image"

	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
)

// CutKind says how a receipt ended.
type CutKind int

const (
	NoCut      CutKind = iota // the stream ended without a cut
	FullCut                   // GS V 0/48/65/97/103
	PartialCut                // GS V 1/49/66/98/104
)

func (c CutKind) String() string {
	switch c {
	case FullCut:
		return "full"
	case PartialCut:
		return "partial"
	}
	return "none"
}

// BlockKind is what a Block holds.
type BlockKind int

const (
	TextBlock   BlockKind = iota // one printed line (Spans empty: a blank line)
	QRBlock                      // a native QR code
	RasterBlock                  // a raster image
)

// Block is one printed thing, top to bottom.
type Block struct {
	Kind   BlockKind
	Align  escpos.Alignment
	Spans  []Span  // TextBlock
	QR     *QRCode // QRBlock
	Raster *Raster // RasterBlock
}

// Text returns a text block's characters without attributes.
func (b Block) Text() string {
	var s []byte
	for _, sp := range b.Spans {
		s = append(s, sp.Text...)
	}
	return string(s)
}

// Span is a run of text with the same attributes.
type Span struct {
	Text      string
	Bold      bool
	Underline bool
	Width     int // 1..8
	Height    int // 1..8
}

// QRCode is a native QR code as the printer was told to print it.
type QRCode struct {
	Data       []byte
	ModuleSize int  // dots per module (GS ( k fn 167)
	Level      byte // 48..51 = L, M, Q, H (fn 169)
}

// LevelName returns "L", "M", "Q" or "H".
func (q *QRCode) LevelName() string {
	if q.Level >= 48 && q.Level <= 51 {
		return string("LMQH"[q.Level-48])
	}
	return "?"
}

// Raster is a raster image from one or more consecutive GS v 0 bands:
// rows of WidthBytes bytes, most significant bit leftmost, 1 = black.
type Raster struct {
	WidthBytes int
	Height     int
	ScaleX     int // 1 or 2 (GS v 0 m)
	ScaleY     int
	Bits       []byte
}

// Width returns the width in dots before scaling.
func (r *Raster) Width() int { return r.WidthBytes * 8 }

// Black reports whether the dot at x, y (unscaled) is black.
func (r *Raster) Black(x, y int) bool {
	return r.Bits[y*r.WidthBytes+x/8]&(0x80>>(x%8)) != 0
}

// Image returns the raster as a grayscale image, scaled as printed.
func (r *Raster) Image() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, r.Width()*r.ScaleX, r.Height*r.ScaleY))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	for y := range r.Height {
		for x := range r.Width() {
			if !r.Black(x, y) {
				continue
			}
			for dy := range r.ScaleY {
				for dx := range r.ScaleX {
					img.Pix[(y*r.ScaleY+dy)*img.Stride+x*r.ScaleX+dx] = 0
				}
			}
		}
	}
	return img
}

// Receipt is what was printed between two cuts.
type Receipt struct {
	Blocks []Block
	Cut    CutKind
	// Errors lists commands that could not be decoded (unknown, truncated or
	// with bad parameters), in order. A real printer would print garbage or
	// nothing there; here they are kept so that tests can see them.
	Errors []string
}

// Empty reports whether nothing was printed and nothing went wrong.
func (r *Receipt) Empty() bool { return len(r.Blocks) == 0 && len(r.Errors) == 0 }
