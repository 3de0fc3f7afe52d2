package ui_test

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

var pngDir = flag.String("png", "", "write PNGs of every screen in every mode to this directory, with an index (make screens)")

// shot is one picture make screens takes.
type shot struct {
	size fyne.Size
	lang i18n.Lang
	mode theme.Settings
}

func (s shot) file(screen string) string {
	mode := strings.ReplaceAll(modeName(s.mode), " ", "-")
	return fmt.Sprintf("%s_%s_%s_%.0fx%.0f.png", screen, s.lang, mode, s.size.Width, s.size.Height)
}

// shots are taken of every screen on the 1280×1024 panel; the panels that
// are harder to fit (4:3 and portrait) for the screens with the most on them.
var (
	everyScreen = []shot{
		{panels[0], i18n.Danish, theme.Settings{}},
		{panels[0], i18n.Danish, theme.Settings{LargeText: true}},
		{panels[0], i18n.Danish, theme.Settings{HighContrast: true}},
		{panels[0], i18n.English, theme.Settings{LargeText: true}},
	}
	hardPanels = []shot{
		{panels[2], i18n.English, theme.Settings{LargeText: true}},
		{panels[3], i18n.Danish, theme.Settings{LargeText: true}},
	}
	hardScreens = map[string]bool{"welcome": true, "pin": true, "home": true, "consents": true, "create_scopes": true, "handover_qr": true, "reminders": true, "renew_review": true}
)

// TestRenderPNG draws every screen with the real theme and fonts (Fyne's
// test driver) so a reviewer can look instead of read: make screens writes
// them to docs/screens with an index page. It runs only with -png DIR.
func TestRenderPNG(t *testing.T) {
	if *pngDir == "" {
		t.Skip("run with -png DIR (make screens) to write PNGs of the screens")
	}
	if err := os.MkdirAll(*pngDir, 0o755); err != nil {
		t.Fatal(err)
	}
	index := map[string][]string{}
	var order []string
	for _, v := range visits {
		shots := everyScreen
		if hardScreens[v.screen] {
			shots = append(append([]shot{}, everyScreen...), hardPanels...)
		}
		order = append(order, v.screen)
		h := goTo(t, v, i18n.Danish, theme.Settings{})
		for _, s := range shots {
			h.w.Resize(panels[2])
			h.setLang(s.lang)
			h.setMode(s.mode)
			h.w.Resize(s.size)
			file := s.file(v.screen)
			writePNG(t, filepath.Join(*pngDir, file), h.w.Canvas().Capture())
			index[v.screen] = append(index[v.screen], file)
		}
	}
	writeIndex(t, *pngDir, order, index)
}

// writePNG saves img with a palette of its own most used colours: the
// screens are flat colours and anti-aliased text, so this looks the same
// and keeps docs/screens small.
func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, paletted(img)); err != nil {
		t.Fatal(err)
	}
}

// paletted maps img onto its 256 most frequent colours (nearest match for
// the rest).
func paletted(img image.Image) *image.Paletted {
	b := img.Bounds()
	count := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cols := make([]color.RGBA, 0, len(count))
	for c := range count {
		cols = append(cols, c)
	}
	sort.Slice(cols, func(i, j int) bool {
		if count[cols[i]] != count[cols[j]] {
			return count[cols[i]] > count[cols[j]]
		}
		return fmt.Sprint(cols[i]) < fmt.Sprint(cols[j])
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range cols[:min(len(cols), 256)] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(b, pal)
	near := map[color.RGBA]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := near[c]
			if !ok {
				i = uint8(pal.Index(c))
				near[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	return out
}

func writeIndex(t *testing.T, dir string, order []string, index map[string][]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# The kiosk's screens\n\n")
	b.WriteString("Every screen in every display mode, drawn by `make screens` with Fyne's test driver, the kiosk's own\n")
	b.WriteString("theme and fonts (regenerate them after changing a screen). Each screen is shown on the 1280×1024 panel in\n")
	b.WriteString("Danish (normal, large text, high contrast) and English with large text; the fullest screens also on a\n")
	b.WriteString("1024×768 panel (English, large text) and a portrait 1080×1920 panel (Danish, large text).\n")
	b.WriteString("`TestEveryScreenFits` checks every screen at four panel sizes, three modes and both languages.\n\n")
	for _, s := range order {
		fmt.Fprintf(&b, "## %s\n\n", s)
		for _, f := range index[s] {
			fmt.Fprintf(&b, "[%s](%s)  \n", strings.TrimSuffix(strings.TrimPrefix(f, s+"_"), ".png"), f)
		}
		fmt.Fprintf(&b, "\n<img src=\"%s\" width=\"480\" alt=\"%s\">\n\n", index[s][0], s)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
