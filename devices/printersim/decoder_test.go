package printersim

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/qr"

	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden and the fuzz seed corpus")

// assertGolden compares got with testdata/name; on a mismatch the actual
// goes to testdata/failed/name, and -update rewrites the golden file.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	failed := filepath.Join("testdata", "failed", name)
	if err := os.MkdirAll(filepath.Dir(failed), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(failed, got, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Errorf("%s differs from %s; actual written to %s\ngot:\n%s", name, path, failed, got)
}

const handoverURL = "HTTPS://BK.EXAMPLE.DK/H/6FC:K7VTZ8B5G$P+1N3QW/YA*XJ.E0MU2H-S4RLD9I%O 6FC:K7VTZ8B5G$P+1N3QW/YA*XJ.E0MU2H-S4RLD9I%O 6FC:K7VTZ8B5G$P+1N3QW/YA*XJ.E0MU2H"

// slip builds the kind of receipt the kiosk prints, with a native or a
// raster QR code.
func slip(t testing.TB, raster bool) []byte {
	t.Helper()
	b := escpos.NewBuilder(escpos.Config{})
	b.Init().
		Align(escpos.Center).Size(2, 2).Bold(true).Line("Borgerservice").Normal().
		Line("Fuldmagt - overdragelseskode").
		Align(escpos.Left).Rule().
		LeftRight("Fuldmagtsgiver", "Jens Ærbødig").
		LeftRight("Fuldmægtig", "Åse Sørensen").
		Rule().
		Paragraph("Scan koden med din telefon for at tage imod fuldmagten. Koden virker én gang.").
		LF().Align(escpos.Center)
	if raster {
		b.QRRaster(handoverURL)
	} else {
		b.QR(handoverURL)
	}
	b.LF().Align(escpos.Left).Line("æøå ÆØÅ").Feed(3).PartialCut()
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecodeSlip(t *testing.T) {
	for _, raster := range []bool{false, true} {
		name := map[bool]string{false: "slip_native", true: "slip_raster"}[raster]
		t.Run(name, func(t *testing.T) {
			rs, err := Decode(bytes.NewReader(slip(t, raster)))
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 {
				t.Fatalf("Decode() = %d receipts; want 1", len(rs))
			}
			r := rs[0]
			if len(r.Errors) > 0 {
				t.Errorf("decode errors: %q", r.Errors)
			}
			assertGolden(t, name+".dump.golden", []byte(Dump(r)))
			assertGolden(t, name+".txt.golden", []byte(Text(r, 42)))
			if !strings.Contains(Text(r, 42), "æøå ÆØÅ") {
				t.Errorf("Text() lacks æøå ÆØÅ:\n%s", Text(r, 42))
			}
		})
	}
}

// The raster the encoder sends is the QR code skip2 draws, dot for dot.
func TestDecodeRasterQR(t *testing.T) {
	rs, err := Decode(bytes.NewReader(slip(t, true)))
	if err != nil {
		t.Fatal(err)
	}
	var ras *Raster
	for _, bl := range rs[0].Blocks {
		if bl.Kind == RasterBlock {
			if ras != nil {
				t.Fatal("bands were not merged into one image")
			}
			ras = bl.Raster
		}
	}
	if ras == nil {
		t.Fatal("no raster image decoded")
	}
	q, err := qr.New(handoverURL, qr.Q)
	if err != nil {
		t.Fatal(err)
	}
	bm := q.Modules
	m := ras.Height / len(bm)
	if m*len(bm) != ras.Height {
		t.Fatalf("raster height %d is not a multiple of %d modules", ras.Height, len(bm))
	}
	for y := range ras.Height {
		for x := range len(bm) * m {
			if got, want := ras.Black(x, y), bm[y/m][x/m]; got != want {
				t.Fatalf("raster dot (%d,%d) = %t; want %t", x, y, got, want)
			}
		}
	}
}

func TestDecodeCodePages(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{append([]byte{0x1b, 't', 5}, escpos.Encode(escpos.PC865, "æøå ÆØÅ\n")...), "æøå ÆØÅ"},
		{append([]byte{0x1b, 't', 0}, escpos.Encode(escpos.PC437, "æ å Æ Å Ø\n")...), "æ å Æ Å ?"},
		{[]byte{0x9b, '\n'}, "¢"},                          // PC437 by default: 0x9B is ¢, ø in PC865
		{[]byte{0x1b, 't', 5, 0x1b, '@', 0x9b, '\n'}, "¢"}, // ESC @ restores PC437
	}
	for _, tt := range tests {
		rs, err := Decode(bytes.NewReader(tt.in))
		if err != nil || len(rs) != 1 {
			t.Fatalf("Decode(% x) = %d receipts, %v", tt.in, len(rs), err)
		}
		if got := rs[0].Blocks[0].Text(); got != tt.want {
			t.Errorf("Decode(% x) text = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeAttributes(t *testing.T) {
	b := escpos.NewBuilder(escpos.Config{Columns: 20})
	b.Init().Text("a").Bold(true).Text("b").Bold(false).Size(3, 2).Text("c").Normal().LF().
		Raw([]byte{0x1b, '!', 0x38}).Line("x").Raw([]byte{0x1b, '-', 1}).Line("u").Raw([]byte{0x1b, '-', 0}).
		Align(escpos.Right).Line("r").Feed(2).Cut().Line("next")
	job, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Decode(bytes.NewReader(job))
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, r := range rs {
		got.WriteString(Dump(r))
	}
	want := "L| a**b**[3x2]c[/]\nL| [2x2]**x**[/]\nL| [2x2]**_u_**[/]\nR| [2x2]**r**[/]\nR| \nR| \nCUT full\nR| [2x2]**next**[/]\nCUT none\n"
	if got.String() != want {
		t.Errorf("Dump(Decode(job)) =\n%s\nwant\n%s", got.String(), want)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"unknown ESC", []byte{0x1b, 0xff, 'a', '\n'}, "unknown command ESC 0xff"},
		{"unknown GS", []byte{0x1d, 0x01, '\n'}, "unknown command GS 0x01"},
		{"truncated ESC", []byte{0x1b}, "truncated ESC"},
		{"truncated ESC t", []byte{0x1b, 't'}, "truncated ESC 't'"},
		{"unknown code page", []byte{0x1b, 't', 99, '\n'}, "code page not supported"},
		{"truncated raster", []byte{0x1d, 'v', '0', 0, 1, 0, 4, 0, 0xff}, "truncated GS v 0"},
		{"huge raster", []byte{0x1d, 'v', '0', 0, 0xff, 0xff, 0xff, 0xff}, "bad parameters"},
		{"truncated QR", []byte{0x1d, '(', 'k', 10, 0, 49, 80, 48, 'a'}, "truncated GS ( k"},
		{"QR without data", []byte{0x1d, '(', 'k', 3, 0, 49, 81, 48}, "no stored data"},
		{"QR bad module", []byte{0x1d, '(', 'k', 3, 0, 49, 67, 40}, "module size 40"},
		{"PDF417", []byte{0x1d, '(', 'k', 3, 0, 48, 65, 0, 'x', '\n'}, "cn=48 not supported"},
		{"cut mid-line", []byte{'a', 0x1d, 'V', 0}, "cut in the middle of a line"},
		{"bad cut", []byte{0x1d, 'V', 7}, "unknown cut"},
		{"control byte", []byte{0x07, '\n'}, "unexpected control byte 0x07"},
		{"bad DLE", []byte{0x10, 0x04, 9}, "DLE 0x04 9"},
		{"barcode", []byte{0x1d, 'k', 4, 'A', 'B', 0, '\n'}, "barcodes are not supported"},
	}
	for _, tt := range tests {
		rs, err := Decode(bytes.NewReader(tt.in))
		if err != nil {
			t.Errorf("%s: Decode error %v; want errors on the receipt", tt.name, err)
			continue
		}
		var all []string
		for _, r := range rs {
			all = append(all, r.Errors...)
		}
		if !strings.Contains(strings.Join(all, "\n"), tt.want) {
			t.Errorf("%s: Decode(% x) errors = %q; want one containing %q", tt.name, tt.in, all, tt.want)
		}
	}
}

// Decoding continues after an error: text after a bad command still prints.
func TestDecodeContinuesAfterErrors(t *testing.T) {
	in := []byte{0x1b, 0xfe, 0x1d, 'v', '0', 0, 0xff, 0xff, 0xff, 0xff}
	in = append(in, "efter\n"...)
	rs, _ := Decode(bytes.NewReader(in))
	if len(rs) != 1 {
		t.Fatalf("Decode() = %d receipts; want 1", len(rs))
	}
	// The huge raster swallows what follows, as a printer would.
	if len(rs[0].Errors) < 2 {
		t.Errorf("errors = %q; want the unknown command and the bad raster", rs[0].Errors)
	}
	in = append([]byte{0x1b, 0xfe}, "efter\n"...)
	rs, _ = Decode(bytes.NewReader(in))
	if got := Text(rs[0], 42); !strings.Contains(got, "fter") {
		t.Errorf("Text after an unknown command = %q; want the text kept", got)
	}
}

func TestStatusRequestsInStream(t *testing.T) {
	var got []byte
	d := NewDecoder(bytes.NewReader([]byte("a\x10\x04\x01b\n\x10\x04\x04")))
	d.OnStatus = func(n byte) { got = append(got, n) }
	r, err := d.Next()
	if err != nil || r == nil {
		t.Fatalf("Next() = %v, %v", r, err)
	}
	if !bytes.Equal(got, []byte{1, 4}) {
		t.Errorf("status requests = %v; want [1 4]", got)
	}
	if r.Blocks[0].Text() != "ab" {
		t.Errorf("text = %q; want %q", r.Blocks[0].Text(), "ab")
	}
}

// fuzzSeeds are written to testdata/fuzz/FuzzDecode with -update.
func fuzzSeeds(t testing.TB) map[string][]byte {
	b := escpos.NewBuilder(escpos.Config{})
	small, _ := b.Init().Bold(true).Size(2, 2).Align(escpos.Center).Line("æøå").Rule().QR("HEJ").Image(checker()).Feed(2).Cut().Bytes()
	return map[string][]byte{
		"slip_native": slip(t, false),
		"slip_raster": slip(t, true)[:600],
		"small":       small,
		"status":      []byte("\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"),
		"truncated":   []byte{0x1d, '(', 'k', 0xff, 0x00, 49},
	}
}

func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	for name, data := range fuzzSeeds(t) {
		path := filepath.Join(dir, name)
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("fuzz seed %s missing (run go test -update): %v", path, err)
		}
	}
}

// FuzzDecode checks that no input makes the decoder or the text renderers
// panic. Rendering PNGs is left out: it is slow enough to starve the
// fuzzer; TestRenderCorpus renders the corpus instead.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("hej\n\x1dV\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Decode() error %v on a bytes.Reader", err)
		}
		for _, r := range rs {
			_ = Dump(r)
			_ = Text(r, 42)
		}
	})
}
