package printersim

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestRenderPNGDecodesWithZbar(t *testing.T) {
	for _, raster := range []bool{false, true} {
		rs, err := Decode(bytes.NewReader(slip(t, raster)))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := RenderPNG(&buf, rs[0], 42); err != nil {
			t.Fatalf("RenderPNG() = %v", err)
		}
		path := filepath.Join(t.TempDir(), "r.png")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := zbarimg(t, path); got != handoverURL {
			t.Errorf("zbarimg(RenderPNG(slip raster=%t)) = %q; want %q", raster, got, handoverURL)
		}
	}
}

func TestRenderSizes(t *testing.T) {
	rs, err := Decode(bytes.NewReader(slip(t, false)))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Render(rs[0], 42)
	if err != nil {
		t.Fatal(err)
	}
	// 42 columns of 12 dots plus margins; a native QR of 57 modules at 6
	// dots is narrower than the text.
	if got, want := img.Rect.Dx(), 42*12+2*24; got != want {
		t.Errorf("Render() width = %d; want %d", got, want)
	}
	if img.Rect.Dy() < 57*6 {
		t.Errorf("Render() height = %d; want room for the QR code", img.Rect.Dy())
	}
	// A receipt with nothing but errors still renders them.
	if _, err := Render(&Receipt{Errors: []string{"unknown command ESC 0xff"}}, 42); err != nil {
		t.Errorf("Render(errors only) = %v", err)
	}
}

func TestRenderTooLong(t *testing.T) {
	r := &Receipt{}
	for range 3000 {
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Spans: []Span{{Text: "x", Width: 1, Height: 8}}})
	}
	if _, err := Render(r, 42); err != ErrTooLong {
		t.Errorf("Render(very long) = %v; want %v", err, ErrTooLong)
	}
}

// TestRenderCorpus renders every fuzz seed, so that what the fuzzer found
// once keeps rendering without error.
func TestRenderCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fuzz corpus: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data, err := parseCorpusFile(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		rs, err := Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: Decode() = %v", f, err)
		}
		for _, r := range rs {
			if _, err := Render(r, 42); err != nil && err != ErrTooLong {
				t.Errorf("%s: Render() = %v", f, err)
			}
		}
	}
}

// parseCorpusFile reads the one []byte value of a "go test fuzz v1" file.
func parseCorpusFile(raw []byte) ([]byte, error) {
	s := strings.TrimSpace(string(raw))
	s, ok := strings.CutPrefix(s, "go test fuzz v1\n")
	if !ok {
		return nil, fmt.Errorf("not a fuzz corpus file")
	}
	s, ok = strings.CutPrefix(s, "[]byte(")
	if !ok || !strings.HasSuffix(s, ")") {
		return nil, fmt.Errorf("not a []byte value")
	}
	v, err := strconv.Unquote(strings.TrimSuffix(s, ")"))
	return []byte(v), err
}
