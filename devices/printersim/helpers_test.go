package printersim

import (
	"image"
	"image/color"
	"os/exec"
	"strings"
	"testing"

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
