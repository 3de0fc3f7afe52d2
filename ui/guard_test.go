package ui_test

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// TestHandoverQRScans decodes the QR image on the screen with zbarimg, a
// decoder nobody here wrote.
func TestHandoverQRScans(t *testing.T) {
	zbar := testtool.Require(t, "zbarimg")
	for _, v := range visits {
		if v.screen != "handover_qr" {
			continue
		}
		h := goTo(t, v, i18n.Danish, theme.Settings{HighContrast: true})
		path := filepath.Join(t.TempDir(), "screen.png")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, h.w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := exec.Command(zbar, "--nodbus", "--raw", "-q", path).Output()
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		if got, want := strings.TrimSpace(string(out)), handoverCode(h); got != want {
			t.Errorf("QR on screen decodes to %q; want %q", got, want)
		}
	}
}
