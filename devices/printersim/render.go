package printersim

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/borgerkiosk/borgerkiosk/qr"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
)

// Text renders a receipt as plain text, the way it reads on paper: lines
// wrapped where the printer would wrap them (cols characters at normal
// width) and placed by their alignment. A QR code becomes "[QR: data]" and an
// image "[image W×H]". Decode errors are not included (see Dump).
func Text(r *Receipt, cols int) string {
	if cols < 1 {
		cols = escpos.DefaultColumns
	}
	var out strings.Builder
	put := func(align escpos.Alignment, s string, width int) {
		pad := 0
		switch align {
		case escpos.Center:
			pad = (cols - width) / 2
		case escpos.Right:
			pad = cols - width
		}
		out.WriteString(strings.TrimRight(strings.Repeat(" ", max(pad, 0))+s, " "))
		out.WriteByte('\n')
	}
	for _, bl := range r.Blocks {
		switch bl.Kind {
		case TextBlock:
			// Wrap by printed width: a double-width character takes two
			// columns.
			var line strings.Builder
			w := 0
			for _, sp := range bl.Spans {
				for _, c := range sp.Text {
					if w+sp.Width > cols && w > 0 {
						put(bl.Align, line.String(), w)
						line.Reset()
						w = 0
					}
					line.WriteRune(c)
					w += sp.Width
				}
			}
			put(bl.Align, line.String(), w)
		case QRBlock:
			s := "[QR: " + string(bl.QR.Data) + "]"
			put(bl.Align, s, utf8.RuneCountInString(s))
		case RasterBlock:
			s := fmt.Sprintf("[image %dx%d]", bl.Raster.Width()*bl.Raster.ScaleX, bl.Raster.Height*bl.Raster.ScaleY)
			put(bl.Align, s, len(s))
		}
	}
	return out.String()
}

// Geometry of the rendered paper, in printer dots (8 dots/mm at 203 dpi):
// font A cells of 12×24 and the default line spacing of 30 dots.
const (
	cellW     = 12
	cellH     = 24
	lineGap   = 6
	margin    = 24
	maxHeight = 40000 // about 5 m of paper
)

// ErrTooLong is returned by RenderPNG for a receipt too long to draw.
var ErrTooLong = errors.New("printersim: receipt too long to render")

var (
	facesOnce         sync.Once
	regular, boldFace font.Face
	faceAscent        int
	facesErr          error
)

func faces() (font.Face, font.Face, error) {
	facesOnce.Do(func() {
		load := func(ttf []byte) font.Face {
			f, err := opentype.Parse(ttf)
			if err != nil {
				facesErr = err
				return nil
			}
			// Go Mono's advance is 0.6 em: 20 px gives the 12-dot cell.
			face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 20, DPI: 72, Hinting: font.HintingFull})
			if err != nil {
				facesErr = err
			}
			return face
		}
		regular, boldFace = load(gomono.TTF), load(gomonobold.TTF)
		if facesErr == nil {
			m := regular.Metrics()
			faceAscent = (cellH-(m.Ascent+m.Descent).Ceil())/2 + m.Ascent.Ceil()
		}
	})
	return regular, boldFace, facesErr
}

// RenderPNG draws a receipt as a PNG the way a printer with cols columns
// would print it: text in a monospace font (bold and size multipliers
// applied), native QR codes drawn with error correction as stored and a
// 4-module quiet zone, raster images dot for dot. Decode errors are printed
// at the bottom, marked, so that they are seen.
func RenderPNG(w io.Writer, r *Receipt, cols int) error {
	img, err := Render(r, cols)
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

// Render is RenderPNG without the encoding.
func Render(r *Receipt, cols int) (*image.Gray, error) {
	if cols < 1 {
		cols = escpos.DefaultColumns
	}
	reg, bold, err := faces()
	if err != nil {
		return nil, fmt.Errorf("printersim: font: %w", err)
	}
	area := cols * cellW
	type item struct {
		y     int
		block Block
		qr    [][]bool
		img   *image.Gray
		text  string // an error line
	}
	var items []item
	y := margin
	width := area
	for _, bl := range r.Blocks {
		it := item{y: y, block: bl}
		switch bl.Kind {
		case TextBlock:
			h := 1
			for _, sp := range bl.Spans {
				h = max(h, sp.Height)
			}
			// Wrapped lines take more room; count them like Text does.
			lines := 1
			wdt := 0
			for _, sp := range bl.Spans {
				for range sp.Text {
					if wdt+sp.Width > cols && wdt > 0 {
						lines++
						wdt = 0
					}
					wdt += sp.Width
				}
			}
			y += lines * (cellH*h + lineGap)
		case QRBlock:
			// A byte that names no level draws at L, Epson's default.
			level, _ := escpos.Level(bl.QR.Level)
			q, err := qr.New(string(bl.QR.Data), level)
			if err != nil {
				it.block = Block{Kind: TextBlock, Align: bl.Align, Spans: []Span{{Text: "[QR code could not be drawn]", Width: 1, Height: 1}}}
				y += cellH + lineGap
				break
			}
			it.qr = q.Modules
			side := len(it.qr) * bl.QR.ModuleSize
			width = max(width, side)
			y += side
		case RasterBlock:
			it.img = bl.Raster.Image()
			width = max(width, it.img.Rect.Dx())
			y += it.img.Rect.Dy()
		}
		if y > maxHeight {
			return nil, ErrTooLong
		}
		items = append(items, it)
	}
	for _, e := range r.Errors {
		for _, l := range escpos.Wrap("! "+e, cols) {
			items = append(items, item{y: y, text: l})
			y += cellH + lineGap
		}
	}
	if y > maxHeight {
		return nil, ErrTooLong
	}
	img := image.NewGray(image.Rect(0, 0, width+2*margin, y+margin))
	draw.Draw(img, img.Rect, image.White, image.Point{}, draw.Src)
	x0 := margin
	place := func(a escpos.Alignment, w int) int {
		switch a {
		case escpos.Center:
			return x0 + (area-w)/2
		case escpos.Right:
			return x0 + area - w
		}
		return x0
	}
	for _, it := range items {
		switch {
		case it.text != "":
			drawText(img, reg, x0, it.y, it.text, 1, 1)
		case it.qr != nil:
			m := it.block.QR.ModuleSize
			side := len(it.qr) * m
			x := max(place(it.block.Align, side), 0)
			for qy, row := range it.qr {
				for qx, black := range row {
					if black {
						draw.Draw(img, image.Rect(x+qx*m, it.y+qy*m, x+(qx+1)*m, it.y+(qy+1)*m), image.Black, image.Point{}, draw.Src)
					}
				}
			}
		case it.img != nil:
			x := max(place(it.block.Align, it.img.Rect.Dx()), 0)
			draw.Draw(img, it.img.Rect.Add(image.Pt(x, it.y)), it.img, image.Point{}, draw.Src)
		default:
			drawLine(img, reg, bold, it.block, it.y, cols, place)
		}
	}
	return img, nil
}

// drawLine draws a text block, wrapping at cols like a printer.
func drawLine(img *image.Gray, reg, bold font.Face, bl Block, y, cols int, place func(escpos.Alignment, int) int) {
	type run struct {
		sp    Span
		text  string
		width int
	}
	var lines [][]run
	var cur []run
	w := 0
	for _, sp := range bl.Spans {
		var b strings.Builder
		start := w
		for _, c := range sp.Text {
			if w+sp.Width > cols && w > 0 {
				cur = append(cur, run{sp, b.String(), w - start})
				lines = append(lines, cur)
				cur, w, start = nil, 0, 0
				b.Reset()
			}
			b.WriteRune(c)
			w += sp.Width
		}
		cur = append(cur, run{sp, b.String(), w - start})
	}
	lines = append(lines, cur)
	for _, l := range lines {
		h, lw := 1, 0
		for _, r := range l {
			h = max(h, r.sp.Height)
			lw += r.width
		}
		x := place(bl.Align, lw*cellW)
		for _, r := range l {
			face := reg
			if r.sp.Bold {
				face = bold
			}
			// Characters of a line share its baseline: taller ones grow up.
			ry := y + (h-r.sp.Height)*cellH
			drawText(img, face, x, ry, r.text, r.sp.Width, r.sp.Height)
			if r.sp.Underline {
				uy := ry + cellH*r.sp.Height - 2
				draw.Draw(img, image.Rect(x, uy, x+r.width*cellW, uy+r.sp.Height), image.Black, image.Point{}, draw.Src)
			}
			x += r.width * cellW
		}
		y += cellH*h + lineGap
	}
}

// drawText draws s in cells of 12×24 dots scaled by sx, sy, one character a
// cell so that columns line up whatever the font's rounding.
func drawText(dst *image.Gray, face font.Face, x, y int, s string, sx, sy int) {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return
	}
	cell := image.NewGray(image.Rect(0, 0, n*cellW, cellH))
	draw.Draw(cell, cell.Rect, image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: cell, Src: image.Black, Face: face}
	i := 0
	for _, c := range s {
		d.Dot = fixed.P(i*cellW, faceAscent)
		d.DrawString(string(c))
		i++
	}
	if sx == 1 && sy == 1 {
		draw.Draw(dst, cell.Rect.Add(image.Pt(x, y)), cell, image.Point{}, draw.Src)
		return
	}
	// Nearest-neighbour scaling, as a printer enlarges characters: build
	// each source row once, widened, and copy it sy times.
	row := make([]byte, n*cellW*sx)
	b := dst.Bounds()
	for cy := range cellH {
		src := cell.Pix[cy*cell.Stride : cy*cell.Stride+n*cellW]
		for i, v := range src {
			for k := range sx {
				row[i*sx+k] = v
			}
		}
		for k := range sy {
			py := y + cy*sy + k
			if py < b.Min.Y || py >= b.Max.Y {
				continue
			}
			x0, r := x, row
			if x0 < b.Min.X {
				r = r[min(b.Min.X-x0, len(r)):]
				x0 = b.Min.X
			}
			if x0 >= b.Max.X {
				continue
			}
			off := dst.PixOffset(x0, py)
			copy(dst.Pix[off:off+min(len(r), b.Max.X-x0)], r)
		}
	}
}
