package receipt

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/borgerkiosk/borgerkiosk/qr"

	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
)

// Printer describes the printer a job is for: the escpos configuration and
// whether QR codes must be sent as raster images (printers without GS ( k).
type Printer struct {
	escpos.Config
	RasterQR bool
}

// Doc is a receipt laid out as a list of lines, built once from a Receipt.
// ESCPOS and Text render the same lines, so what is read aloud before
// printing is what the paper says.
type Doc struct {
	lines []line
	// compact prints fields as "label: value" instead of padding them to
	// the right edge: padding is spaces on the wire, and the handover slip
	// has a byte budget.
	compact bool
}

type kind int

const (
	kTitle   kind = iota // large, bold, centred (the brand)
	kHeading             // bold, centred (what the receipt is)
	kSection             // bold, left (a section of the overview)
	kStrong              // bold paragraph (the status)
	kPara                // paragraph
	kField               // label left, value right
	kItem                // list item with a hanging indent
	kDetail              // paragraph indented under an item
	kRule                // full-width rule; not read aloud
	kBlank               // empty line
	kQR                  // QR code; not read aloud
	kSupport             // field for support staff (the action id): printed, not read aloud
)

type line struct {
	kind  kind
	text  string // kField: the label
	value string // kField: the value; kQR: the data
}

// cprLike matches anything shaped like a full CPR number. Names, purposes and
// staff names are free text from elsewhere: whatever they hold, a receipt
// never shows ten CPR digits.
var cprLike = regexp.MustCompile(`(^|[^0-9])([0-9]{6})[- ]?[0-9]{4}([^0-9]|$)`)

// clean turns free text into one safe line: control characters (newlines
// too) become spaces, runs of space collapse, and CPR-shaped numbers are
// masked.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	// Twice, because matches that share a separator do not overlap.
	for range 2 {
		s = cprLike.ReplaceAllString(s, "${1}${2}-xxxx${3}")
	}
	return s
}

func (d *Doc) add(k kind, text, value string) {
	if k != kQR {
		text, value = clean(text), clean(value)
	}
	d.lines = append(d.lines, line{kind: k, text: text, value: value})
}

func (d *Doc) title(s string)   { d.add(kTitle, s, "") }
func (d *Doc) heading(s string) { d.add(kHeading, s, "") }
func (d *Doc) section(s string) { d.add(kSection, s, "") }
func (d *Doc) strong(s string)  { d.add(kStrong, s, "") }
func (d *Doc) para(s string)    { d.add(kPara, s, "") }
func (d *Doc) item(s string)    { d.add(kItem, s, "") }
func (d *Doc) detail(s string)  { d.add(kDetail, s, "") }
func (d *Doc) rule()            { d.add(kRule, "", "") }
func (d *Doc) blank()           { d.add(kBlank, "", "") }
func (d *Doc) qr(data string)   { d.add(kQR, "", data) }

// support adds a field for support staff, left out when read aloud.
func (d *Doc) support(label, value string) {
	if strings.TrimSpace(value) != "" {
		d.add(kSupport, label, value)
	}
}

// field adds "label   value"; an empty value leaves the line out.
func (d *Doc) field(label, value string) {
	if strings.TrimSpace(value) != "" {
		d.add(kField, label, value)
	}
}

// Text returns the receipt as plain text for reading aloud: one line per
// printed line (paragraphs unwrapped), fields as "label: value", no rules,
// no QR code, no action id (hex digits help nobody who listens) and no
// control bytes.
func (d *Doc) Text() string {
	var sb strings.Builder
	for _, l := range d.lines {
		switch l.kind {
		case kRule, kQR, kSupport:
			continue
		case kField:
			sb.WriteString(l.text + ": " + l.value)
		default:
			sb.WriteString(l.text)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// printable replaces typography the receipt code pages lack (PC865 has no
// dashes or curly quotes) with what a person reads the same way.
var printable = strings.NewReplacer(
	"—", "-", "–", "-", "‑", "-", "…", "...",
	"‘", "'", "’", "'", "“", `"`, "”", `"`, "„", `"`, "•", "-",
)

// ESCPOS returns the receipt as one ESC/POS job for p: reset and code page
// first, a cut last.
func (d *Doc) ESCPOS(p Printer) ([]byte, error) {
	b := escpos.NewBuilder(p.Config)
	cfg := b.Config()
	b.Init()
	align := escpos.Left
	setAlign := func(a escpos.Alignment) {
		if a != align {
			b.Align(a)
			align = a
		}
	}
	for _, l := range d.lines {
		text, value := printable.Replace(l.text), printable.Replace(l.value)
		switch l.kind {
		case kTitle:
			setAlign(escpos.Center)
			b.Size(2, 2).Bold(true).Paragraph(text).Normal()
		case kHeading:
			setAlign(escpos.Center)
			b.Bold(true).Paragraph(text).Bold(false)
		case kSection, kStrong:
			setAlign(escpos.Left)
			b.Bold(true).Paragraph(text).Bold(false)
		case kPara:
			setAlign(escpos.Left)
			b.Paragraph(text)
		case kField, kSupport:
			setAlign(escpos.Left)
			if d.compact {
				b.Paragraph(text + ": " + value)
			} else {
				b.LeftRight(text, value)
			}
		case kItem, kDetail:
			setAlign(escpos.Left)
			for i, w := range escpos.Wrap(text, max(b.Columns()-2, 1)) {
				if i == 0 && l.kind == kItem {
					b.Line("- " + w)
				} else {
					b.Line("  " + w)
				}
			}
		case kRule:
			setAlign(escpos.Left)
			b.Rule()
		case kBlank:
			b.LF()
		case kQR:
			setAlign(escpos.Center)
			if p.RasterQR {
				b.QRRaster(l.value)
			} else {
				b.QRWith(l.value, nativeModuleSize(l.value, cfg), escpos.QRLevelQ)
			}
			b.LF()
		}
	}
	b.Feed(3).Cut()
	return b.Bytes()
}

// nativeModuleSize is the configured module size, made smaller when the
// symbol with its quiet zone would not fit the paper: the printer would
// otherwise print nothing at all. Data that is no QR code is left for the
// Builder to refuse.
func nativeModuleSize(data string, cfg escpos.Config) int {
	size := cfg.QRModuleSize
	q, err := qr.New(data, qr.Q)
	if err != nil {
		return size
	}
	n := len(q.Modules) // modules, quiet zone included
	for size > 1 && n*size > cfg.DotsPerLine {
		size--
	}
	return size
}
