package ui_test

import (
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

var pngDir = flag.String("png", "", "write PNGs of the main screens at 1280×1024 to this directory, to look at")

// TestRenderPNG draws the main screens as the kiosk's 1280×1024 panel
// shows them, in the normal mode and in high contrast with large text, so
// a person can look for overlaps. It runs only with -png DIR.
func TestRenderPNG(t *testing.T) {
	if *pngDir == "" {
		t.Skip("run with -png DIR to write PNGs of the screens")
	}
	for _, name := range []string{"welcome", "pin", "home", "consents", "result", "staff_home"} {
		for _, s := range []theme.Settings{{}, {HighContrast: true, LargeText: true}} {
			for _, v := range visits {
				if v.screen != name {
					continue
				}
				h := goTo(t, v, i18n.Danish, s)
				h.w.Resize(fyne.NewSize(1280, 1024))
				suffix := ""
				if s.LargeText {
					suffix = "_contrast_large"
				}
				f, err := os.Create(filepath.Join(*pngDir, name+suffix+".png"))
				if err != nil {
					t.Fatal(err)
				}
				if err := png.Encode(f, h.w.Canvas().Capture()); err != nil {
					t.Fatal(err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
