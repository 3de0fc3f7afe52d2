package escpos

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Config describes the printer a Builder writes for. Zero fields take the
// defaults of an 80 mm printer with font A and the Nordic code page.
type Config struct {
	Columns        int      // characters per line at normal size (default 42)
	DotsPerLine    int      // printable width in dots (default 512)
	CodePage       CodePage // selected by Init (default PC865)
	QRModuleSize   int      // dots per QR module, 1..16 (default 7: a version-10 code is 455 dots wide)
	RasterBandRows int      // rows per GS v 0 command (default 24)
}

func (c Config) withDefaults() Config {
	if c.Columns <= 0 {
		c.Columns = DefaultColumns
	}
	if c.DotsPerLine <= 0 {
		c.DotsPerLine = DefaultDotsPerLine
	}
	if c.CodePage.Charmap == nil {
		c.CodePage = PC865
	}
	if c.QRModuleSize <= 0 {
		c.QRModuleSize = 7
	}
	if c.QRModuleSize > 16 {
		c.QRModuleSize = 16
	}
	if c.RasterBandRows <= 0 {
		c.RasterBandRows = 24
	}
	return c
}

// Builder collects one print job. Methods return the Builder so that a
// receipt reads top to bottom:
//
//	b := escpos.NewBuilder(escpos.Config{})
//	b.Init().Align(escpos.Center).Bold(true).Line("Borgerservice").Bold(false).
//		Align(escpos.Left).Paragraph(text).Rule().QR(url).Feed(3).Cut()
//	job, err := b.Bytes()
//
// The first error (for example QR data that is too long) is kept and returned
// by Bytes; later calls after an error do nothing. A Builder is not safe for
// concurrent use.
type Builder struct {
	cfg    Config
	cp     CodePage
	buf    []byte
	width  int // character width multiplier, for wrapping
	height int
	bold   bool
	align  Alignment
	err    error
}

// NewBuilder returns an empty Builder for the printer described by cfg.
func NewBuilder(cfg Config) *Builder {
	cfg = cfg.withDefaults()
	return &Builder{cfg: cfg, cp: cfg.CodePage, width: 1, height: 1}
}

// Config returns the configuration in use, with defaults filled in.
func (b *Builder) Config() Config { return b.cfg }

// Bytes returns the job so far, or the first error met while building it.
func (b *Builder) Bytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	return append([]byte(nil), b.buf...), nil
}

// Len returns the number of bytes in the job so far.
func (b *Builder) Len() int { return len(b.buf) }

// Err returns the first error met while building.
func (b *Builder) Err() error { return b.err }

func (b *Builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *Builder) put(p ...byte) *Builder {
	if b.err == nil {
		b.buf = append(b.buf, p...)
	}
	return b
}

// Raw appends bytes as they are, for commands this package does not cover.
func (b *Builder) Raw(p []byte) *Builder { return b.put(p...) }

// Init resets the printer (ESC @) and selects the configured code page.
// A job should start with it: it clears whatever a previous, interrupted job
// left in the printer's modes.
func (b *Builder) Init() *Builder {
	b.width, b.height, b.bold, b.align = 1, 1, false, Left
	b.put(ESC, '@')
	return b.CodePage(b.cfg.CodePage)
}

// CodePage selects a character table (ESC t n); later text is encoded for it.
func (b *Builder) CodePage(cp CodePage) *Builder {
	if cp.Charmap == nil {
		b.fail(errors.New("escpos: code page without a charmap"))
		return b
	}
	b.cp = cp
	return b.put(ESC, 't', cp.N)
}

// Bold turns emphasised printing on or off (ESC E n).
func (b *Builder) Bold(on bool) *Builder {
	b.bold = on
	return b.put(ESC, 'E', boolByte(on))
}

// Size sets the character width and height multipliers (GS ! n), each 1..8;
// values outside are clamped. Size(2, 2) is double width and height.
func (b *Builder) Size(width, height int) *Builder {
	width, height = clamp(width, 1, 8), clamp(height, 1, 8)
	b.width, b.height = width, height
	return b.put(GS, '!', byte((width-1)<<4|(height-1)))
}

// Normal resets character size to 1×1 and turns bold off.
func (b *Builder) Normal() *Builder { return b.Size(1, 1).Bold(false) }

// Align sets the justification of following lines, QR codes and images
// (ESC a n). It takes effect at the start of a line.
func (b *Builder) Align(a Alignment) *Builder {
	if a > Right {
		b.fail(fmt.Errorf("escpos: bad alignment %d", a))
		return b
	}
	b.align = a
	return b.put(ESC, 'a', byte(a))
}

// Text appends text encoded in the selected code page. Characters the code
// page lacks print as '?'; '\n' is a line feed, a tab a space, and other
// control characters become '?' so that text can never smuggle in commands.
func (b *Builder) Text(s string) *Builder {
	if b.err != nil {
		return b
	}
	b.buf = appendEncoded(b.buf, b.cp, s)
	return b
}

// Line appends text and a line feed.
func (b *Builder) Line(s string) *Builder { return b.Text(s).LF() }

// LF prints the current line and moves to the next.
func (b *Builder) LF() *Builder { return b.put(LF) }

// Feed prints the current line and feeds n lines (ESC d n), n clamped to 0..255.
func (b *Builder) Feed(n int) *Builder { return b.put(ESC, 'd', byte(clamp(n, 0, 255))) }

// Cut feeds the paper to the cutter and cuts it fully (GS V 65 0).
// Feeding first keeps the last printed line on this receipt.
func (b *Builder) Cut() *Builder { return b.put(GS, 'V', 65, 0) }

// PartialCut feeds the paper to the cutter and leaves one point uncut
// (GS V 66 0), so the receipt hangs until the person takes it.
func (b *Builder) PartialCut() *Builder { return b.put(GS, 'V', 66, 0) }

// Columns returns the number of characters that fit on a line at the
// current character width.
func (b *Builder) Columns() int {
	c := b.cfg.Columns / b.width
	if c < 1 {
		c = 1
	}
	return c
}

// Rule prints a full-width line of '-'.
func (b *Builder) Rule() *Builder { return b.RuleWith('-') }

// RuleWith prints a full-width line of r (for example '=' or '.').
func (b *Builder) RuleWith(r rune) *Builder {
	return b.Line(strings.Repeat(string(r), b.Columns()))
}

// Paragraph word-wraps s to the current line width and prints it.
// Newlines in s start new lines; an empty s prints one empty line.
func (b *Builder) Paragraph(s string) *Builder {
	for _, l := range Wrap(s, b.Columns()) {
		b.Line(l)
	}
	return b
}

// LeftRight prints left at the start and right at the end of one line, as in
// "Dato            12.03.2026". When both do not fit, left is wrapped and
// right gets its own line at the end.
func (b *Builder) LeftRight(left, right string) *Builder {
	cols := b.Columns()
	l, r := norm.NFC.String(left), norm.NFC.String(right)
	ln, rn := utf8.RuneCountInString(l), utf8.RuneCountInString(r)
	if ln+1+rn <= cols {
		return b.Line(l + strings.Repeat(" ", cols-ln-rn) + r)
	}
	b.Paragraph(l)
	for _, w := range Wrap(r, cols) {
		b.Line(strings.Repeat(" ", cols-utf8.RuneCountInString(w)) + w)
	}
	return b
}

// appendEncoded encodes s rune by rune so that a missing character costs one
// '?' rather than an error. NFC first: a decomposed "å" (a + ring) is one
// character in the code page.
func appendEncoded(dst []byte, cp CodePage, s string) []byte {
	for _, r := range norm.NFC.String(s) {
		switch {
		case r == '\n':
			dst = append(dst, LF)
			continue
		case r == '\t':
			dst = append(dst, ' ')
			continue
		case r < 0x20 || r == 0x7F:
			dst = append(dst, '?')
			continue
		}
		c, ok := cp.Charmap.EncodeRune(r)
		if !ok || c < 0x20 || c == 0x7F {
			c = '?'
		}
		dst = append(dst, c)
	}
	return dst
}

// Encode returns s in code page cp as Text would write it.
func Encode(cp CodePage, s string) []byte { return appendEncoded(nil, cp, s) }

func boolByte(on bool) byte {
	if on {
		return 1
	}
	return 0
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
