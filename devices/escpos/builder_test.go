package escpos

import (
	"bytes"
	"encoding/hex"
	"flag"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// assertGolden compares got with testdata/name.golden, stored as a hex dump so
// that a person can read a diff. On a mismatch the actual output goes to
// testdata/failed/name.golden for review; -update rewrites the golden file.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	dump := []byte(hex.Dump(got))
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, dump, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if bytes.Equal(dump, want) {
		return
	}
	failed := filepath.Join("testdata", "failed", name+".golden")
	if err := os.MkdirAll(filepath.Dir(failed), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(failed, dump, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Errorf("%s differs from %s; actual written to %s\ngot:\n%s", name, path, failed, dump)
}

func build(t *testing.T, f func(b *Builder)) []byte {
	t.Helper()
	b := NewBuilder(Config{})
	f(b)
	out, err := b.Bytes()
	if err != nil {
		t.Fatalf("Bytes() error: %v", err)
	}
	return out
}

func TestGoldenFeatures(t *testing.T) {
	checker := image.NewGray(image.Rect(0, 0, 16, 4))
	for y := range 4 {
		for x := range 16 {
			if (x/4+y)%2 == 0 {
				checker.SetGray(x, y, color.Gray{})
			} else {
				checker.SetGray(x, y, color.Gray{Y: 255})
			}
		}
	}
	tests := []struct {
		name string
		f    func(b *Builder)
	}{
		{"init", func(b *Builder) { b.Init() }},
		{"text_pc865", func(b *Builder) { b.Init().Line("Blåbærgrød på Ærø, Øster Åby") }},
		{"text_pc437", func(b *Builder) { b.CodePage(PC437).Line("Øre å") }},
		{"text_unsupported", func(b *Builder) { b.Init().Line("20 € ✓ \x1b@ tab\there") }},
		{"bold", func(b *Builder) { b.Bold(true).Text("fed").Bold(false).Line(" normal") }},
		{"size", func(b *Builder) { b.Size(2, 2).Line("2x2").Size(1, 2).Line("1x2").Size(9, 0).Normal() }},
		{"align", func(b *Builder) { b.Align(Center).Line("c").Align(Right).Line("r").Align(Left).Line("l") }},
		{"feed", func(b *Builder) { b.Line("x").Feed(3).Feed(300) }},
		{"cut_full", func(b *Builder) { b.Cut() }},
		{"cut_partial", func(b *Builder) { b.PartialCut() }},
		{"rule", func(b *Builder) { b.Rule().Size(2, 1).RuleWith('=') }},
		{"paragraph", func(b *Builder) {
			b.Paragraph("Du har givet samtykke til, at Udbetaling Danmark må se dine indkomstoplysninger.")
		}},
		{"left_right", func(b *Builder) {
			b.LeftRight("Dato", "12.03.2026").LeftRight("Myndighed", "Styrelsen for Dataforsyning og Infrastruktur")
		}},
		{"qr_native", func(b *Builder) { b.QR("HTTPS://KIOSK.EXAMPLE/H/ABC123") }},
		{"qr_native_m4_h", func(b *Builder) { b.QRWith("hej", 4, QRLevelH) }},
		{"qr_raster", func(b *Builder) { b.QRRaster("HEJ") }},
		{"image", func(b *Builder) { b.Image(checker) }},
		{"receipt", sampleReceipt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertGolden(t, tt.name, build(t, tt.f))
		})
	}
}

// sampleReceipt is a handover slip as the lead's layouts will write it.
func sampleReceipt(b *Builder) { sampleSlip(b, false) }

// sampleSlip writes the sample slip with its QR code native or as raster.
func sampleSlip(b *Builder, raster bool) {
	qr := b.QR
	if raster {
		qr = b.QRRaster
	}
	b.Init().
		Align(Center).Size(2, 2).Bold(true).Line("Borgerservice").Normal().
		Line("Fuldmagt - overdragelseskode").
		Align(Left).Rule().
		LeftRight("Fuldmagtsgiver", "Jens Ærbødig").
		LeftRight("Fuldmægtig", "Åse Sørensen").
		LeftRight("Gyldig til", "31.12.2026").
		Rule().
		Paragraph("Scan koden med din telefon, eller vis den ved en kiosk, for at tage imod fuldmagten. Koden virker én gang og udløber om 24 timer.").
		LF().
		Align(Center)
	qr(handoverURL).LF().
		Align(Left).Rule().
		LeftRight("Kiosk", "KBH-HOVEDBIBLIOTEK-03").
		LeftRight("Hjulpet af", "Medarbejder 4711").
		Feed(3).PartialCut()
}

// handoverURL stands in for a real handover code: 150 characters of the QR
// alphanumeric set, as a Base45 token in an upper-case URL is.
var handoverURL = func() string {
	s := "HTTPS://BK.EXAMPLE.DK/H/"
	const set = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	for i := 0; len(s) < 150; i++ {
		s += string(set[(i*7+3)%len(set)])
	}
	return s
}()

func TestPC865RoundTrip(t *testing.T) {
	for _, in := range []string{"æøå ÆØÅ", "Blåbærgrød", "Ærø Øster Åby"} {
		enc := Encode(PC865, in)
		got, err := charmap.CodePage865.NewDecoder().Bytes(enc)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != in {
			t.Errorf("decode(Encode(PC865, %q)) = %q; want %q", in, got, in)
		}
	}
	// A decomposed å (a + combining ring) is one character on paper.
	if got, want := Encode(PC865, "a\u030a"), Encode(PC865, "å"); !bytes.Equal(got, want) {
		t.Errorf("Encode(PC865, a+ring) = % x; want % x", got, want)
	}
}

func TestEncodeNeverLeaksControls(t *testing.T) {
	for _, in := range []string{"\x1b@", "\x1dV\x00", "\x10\x04\x01", "\x00\x7f", "€"} {
		got := Encode(PC865, in)
		for _, c := range got {
			if c < 0x20 || c == 0x7f {
				t.Errorf("Encode(PC865, %q) = % x; holds a control byte", in, got)
			}
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in   string
		cols int
		want []string
	}{
		{"", 10, []string{""}},
		{"hej", 10, []string{"hej"}},
		{"en to tre fire", 7, []string{"en to", "tre", "fire"}},
		{"  mange   mellemrum  ", 20, []string{"mange mellemrum"}},
		{"æøå æøå æøå", 7, []string{"æøå æøå", "æøå"}},
		{"HTTPS://EXAMPLE.DK/ABCDEFG", 10, []string{"HTTPS://EX", "AMPLE.DK/A", "BCDEFG"}},
		{"a\n\nb", 5, []string{"a", "", "b"}},
		{"a\r\nb", 5, []string{"a", "b"}},
		{"abc", 0, []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		if got := Wrap(tt.in, tt.cols); !slices.Equal(got, tt.want) {
			t.Errorf("Wrap(%q, %d) = %q; want %q", tt.in, tt.cols, got, tt.want)
		}
	}
}

func TestColumnsFollowWidth(t *testing.T) {
	b := NewBuilder(Config{Columns: 42})
	if got := b.Size(2, 1).Columns(); got != 21 {
		t.Errorf("Columns() at width 2 = %d; want 21", got)
	}
	b = NewBuilder(Config{Columns: 32})
	if got := b.Columns(); got != 32 {
		t.Errorf("Columns() with Config.Columns 32 = %d; want 32", got)
	}
}

func TestBuilderErrors(t *testing.T) {
	tests := []struct {
		name string
		f    func(b *Builder)
		want string
	}{
		{"empty qr", func(b *Builder) { b.QR("") }, "empty QR"},
		{"long qr", func(b *Builder) { b.QR(strings.Repeat("x", 3000)) }, "does not fit"},
		{"huge qr", func(b *Builder) { b.QR(strings.Repeat("1", MaxQRData+1)) }, "too long"},
		{"bad level", func(b *Builder) { b.QRWith("x", 3, 7) }, "level"},
		{"raster empty", func(b *Builder) { b.QRRaster("") }, "empty QR"},
		{"wide image", func(b *Builder) { b.Image(image.NewGray(image.Rect(0, 0, 513, 1))) }, "wider"},
		{"empty image", func(b *Builder) { b.Image(image.NewGray(image.Rect(0, 0, 0, 0))) }, "empty image"},
		{"bad align", func(b *Builder) { b.Align(9) }, "alignment"},
		{"no charmap", func(b *Builder) { b.CodePage(CodePage{}) }, "charmap"},
	}
	for _, tt := range tests {
		b := NewBuilder(Config{})
		tt.f(b)
		b.Line("after the error")
		out, err := b.Bytes()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Bytes() = % x, %v; want error containing %q", tt.name, out, err, tt.want)
		}
	}
}

func TestRasterQRShrinksToFit(t *testing.T) {
	b := NewBuilder(Config{DotsPerLine: 200, QRModuleSize: 8})
	out, err := b.QRRaster(handoverURL).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	// GS v 0 m xL xH: the first band's width in bytes.
	if len(out) < 8 {
		t.Fatalf("QRRaster output of %d bytes", len(out))
	}
	wb := int(out[4]) | int(out[5])<<8
	if wb*8 > 200+7 {
		t.Errorf("QRRaster width = %d bytes; want at most 200 dots", wb)
	}
}
