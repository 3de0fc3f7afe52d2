package ui_test

import (
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

var shotsDir = flag.String("shots", "", "write PNGs of the PIN, idle-warning and take-your-card screens to this directory")

// capture writes the window as dir/name.png at 1280×1024.
func capture(t *testing.T, h *harness, dir, name string) {
	t.Helper()
	h.w.Resize(fyne.NewSize(1280, 1024))
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, h.w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

// TestShotsOfControls draws the screens built for touch and sight: the PIN
// pad (normal, large text, after a wrong PIN), the idle warning and the
// take-your-card reminder. It runs only with -shots DIR.
func TestShotsOfControls(t *testing.T) {
	if *shotsDir == "" {
		t.Skip("run with -shots DIR to write PNGs")
	}
	for _, tc := range []struct {
		name string
		s    theme.Settings
		lang i18n.Lang
		do   func(h *harness)
	}{
		{"pin", theme.Settings{}, i18n.Danish, func(h *harness) { h.tapKey("1"); h.tapKey("2") }},
		{"pin_large", theme.Settings{LargeText: true}, i18n.Danish, func(h *harness) { h.tapKey("1"); h.tapKey("2") }},
		{"pin_wrong_large_en", theme.Settings{LargeText: true}, i18n.English, func(h *harness) { h.typePIN("9999") }},
		{"pin_contrast_large", theme.Settings{HighContrast: true, LargeText: true}, i18n.Danish, func(h *harness) { h.tapKey("1") }},
	} {
		h := goTo(t, visitTo(t, "pin"), tc.lang, tc.s)
		tc.do(h)
		capture(t, h, *shotsDir, tc.name)
	}
	for _, s := range []theme.Settings{{}, {LargeText: true}, {HighContrast: true, LargeText: true}} {
		h := goTo(t, visitTo(t, "home"), i18n.Danish, s)
		h.clock.Advance(testConfig().IdleWarning + 3*time.Second)
		capture(t, h, *shotsDir, "idle_warning"+suffix(s))
		h.clock.Advance(testConfig().IdleCountdown)
		capture(t, h, *shotsDir, "take_card"+suffix(s))
	}
}

func suffix(s theme.Settings) string {
	out := ""
	if s.HighContrast {
		out += "_contrast"
	}
	if s.LargeText {
		out += "_large"
	}
	return out
}
