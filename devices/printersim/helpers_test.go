package printersim

import (
	"image"
	"image/color"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

func checker() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 16, 4))
	for y := range 4 {
		for x := range 16 {
			if (x/4+y)%2 == 1 {
				img.SetGray(x, y, color.Gray{Y: 255})
			}
		}
	}
	return img
}

// zbarimg decodes the QR code in a PNG with zbarimg. Without the tool the
// test is skipped, or fails when CI or BK_REQUIRE_TOOLS is set.
func zbarimg(t *testing.T, path string) string {
	t.Helper()
	bin := testtool.Require(t, "zbarimg")
	out, err := exec.Command(bin, "--nodbus", "--raw", "-q", path).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", path, err)
	}
	return strings.TrimRight(string(out), "\n")
}

// waitPrinted returns the receipts once there are n (or after 30 s, for
// the caller to report): receipts are saved after their status requests
// are answered, as a real printer answers while it prints.
func waitPrinted(sim *Simulator, n int) []Printed {
	deadline := time.Now().Add(30 * time.Second)
	for len(sim.Printed()) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return sim.Printed()
}
