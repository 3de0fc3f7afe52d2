package printersim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
)

// Limits that keep a hostile or broken stream from eating memory. They are
// far above anything a receipt needs.
const (
	maxRasterWidthBytes = 1024 // 8192 dots
	maxRasterBandRows   = 4096
	maxRasterRows       = 32768 // per image, all bands together
	maxErrors           = 100   // per receipt
	maxBlocks           = 20000 // per receipt
)

// errTruncated marks a command cut short by the end of the stream.
var errTruncated = errors.New("truncated")

// Decoder reads an ESC/POS byte stream and returns the receipts in it, one
// per cut. It keeps the printer's modes (code page, bold, size, alignment)
// across receipts, as a printer does, until ESC @ resets them.
type Decoder struct {
	r *bufio.Reader

	// OnStatus, if set, is called for each real-time status request
	// DLE EOT n (n = 1..4) at the point in the stream where it occurs.
	OnStatus func(n byte)

	cp        escpos.CodePage
	bold      bool
	underline bool
	width     int
	height    int
	align     escpos.Alignment

	line      []pendingSpan
	lineOpen  bool
	lineAlign escpos.Alignment

	qrData   []byte
	qrModule int
	qrLevel  byte

	lastRaster bool // the last command was a GS v 0 band (bands merge)
	cur        *Receipt
}

// NewDecoder returns a Decoder reading r. Decoding stops at the first read
// error; io.EOF is the normal end.
func NewDecoder(r io.Reader) *Decoder {
	d := &Decoder{r: bufio.NewReader(r)}
	d.reset()
	d.cur = &Receipt{}
	return d
}

// reset is ESC @ and power-on: PC437, normal size, left, QR defaults.
func (d *Decoder) reset() {
	d.cp = escpos.PC437
	d.bold, d.underline = false, false
	d.width, d.height = 1, 1
	d.align = escpos.Left
	d.line, d.lineOpen = nil, false
	d.qrModule, d.qrLevel = 3, escpos.QRLevelL
	d.lastRaster = false
}

// Next returns the next receipt, ended by a cut. At the end of the stream it
// returns what was printed after the last cut (Cut == NoCut) if anything was,
// and then io.EOF. Undecodable commands are recorded in Receipt.Errors and
// never stop decoding; only a read error other than io.EOF does, returned
// together with the receipt so far.
func (d *Decoder) Next() (*Receipt, error) {
	for {
		cut, err := d.step()
		if cut != NoCut {
			r := d.cur
			r.Cut = cut
			d.cur = &Receipt{}
			return r, nil
		}
		if err == nil {
			continue
		}
		if errors.Is(err, io.EOF) || errors.Is(err, errTruncated) {
			d.flushLine()
			if d.cur.Empty() {
				return nil, io.EOF
			}
			r := d.cur
			d.cur = &Receipt{}
			return r, nil
		}
		d.flushLine()
		r := d.cur
		d.cur = &Receipt{}
		return r, err
	}
}

// Decode returns all receipts in r.
func Decode(r io.Reader) ([]*Receipt, error) {
	d := NewDecoder(r)
	var out []*Receipt
	for {
		rc, err := d.Next()
		if rc != nil {
			out = append(out, rc)
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func (d *Decoder) errorf(format string, args ...any) {
	switch n := len(d.cur.Errors); {
	case n < maxErrors:
		d.cur.Errors = append(d.cur.Errors, fmt.Sprintf(format, args...))
	case n == maxErrors:
		d.cur.Errors = append(d.cur.Errors, "too many errors; later ones not recorded")
	}
}

func (d *Decoder) addBlock(b Block) {
	if len(d.cur.Blocks) >= maxBlocks {
		if len(d.cur.Blocks) == maxBlocks {
			d.errorf("receipt longer than %d lines; the rest is dropped", maxBlocks)
		}
		return
	}
	d.cur.Blocks = append(d.cur.Blocks, b)
}

// byte1 reads one byte; at the end of the stream it records that cmd was
// truncated and returns errTruncated.
func (d *Decoder) byte1(cmd string) (byte, error) {
	c, err := d.r.ReadByte()
	if errors.Is(err, io.EOF) {
		d.errorf("truncated %s", cmd)
		return 0, errTruncated
	}
	return c, err
}

// bytesN reads n bytes, growing the buffer only as data really arrives.
func (d *Decoder) bytesN(cmd string, n int) ([]byte, error) {
	var buf bytes.Buffer
	_, err := io.CopyN(&buf, d.r, int64(n))
	if errors.Is(err, io.EOF) {
		d.errorf("truncated %s: %d of %d data bytes", cmd, buf.Len(), n)
		return nil, errTruncated
	}
	return buf.Bytes(), err
}

// step decodes one command or character. It returns the cut kind when the
// command was a cut.
func (d *Decoder) step() (CutKind, error) {
	c, err := d.r.ReadByte()
	if err != nil {
		return NoCut, err
	}
	wasRaster := d.lastRaster
	d.lastRaster = false
	switch {
	case c >= 0x20 && c != 0x7F:
		d.char(d.cp.Charmap.DecodeByte(c))
		return NoCut, nil
	case c == escpos.LF:
		d.lf()
	case c == '\t':
		d.char(' ')
	case c == '\r', c == 0x00, c == 0x0C, c == 0x18:
		// CR without auto line feed, NUL padding, FF and CAN in standard
		// mode: no effect on a receipt.
	case c == escpos.ESC:
		return NoCut, d.esc()
	case c == escpos.GS:
		return d.gs(wasRaster)
	case c == escpos.DLE:
		return NoCut, d.dle()
	default:
		d.errorf("unexpected control byte %#02x", c)
	}
	return NoCut, nil
}

// pendingSpan is a Span being collected; text grows in a byte slice so that
// a long line costs linear time.
type pendingSpan struct {
	Span
	buf []byte
}

func (d *Decoder) char(r rune) {
	if !d.lineOpen {
		d.lineOpen = true
		d.lineAlign = d.align
	}
	sp := Span{Bold: d.bold, Underline: d.underline, Width: d.width, Height: d.height}
	if n := len(d.line); n == 0 || d.line[n-1].Span != sp {
		d.line = append(d.line, pendingSpan{Span: sp})
	}
	last := &d.line[len(d.line)-1]
	last.buf = utf8.AppendRune(last.buf, r)
}

// lf prints the line (or a blank line) and starts a new one.
func (d *Decoder) lf() {
	if d.lineOpen {
		d.flushLine()
		return
	}
	d.addBlock(Block{Kind: TextBlock, Align: d.align})
}

func (d *Decoder) flushLine() {
	if !d.lineOpen {
		return
	}
	spans := make([]Span, len(d.line))
	for i, p := range d.line {
		spans[i] = p.Span
		spans[i].Text = string(p.buf)
	}
	d.addBlock(Block{Kind: TextBlock, Align: d.lineAlign, Spans: spans})
	d.line, d.lineOpen = nil, false
}

func (d *Decoder) esc() error {
	cmd, err := d.byte1("ESC")
	if err != nil {
		return err
	}
	name := fmt.Sprintf("ESC %q", cmd)
	arg := func() (byte, error) { return d.byte1(name) }
	switch cmd {
	case '@':
		d.reset()
		return nil
	case '2', '<': // default line spacing, return home
		return nil
	}
	// The rest take one parameter byte.
	n, err := arg()
	if err != nil {
		return err
	}
	switch cmd {
	case 't':
		cp, ok := escpos.CodePageByNumber(n)
		if !ok {
			d.errorf("ESC t %d: code page not supported by the simulator", n)
			return nil
		}
		d.cp = cp
	case 'E', 'G':
		d.bold = n&1 != 0
	case '-':
		d.underline = n&3 != 0
	case '!':
		d.bold = n&0x08 != 0
		d.height = 1 + int(n>>4&1)
		d.width = 1 + int(n>>5&1)
		d.underline = n&0x80 != 0
	case 'a':
		if n&^0x30 > 2 {
			d.errorf("ESC a %d: bad alignment", n)
			return nil
		}
		d.align = escpos.Alignment(n & 3)
	case 'd':
		for range int(n) {
			d.lf()
		}
	case 'J':
		d.flushLine()
	case '3', 'M', 'R', '{', 'V', 'r', 'U', 'c':
		// Line spacing, font, international set, rotation, colour,
		// direction: no effect on the text model. (ESC c takes two bytes.)
		if cmd == 'c' {
			_, err = arg()
		}
		return err
	case 'p': // drawer kick: ESC p m t1 t2
		if _, err := arg(); err != nil {
			return err
		}
		_, err = arg()
		return err
	default:
		d.errorf("unknown command ESC %#02x", cmd)
		d.r.UnreadByte() // the parameter may be the start of the next command
	}
	return nil
}

func (d *Decoder) gs(wasRaster bool) (CutKind, error) {
	cmd, err := d.byte1("GS")
	if err != nil {
		return NoCut, err
	}
	name := fmt.Sprintf("GS %q", cmd)
	switch cmd {
	case '!':
		n, err := d.byte1(name)
		if err != nil {
			return NoCut, err
		}
		d.width = 1 + int(n>>4&7)
		d.height = 1 + int(n&7)
		return NoCut, nil
	case 'V':
		return d.cut()
	case 'v':
		return NoCut, d.raster(wasRaster)
	case '(':
		k, err := d.byte1(name)
		if err != nil {
			return NoCut, err
		}
		if k != 'k' {
			return NoCut, d.skipParen(k)
		}
		return NoCut, d.symbol()
	case 'B', 'H', 'f', 'h', 'w', 'b', 'I', 'r', 'a':
		// Reverse, barcode settings, smoothing, transmit ID, status back:
		// one parameter, no effect on the model.
		_, err := d.byte1(name)
		return NoCut, err
	case 'L', 'W':
		_, err := d.bytesN(name, 2)
		return NoCut, err
	case 'k':
		return NoCut, d.barcode()
	}
	d.errorf("unknown command GS %#02x", cmd)
	return NoCut, nil
}

func (d *Decoder) cut() (CutKind, error) {
	m, err := d.byte1("GS V")
	if err != nil {
		return NoCut, err
	}
	var kind CutKind
	switch m {
	case 0, 48:
		kind = FullCut
	case 1, 49:
		kind = PartialCut
	case 65, 97, 103:
		kind = FullCut
	case 66, 98, 104:
		kind = PartialCut
	default:
		d.errorf("GS V %d: unknown cut", m)
		return NoCut, nil
	}
	if m >= 65 {
		if _, err := d.byte1("GS V"); err != nil {
			return NoCut, err
		}
	}
	if d.lineOpen {
		// A printer ignores GS V in the middle of a line; flag it so that a
		// layout missing its last line feed shows up in tests.
		d.errorf("cut in the middle of a line (a printer would ignore it)")
		d.flushLine()
	}
	return kind, nil
}

func (d *Decoder) raster(wasRaster bool) error {
	const name = "GS v 0"
	hdr, err := d.bytesN(name, 6)
	if err != nil {
		return err
	}
	if hdr[0] != '0' {
		d.errorf("GS v %#02x: unknown raster command", hdr[0])
		return nil
	}
	m := hdr[1]
	wb := int(hdr[2]) | int(hdr[3])<<8
	rows := int(hdr[4]) | int(hdr[5])<<8
	if m&^0x30 > 3 || wb == 0 || rows == 0 || wb > maxRasterWidthBytes || rows > maxRasterBandRows {
		d.errorf("%s: bad parameters m=%d width=%d bytes rows=%d", name, m, wb, rows)
		// A printer would still take width×rows data bytes; skip them
		// without keeping them, so decoding stays in step.
		if _, err := io.CopyN(io.Discard, d.r, int64(wb*rows)); err != nil {
			if errors.Is(err, io.EOF) {
				d.errorf("truncated %s", name)
				return errTruncated
			}
			return err
		}
		return nil
	}
	data, err := d.bytesN(name, wb*rows)
	if err != nil {
		return err
	}
	d.flushLine()
	d.lastRaster = true
	sx, sy := 1+int(m&1), 1+int(m>>1&1)
	if wasRaster && len(d.cur.Blocks) > 0 {
		last := d.cur.Blocks[len(d.cur.Blocks)-1]
		if r := last.Raster; last.Kind == RasterBlock && r.WidthBytes == wb && r.ScaleX == sx && r.ScaleY == sy && last.Align == d.align {
			if r.Height+rows > maxRasterRows {
				d.errorf("%s: image taller than %d rows", name, maxRasterRows)
				return nil
			}
			r.Bits = append(r.Bits, data...)
			r.Height += rows
			return nil
		}
	}
	d.addBlock(Block{Kind: RasterBlock, Align: d.align, Raster: &Raster{
		WidthBytes: wb, Height: rows, ScaleX: sx, ScaleY: sy, Bits: data,
	}})
	return nil
}

// symbol decodes GS ( k pL pH cn fn ...: 2D codes. Only QR (cn 49) is
// modelled; other symbols are skipped by their length.
func (d *Decoder) symbol() error {
	const name = "GS ( k"
	lh, err := d.bytesN(name, 2)
	if err != nil {
		return err
	}
	n := int(lh[0]) | int(lh[1])<<8
	p, err := d.bytesN(name, n)
	if err != nil {
		return err
	}
	if n < 2 {
		d.errorf("%s: parameter block of %d bytes", name, n)
		return nil
	}
	cn, fn, args := p[0], p[1], p[2:]
	if cn != 49 {
		d.errorf("%s: 2D symbol cn=%d not supported", name, cn)
		return nil
	}
	need := func(k int) bool {
		if len(args) < k {
			d.errorf("%s fn %d: %d parameter bytes, want %d", name, fn, len(args), k)
			return false
		}
		return true
	}
	switch fn {
	case 65: // model
		if need(2) && args[0] != 50 {
			d.errorf("%s: QR model %d, only model 2 is supported", name, args[0])
		}
	case 67: // module size
		if need(1) {
			if args[0] < 1 || args[0] > 16 {
				d.errorf("%s: QR module size %d outside 1..16", name, args[0])
				return nil
			}
			d.qrModule = int(args[0])
		}
	case 69: // error correction
		if need(1) {
			if args[0] < 48 || args[0] > 51 {
				d.errorf("%s: QR error correction %d outside 48..51", name, args[0])
				return nil
			}
			d.qrLevel = args[0]
		}
	case 80: // store
		if need(1) {
			d.qrData = append([]byte(nil), args[1:]...)
		}
	case 81: // print
		if len(d.qrData) == 0 {
			d.errorf("%s: QR print with no stored data", name)
			return nil
		}
		d.flushLine()
		d.addBlock(Block{Kind: QRBlock, Align: d.align, QR: &QRCode{
			Data: append([]byte(nil), d.qrData...), ModuleSize: d.qrModule, Level: d.qrLevel,
		}})
	default:
		d.errorf("%s: QR function %d not supported", name, fn)
	}
	return nil
}

// skipParen skips the other GS ( x pL pH ... commands by their length.
func (d *Decoder) skipParen(x byte) error {
	lh, err := d.bytesN("GS (", 2)
	if err != nil {
		return err
	}
	n := int(lh[0]) | int(lh[1])<<8
	if _, err := d.bytesN("GS (", n); err != nil {
		return err
	}
	d.errorf("GS ( %q: not supported", x)
	return nil
}

// barcode skips GS k: form A is NUL-terminated, form B has a length byte.
func (d *Decoder) barcode() error {
	m, err := d.byte1("GS k")
	if err != nil {
		return err
	}
	if m <= 6 {
		if _, err := d.r.ReadSlice(0); err != nil {
			if errors.Is(err, io.EOF) {
				d.errorf("truncated GS k")
				return errTruncated
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				return err
			}
		}
	} else {
		n, err := d.byte1("GS k")
		if err != nil {
			return err
		}
		if _, err := d.bytesN("GS k", int(n)); err != nil {
			return err
		}
	}
	d.errorf("GS k: 1D barcodes are not supported by the simulator")
	return nil
}

func (d *Decoder) dle() error {
	cmd, err := d.byte1("DLE")
	if err != nil {
		return err
	}
	n, err := d.byte1(fmt.Sprintf("DLE %#02x", cmd))
	if err != nil {
		return err
	}
	switch {
	case cmd == escpos.EOT && n >= 1 && n <= 4:
		if d.OnStatus != nil {
			d.OnStatus(n)
		}
	case cmd == 0x05: // DLE ENQ n: real-time request, nothing to model
	default:
		d.errorf("unknown real-time command DLE %#02x %d", cmd, n)
	}
	return nil
}

// Dump describes a receipt with its attributes, one block a line, for
// golden tests and debugging: alignment, text with **bold**, _underline_ and
// [WxH] size marks, QR codes, images, the cut and decode errors.
func Dump(r *Receipt) string {
	var b strings.Builder
	for _, bl := range r.Blocks {
		b.WriteString("LCR"[bl.Align : bl.Align+1])
		b.WriteString("| ")
		switch bl.Kind {
		case TextBlock:
			for _, sp := range bl.Spans {
				t := sp.Text
				if sp.Underline {
					t = "_" + t + "_"
				}
				if sp.Bold {
					t = "**" + t + "**"
				}
				if sp.Width != 1 || sp.Height != 1 {
					t = fmt.Sprintf("[%dx%d]%s[/]", sp.Width, sp.Height, t)
				}
				b.WriteString(t)
			}
		case QRBlock:
			fmt.Fprintf(&b, "QR module=%d level=%s %q", bl.QR.ModuleSize, bl.QR.LevelName(), bl.QR.Data)
		case RasterBlock:
			fmt.Fprintf(&b, "IMAGE %dx%d scale=%dx%d", bl.Raster.Width(), bl.Raster.Height, bl.Raster.ScaleX, bl.Raster.ScaleY)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "CUT %s\n", r.Cut)
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "ERROR %s\n", e)
	}
	return b.String()
}
