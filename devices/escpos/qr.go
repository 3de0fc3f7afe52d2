package escpos

import (
	"errors"
	"fmt"
	"image"
	"image/color"

	"github.com/borgerkiosk/borgerkiosk/qr"
)

// MaxQRData is the most bytes a QR code can hold (numeric, level L, version
// 40); the real limit depends on the content and level and is checked too.
const MaxQRData = 7089

// QR prints data as a native QR code (GS ( k), model 2, error correction Q,
// with the configured module size. The printer draws the symbol itself, so
// the job carries only the data: a few hundred bytes instead of an image.
func (b *Builder) QR(data string) *Builder {
	return b.QRWith(data, b.cfg.QRModuleSize, QRLevelQ)
}

// QRWith is QR with an explicit module size (1..16 dots) and level
// (QRLevelL, QRLevelM, QRLevelQ or QRLevelH).
func (b *Builder) QRWith(data string, moduleSize int, level byte) *Builder {
	if b.err != nil {
		return b
	}
	rl, ok := Level(level)
	if !ok {
		b.fail(fmt.Errorf("escpos: bad QR error correction level %d", level))
		return b
	}
	if err := checkQRData(data, rl); err != nil {
		b.fail(err)
		return b
	}
	moduleSize = clamp(moduleSize, 1, 16)
	b.put(GS, '(', 'k', 4, 0, 49, 65, 50, 0)            // fn 165: model 2
	b.put(GS, '(', 'k', 3, 0, 49, 67, byte(moduleSize)) // fn 167: module size
	b.put(GS, '(', 'k', 3, 0, 49, 69, level)            // fn 169: error correction
	n := len(data) + 3
	b.put(GS, '(', 'k', byte(n), byte(n>>8), 49, 80, 48) // fn 180: store
	b.put([]byte(data)...)
	return b.put(GS, '(', 'k', 3, 0, 49, 81, 48) // fn 181: print
}

// QRRaster prints data as a QR code drawn here and sent as a raster image,
// for printers without native QR. Error correction is Q, with the standard 4-module quiet zone. The module size shrinks when the
// code would be wider than the paper.
func (b *Builder) QRRaster(data string) *Builder {
	if b.err != nil {
		return b
	}
	if data == "" {
		b.fail(errors.New("escpos: empty QR data"))
		return b
	}
	q, err := qr.New(data, qr.Q)
	if err != nil {
		b.fail(fmt.Errorf("escpos: QR data does not fit a QR code: %w", err))
		return b
	}
	bm := q.Modules
	n := len(bm)
	dots := b.cfg.QRModuleSize
	for dots > 1 && n*dots > b.cfg.DotsPerLine {
		dots--
	}
	if n*dots > b.cfg.DotsPerLine {
		b.fail(fmt.Errorf("escpos: QR code of %d modules is wider than %d dots", n, b.cfg.DotsPerLine))
		return b
	}
	bits := newBitmap(n*dots, n*dots)
	for y := range bits.h {
		row := bm[y/dots]
		for x := range bits.w {
			if row[x/dots] {
				bits.set(x, y)
			}
		}
	}
	return b.raster(bits)
}

// Image prints img as a raster image (GS v 0), one dot per pixel: a pixel is
// black when it is more dark than light and not transparent. Images wider
// than the printable width are refused.
func (b *Builder) Image(img image.Image) *Builder {
	if b.err != nil {
		return b
	}
	r := img.Bounds()
	if r.Dx() <= 0 || r.Dy() <= 0 {
		b.fail(errors.New("escpos: empty image"))
		return b
	}
	if r.Dx() > b.cfg.DotsPerLine {
		b.fail(fmt.Errorf("escpos: image of %d dots is wider than %d dots", r.Dx(), b.cfg.DotsPerLine))
		return b
	}
	bits := newBitmap(r.Dx(), r.Dy())
	for y := range bits.h {
		for x := range bits.w {
			c := img.At(r.Min.X+x, r.Min.Y+y)
			_, _, _, a := c.RGBA()
			if a >= 0x8000 && color.Gray16Model.Convert(c).(color.Gray16).Y < 0x8000 {
				bits.set(x, y)
			}
		}
	}
	return b.raster(bits)
}

// raster sends bits as GS v 0 commands of at most RasterBandRows rows each:
// a small band fits in any printer's receive buffer, so the port never has to
// hold back a whole image.
func (b *Builder) raster(bits bitmap) *Builder {
	for y0 := 0; y0 < bits.h; y0 += b.cfg.RasterBandRows {
		rows := min(b.cfg.RasterBandRows, bits.h-y0)
		b.put(GS, 'v', '0', 0, byte(bits.wb), byte(bits.wb>>8), byte(rows), byte(rows>>8))
		b.put(bits.pix[y0*bits.wb : (y0+rows)*bits.wb]...)
	}
	return b
}

// bitmap is a 1-bit image, rows padded to whole bytes, most significant bit
// leftmost, 1 = black: the layout of GS v 0.
type bitmap struct {
	w, h, wb int
	pix      []byte
}

func newBitmap(w, h int) bitmap {
	wb := (w + 7) / 8
	return bitmap{w: w, h: h, wb: wb, pix: make([]byte, wb*h)}
}

func (m bitmap) set(x, y int) { m.pix[y*m.wb+x/8] |= 0x80 >> (x % 8) }

// Level is the QR level an ESC/POS error-correction byte (QRLevelL..H)
// stands for; false for any other byte.
func Level(level byte) (qr.Level, bool) {
	switch level {
	case QRLevelL:
		return qr.L, true
	case QRLevelM:
		return qr.M, true
	case QRLevelQ:
		return qr.Q, true
	case QRLevelH:
		return qr.H, true
	}
	return 0, false
}

// checkQRData refuses data that no QR code at this level can hold, so the
// problem shows up here rather than as a silently blank receipt.
func checkQRData(data string, level qr.Level) error {
	if data == "" {
		return errors.New("escpos: empty QR data")
	}
	if len(data) > MaxQRData {
		return fmt.Errorf("escpos: QR data of %d bytes is too long", len(data))
	}
	if _, err := qr.New(data, level); err != nil {
		return fmt.Errorf("escpos: QR data does not fit a QR code: %w", err)
	}
	return nil
}
