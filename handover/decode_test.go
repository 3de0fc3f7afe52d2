package handover

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/qr"
)

// Degraded images of the handover QR code, as a phone or the kiosk's
// scanner sees them, decoded by zbarimg. The slip is printed at 203 dpi on
// 512 dots (escpos defaults); the screen shows the code 360 points wide
// (ui/delegations.go qrImage).

// slipDPI is the thermal printer's resolution and slipDots its width;
// moduleDots is the printer's QR module size (escpos.Config.QRModuleSize's
// default), which the slip layout shrinks for a code too wide for it.
const (
	slipDPI    = 203
	slipDots   = 512
	moduleDots = 7
	screenSize = 360
)

// qrGray renders content as a QR code at level Q with px pixels per module
// (fractional: the screen scales the code), quiet zone included.
func qrGray(t *testing.T, content string, px float64) *image.Gray {
	t.Helper()
	q, err := qr.New(content, qr.Default)
	if err != nil {
		t.Fatal(err)
	}
	bm := q.Modules
	n := len(bm)
	size := int(math.Round(float64(n) * px))
	img := image.NewGray(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			v := uint8(255)
			if bm[min(int(float64(y)/px), n-1)][min(int(float64(x)/px), n-1)] {
				v = 0
			}
			img.SetGray(x, y, color.Gray{v})
		}
	}
	return img
}

// at reads img at (x, y) with bilinear interpolation; outside is paper white.
func at(img *image.Gray, x, y float64) float64 {
	b := img.Bounds()
	get := func(x, y int) float64 {
		if x < b.Min.X || y < b.Min.Y || x >= b.Max.X || y >= b.Max.Y {
			return 255
		}
		return float64(img.GrayAt(x, y).Y)
	}
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	ix, iy := int(x0), int(y0)
	return get(ix, iy)*(1-fx)*(1-fy) + get(ix+1, iy)*fx*(1-fy) + get(ix, iy+1)*(1-fx)*fy + get(ix+1, iy+1)*fx*fy
}

// transform maps every output pixel back to img through f, on a canvas
// margin pixels wider on each side.
func transform(img *image.Gray, scale float64, margin int, f func(x, y float64) (float64, float64)) *image.Gray {
	w := int(float64(img.Bounds().Dx())*scale) + 2*margin
	out := image.NewGray(image.Rect(0, 0, w, w))
	for y := range w {
		for x := range w {
			sx, sy := f(float64(x-margin), float64(y-margin))
			out.SetGray(x, y, color.Gray{uint8(math.Round(at(img, sx/scale, sy/scale)))})
		}
	}
	return out
}

// resample scales img by s (a lower resolution when s < 1).
func resample(img *image.Gray, s float64) *image.Gray {
	return transform(img, s, 0, func(x, y float64) (float64, float64) { return x, y })
}

// rotate turns img by deg degrees about its centre, on white.
func rotate(img *image.Gray, deg float64) *image.Gray {
	c := float64(img.Bounds().Dx()) / 2
	m := int(c * 0.45)
	sin, cos := math.Sincos(deg * math.Pi / 180)
	return transform(img, 1, m, func(x, y float64) (float64, float64) {
		dx, dy := x-c, y-c
		return c + dx*cos + dy*sin, c - dx*sin + dy*cos
	})
}

// blur is a box blur of radius r, run three times (close to a Gaussian).
func blur(img *image.Gray, r int) *image.Gray {
	for range 3 {
		img = boxPass(boxPass(img, r, true), r, false)
	}
	return img
}

func boxPass(img *image.Gray, r int, horizontal bool) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			sum, n := 0, 0
			for d := -r; d <= r; d++ {
				px, py := x+d, y
				if !horizontal {
					px, py = x, y+d
				}
				if image.Pt(px, py).In(b) {
					sum += int(img.GrayAt(px, py).Y)
					n++
				}
			}
			out.SetGray(x, y, color.Gray{uint8(sum / n)})
		}
	}
	return out
}

// contrast maps black to lo and white to hi: faded thermal paper, glare.
func contrast(img *image.Gray, lo, hi float64) *image.Gray {
	out := image.NewGray(img.Bounds())
	for i, v := range img.Pix {
		out.Pix[i] = uint8(lo + (hi-lo)*float64(v)/255)
	}
	return out
}

// crease folds the slip across the code: a pale band where the paper
// cracked, and one half shifted by shift pixels where it did not lie flat.
func crease(img *image.Gray, band, shift int) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(b)
	mid := b.Dy() / 2
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			line := y - mid + (x-b.Dx()/2)/4 // slightly slanted
			v := img.GrayAt(x, y).Y
			switch {
			case line >= 0 && line < band:
				v = uint8(min(255, int(v)+170))
			case line >= band:
				if sx := x - shift; sx >= 0 {
					v = img.GrayAt(sx, y-shift/2).Y
				} else {
					v = 255
				}
			}
			out.SetGray(x, y, color.Gray{v})
		}
	}
	return out
}

// degradation is one way a code can be seen badly.
type degradation struct {
	name string
	must bool // a slip or screen in this state must be read: the test fails if not
	f    func(*testing.T, string) *image.Gray
}

// degradations are the cases of the decode-rate test: the printed slip
// (203 dpi, 6 dots a module) and the screen (360 points wide).
func degradations() []degradation {
	// The printer's width is 512 dots; a code prints with 7-dot modules,
	// fewer if it would not fit (6 for version 13), so a smaller code
	// prints larger.
	slip := func(t *testing.T, c string) *image.Gray {
		q, _ := qr.New(c, qr.Default)
		return qrGray(t, c, float64(min(moduleDots, slipDots/len(q.Modules))))
	}
	screen := func(t *testing.T, c string) *image.Gray {
		q, _ := qr.New(c, qr.Default)
		return qrGray(t, c, float64(screenSize)/float64(len(q.Modules)))
	}
	at150 := 150.0 / slipDPI
	var out []degradation
	add := func(name string, f func(*testing.T, string) *image.Gray) {
		out = append(out, degradation{name, false, f})
	}
	must := func(name string, f func(*testing.T, string) *image.Gray) {
		out = append(out, degradation{name, true, f})
	}
	must("slip clean", slip)
	must("slip 150 dpi", func(t *testing.T, c string) *image.Gray { return resample(slip(t, c), at150) })
	for _, r := range []int{2, 3} {
		add(fmt.Sprintf("slip blur %d", r), func(t *testing.T, c string) *image.Gray { return blur(slip(t, c), r) })
	}
	for _, d := range []float64{7, 30} {
		must(fmt.Sprintf("slip rotated %g°", d), func(t *testing.T, c string) *image.Gray { return rotate(slip(t, c), d) })
	}
	must("slip low contrast", func(t *testing.T, c string) *image.Gray { return contrast(blur(slip(t, c), 1), 120, 210) })
	must("slip crease", func(t *testing.T, c string) *image.Gray { return crease(slip(t, c), 5, 3) })
	for _, s := range []float64{0.6, 0.55, 0.5} {
		add(fmt.Sprintf("slip 150 dpi, blurred, far (×%.2f)", s), func(t *testing.T, c string) *image.Gray {
			return blur(resample(resample(slip(t, c), at150), s/at150), 1)
		})
	}
	add("slip 150 dpi, rotated 12°, low contrast, crease", func(t *testing.T, c string) *image.Gray {
		return contrast(rotate(crease(resample(slip(t, c), at150), 4, 2), 12), 90, 220)
	})
	must("screen clean", screen)
	for _, s := range []float64{0.8, 0.7, 0.65, 0.6} {
		add(fmt.Sprintf("screen photo ×%.2f with glare", s), func(t *testing.T, c string) *image.Gray {
			return contrast(blur(resample(screen(t, c), s), 1), 60, 230)
		})
	}
	add("screen photo rotated 20°, blurred", func(t *testing.T, c string) *image.Gray {
		return blur(rotate(resample(screen(t, c), 0.8), 20), 1)
	})
	return out
}

// decodes reports whether zbarimg reads want from img.
func decodes(t *testing.T, zbar string, img *image.Gray, want string) bool {
	t.Helper()
	file := filepath.Join(t.TempDir(), "qr.png")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, _ := exec.Command(zbar, "--nodbus", "--raw", "-q", file).Output() // exit 4: nothing found
	return strings.TrimRight(string(out), "\n") == want
}

// TestDecodeRate reads degraded images of the slip's and the screen's QR
// code with zbarimg, for the same delegation's code in format BK1 and in
// the compact BK2. Run with -v for the table in docs/benchmarks.md.
func TestDecodeRate(t *testing.T) {
	zbar := needTool(t, "zbarimg")
	c := typicalClaims()
	c.TokenID = []byte("slip0001") // a fixed code, so the table is the same every run
	today, err := URL(testBase, mustIssue(t, c))
	if err != nil {
		t.Fatal(err)
	}
	compact, err := IssueCompact(c, delegateCPR, testKID, testKey)
	if err != nil {
		t.Fatal(err)
	}
	compactURL, _ := URL(testBase, compact)
	codes := []struct{ name, url string }{{"BK1", today}, {"BK2 (compact)", compactURL}}
	var rows []string
	ok := make([]int, len(codes))
	cases := degradations()
	for _, d := range cases {
		row := "| " + d.name + " |"
		for i, c := range codes {
			hit := decodes(t, zbar, d.f(t, c.url), c.url)
			if hit {
				ok[i]++
				row += " yes |"
			} else {
				row += " no |"
			}
			if !hit && d.must {
				t.Errorf("%s code: zbarimg cannot read the %s", c.name, d.name)
			}
		}
		rows = append(rows, row)
	}
	head := "| image |"
	sum := "| decoded |"
	for i, c := range codes {
		v := qrVersion(t, c.url)
		head += fmt.Sprintf(" %s (%d chars, version %d-Q) |", c.name, len(c.url), v)
		sum += fmt.Sprintf(" %d of %d |", ok[i], len(cases))
	}
	t.Logf("decode rate:\n%s\n%s\n%s\n%s", head, strings.Repeat("|---", len(codes)+1)+"|", strings.Join(rows, "\n"), sum)
}
