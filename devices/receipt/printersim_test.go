package receipt

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
	"github.com/borgerkiosk/borgerkiosk/devices/printersim"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// decodeOne decodes a job with the printer simulator and checks it is one
// cleanly decoded receipt ending in a cut.
func decodeOne(t *testing.T, job []byte) *printersim.Receipt {
	t.Helper()
	rs, err := printersim.Decode(bytes.NewReader(job))
	if err != nil {
		t.Fatalf("printersim.Decode: %v", err)
	}
	if len(rs) != 1 {
		t.Fatalf("decoded %d receipts; want 1", len(rs))
	}
	r := rs[0]
	if len(r.Errors) > 0 {
		t.Errorf("decode errors: %v", r.Errors)
	}
	if r.Cut == printersim.NoCut {
		t.Errorf("receipt does not end in a cut")
	}
	return r
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestGoldenPrintsAsRead decodes every golden job as a printer would and
// checks the paper holds the key lines with æøå intact, and everything the
// read-aloud text says (so the two renderings cannot drift apart).
func TestGoldenPrintsAsRead(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			job, err := os.ReadFile(filepath.Join("testdata", tc.name+".escpos"))
			if err != nil {
				t.Fatalf("golden job: %v (run go test -update)", err)
			}
			r := decodeOne(t, job)
			paper := printersim.Text(r, escpos.DefaultColumns)
			flat := collapse(paper)
			for _, w := range tc.want {
				// "Label: value" in the text is a padded line on paper.
				for _, part := range strings.Split(w, ": ") {
					if !strings.Contains(flat, collapse(part)) {
						t.Errorf("printed receipt lacks %q; paper:\n%s", part, paper)
					}
				}
			}
			d, err := tc.layout(tc.r)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range d.lines {
				var parts []string
				switch l.kind {
				case kRule, kBlank:
				case kQR:
					found := false
					for _, b := range r.Blocks {
						if b.Kind == printersim.QRBlock && string(b.QR.Data) == l.value && b.QR.LevelName() == "Q" {
							found = true
						}
					}
					if !found {
						t.Errorf("no native QR code at level Q with the handover URL")
					}
				case kField:
					parts = []string{l.text, l.value}
				default:
					parts = []string{l.text}
				}
				for _, p := range parts {
					if want := collapse(printable.Replace(p)); !strings.Contains(flat, want) {
						t.Errorf("paper lacks %q, which the text reads aloud; paper:\n%s", want, paper)
					}
				}
			}
			if strings.Contains(paper, "?") && !strings.Contains(d.Text(), "?") {
				t.Errorf("a character did not survive the code page ('?' on paper):\n%s", paper)
			}
		})
	}
}

// TestHandoverQRScans renders the handover slip, native and raster, as the
// simulator would print it and reads the code back with zbarimg.
func TestHandoverQRScans(t *testing.T) {
	zbar := testtool.Require(t, "zbarimg")
	var slip Receipt
	for _, tc := range cases() {
		if tc.name == "handover_da" {
			slip = tc.r
		}
	}
	for _, p := range []Printer{{}, {RasterQR: true}} {
		job, err := HandoverSlip(slip, p)
		if err != nil {
			t.Fatal(err)
		}
		r := decodeOne(t, job)
		path := filepath.Join(t.TempDir(), "slip.png")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := printersim.RenderPNG(f, r, escpos.DefaultColumns); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbar, "--nodbus", "--raw", "-q", path).Output()
		if err != nil {
			t.Fatalf("zbarimg (raster %v): %v", p.RasterQR, err)
		}
		if got := strings.TrimRight(string(out), "\n"); got != handoverURL {
			t.Errorf("QR (raster %v) decodes to %q; want the handover URL", p.RasterQR, got)
		}
	}
}
