package theme

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// AllSettings is every combination of the switches.
var allSettings = []Settings{{}, {HighContrast: true}, {LargeText: true}, {HighContrast: true, LargeText: true}}

func name(s Settings) string { return fmt.Sprintf("hc=%t,large=%t", s.HighContrast, s.LargeText) }

func hex(c color.Color) string {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return fmt.Sprintf("#%02X%02X%02X", n.R, n.G, n.B)
}

func TestContrastKnownValues(t *testing.T) {
	for _, tc := range []struct {
		a, b color.Color
		want float64
	}{
		{rgb(0x000000), rgb(0xFFFFFF), 21},
		{rgb(0xFFFFFF), rgb(0xFFFFFF), 1},
		{rgb(0x777777), rgb(0xFFFFFF), 4.48}, // the classic just-failing grey
		{rgb(0x595959), rgb(0xFFFFFF), 7.0},
	} {
		if got := Contrast(tc.a, tc.b); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("Contrast(%s, %s) = %.3f; want %.2f", hex(tc.a), hex(tc.b), got, tc.want)
		}
	}
}

func TestTextPairsContrast(t *testing.T) {
	for _, s := range allSettings {
		checkPairs(t, name(s)+" text", TextPairs(s), 20, MinContrast(s))
	}
}

// TestControlContrast: every control's outline or fill stands out 3:1
// from what it is drawn on (WCAG 1.4.11), in every mode.
func TestControlContrast(t *testing.T) {
	for _, s := range allSettings {
		checkPairs(t, name(s)+" control", ControlPairs(s), 15, MinControlContrast)
	}
}

// checkPairs fails for every pair below want, and for fewer than least
// pairs (a list that lost its entries would pass unseen).
func checkPairs(t *testing.T, what string, pairs []Pair, least int, want float64) {
	t.Helper()
	if len(pairs) < least {
		t.Fatalf("%s: %d pairs; want at least %d", what, len(pairs), least)
	}
	lowest, lowestName := 21.0, ""
	for _, p := range pairs {
		got := Contrast(p.Foreground, p.Background)
		if got < lowest {
			lowest, lowestName = got, p.Name
		}
		if got < want {
			t.Errorf("%s %s: contrast(%s, %s) = %.2f; want ≥ %.1f", what, p.Name, hex(p.Foreground), hex(p.Background), got, want)
		}
	}
	t.Logf("%s: %d pairs, lowest contrast %.2f (%s)", what, len(pairs), lowest, lowestName)
}

// TestSecondaryButtonsAreOutlined: a secondary button's fill is too close
// to the page to show where it is (about 1.2:1 normally, 1.4:1 in high
// contrast), so TouchTarget, TallButton and SquareButton draw the input
// border over its edge, and PrimaryButton relies on its fill.
func TestSecondaryButtonsAreOutlined(t *testing.T) {
	app := test.NewTempApp(t)
	for _, s := range allSettings {
		th := New(s)
		app.Settings().SetTheme(th)
		bg := th.Color(fynetheme.ColorNameBackground, fynetheme.VariantLight)
		t.Logf("%s: the button fill alone is %.2f:1 on the page", name(s), Contrast(th.Color(fynetheme.ColorNameButton, fynetheme.VariantLight), bg))
		for name2, c := range map[string]*fyne.Container{
			"TouchTarget": TouchTarget(widget.NewButton("Tilbage", nil)), "TallButton": TallButton(widget.NewButton("Hjælp", nil)),
			"SquareButton": SquareButton(widget.NewButton("+", nil)),
		} {
			c.Resize(c.MinSize())
			b, edge := c.Objects[0], c.Objects[len(c.Objects)-1]
			r, ok := edge.(*canvas.Rectangle)
			if !ok || r.StrokeWidth < 2 || r.Position() != b.Position() || r.Size() != b.Size() {
				t.Errorf("%s %s: no outline over the button (last object %T)", name(s), name2, edge)
				continue
			}
			if got := Contrast(r.StrokeColor, bg); got < MinControlContrast {
				t.Errorf("%s %s: outline contrast %.2f; want ≥ %d", name(s), name2, got, MinControlContrast)
			}
		}
		p := PrimaryButton(widget.NewButton("OK", nil))
		p.Resize(p.MinSize())
		for _, o := range p.Objects[1:] {
			if o.Visible() {
				t.Errorf("%s PrimaryButton: outlined (%T) while enabled; want the fill alone (its fill is its edge)", name(s), o)
			}
		}
	}
}

// TestControlsKeepTheirDistance: two wrapped buttons side by side in an HBox
// are at least the touch target in size and the target gap apart.
func TestControlsKeepTheirDistance(t *testing.T) {
	app := test.NewTempApp(t)
	for _, s := range allSettings {
		th := New(s)
		app.Settings().SetTheme(th)
		a, b := widget.NewButton("1", nil), widget.NewButton("2", nil)
		box := container.NewHBox(TouchTarget(a), PrimaryButton(b))
		box.Resize(box.MinSize())
		ax := a.Position().X + box.Objects[0].Position().X
		bx := b.Position().X + box.Objects[1].Position().X
		if gap := bx - (ax + a.Size().Width); gap < th.Size(SizeNameTargetGap) || gap < MinTargetGap {
			t.Errorf("%s: gap between two buttons = %v; want ≥ %v", name(s), gap, th.Size(SizeNameTargetGap))
		}
		if a.Size().Width < MinTouchTarget || a.Size().Height < MinTouchTarget {
			t.Errorf("%s: button size %v; want ≥ %d×%d", name(s), a.Size(), MinTouchTarget, MinTouchTarget)
		}
	}
}

func TestMinContrast(t *testing.T) {
	if got := MinContrast(Settings{HighContrast: true, LargeText: true}); got < 7 {
		t.Errorf("MinContrast(high contrast) = %v; want ≥ 7", got)
	}
	if got := MinContrast(Settings{}); got < 4.5 {
		t.Errorf("MinContrast(normal) = %v; want ≥ 4.5", got)
	}
}

func TestLargeSizes(t *testing.T) {
	scaled := []fyne.ThemeSizeName{
		fynetheme.SizeNameText, fynetheme.SizeNameHeadingText, fynetheme.SizeNameSubHeadingText,
		fynetheme.SizeNameCaptionText, fynetheme.SizeNameInlineIcon, fynetheme.SizeNameInnerPadding,
		fynetheme.SizeNamePadding, fynetheme.SizeNameLineSpacing, fynetheme.SizeNameInputBorder,
		SizeNamePrimaryButtonHeight,
	}
	def := fynetheme.DefaultTheme()
	for _, hc := range []bool{false, true} {
		normal, large := New(Settings{HighContrast: hc}), New(Settings{HighContrast: hc, LargeText: true})
		for _, n := range scaled {
			if got, want := large.Size(n), LargeFactor*normal.Size(n); got < want {
				t.Errorf("hc=%t large Size(%s) = %v; want ≥ %v (1.5× normal)", hc, n, got, want)
			}
			if d := def.Size(n); d > 0 {
				if got, want := large.Size(n), LargeFactor*d; got < want {
					t.Errorf("hc=%t large Size(%s) = %v; want ≥ %v (1.5× Fyne default)", hc, n, got, want)
				}
				if got := normal.Size(n); got < d {
					t.Errorf("hc=%t normal Size(%s) = %v; want ≥ Fyne default %v", hc, n, got, d)
				}
			}
		}
		// Targets, keys and gaps grow, but need not grow 1.5×: they are
		// already sized for a finger, not for reading.
		for _, n := range []fyne.ThemeSizeName{SizeNameKey, SizeNamePadKey, SizeNameTouchTarget, SizeNameTargetGap} {
			if got := large.Size(n); got < normal.Size(n) {
				t.Errorf("large Size(%s) = %v; want ≥ normal %v", n, got, normal.Size(n))
			}
		}
		for _, tc := range []struct {
			n   fyne.ThemeSizeName
			min float32
		}{{SizeNameTouchTarget, MinTouchTarget}, {SizeNamePadKey, MinPadKey}, {SizeNameTargetGap, MinTargetGap}} {
			for _, th := range []fyne.Theme{normal, large} {
				if got := th.Size(tc.n); got < tc.min {
					t.Errorf("hc=%t Size(%s) = %v; want ≥ %v", hc, tc.n, got, tc.min)
				}
			}
		}
	}
}

func TestUnknownSizeFallsBackToFyne(t *testing.T) {
	got := New(Settings{}).Size(fynetheme.SizeNameWindowTitleBarHeight)
	if want := fynetheme.DefaultTheme().Size(fynetheme.SizeNameWindowTitleBarHeight); got != want {
		t.Errorf("Size(windowTitleBarHeight) = %v; want %v", got, want)
	}
	if c := New(Settings{}).Color("no-such-colour", fynetheme.VariantDark); c != color.Transparent {
		t.Errorf("Color(unknown) = %v; want transparent", c)
	}
}

// Widgets measured under the real theme: even a bare button reaches WCAG's
// 44×44 (the wrappers make it MinTouchTarget, TestPrimaryButtonAndTouchTarget)
// and an entry in large text is 1.5× the normal one.
func TestWidgetSizesUnderTheme(t *testing.T) {
	app := test.NewTempApp(t)
	entryHeight := map[bool]float32{}
	for _, s := range allSettings {
		app.Settings().SetTheme(New(s))
		for _, b := range []*widget.Button{
			widget.NewButton("OK", nil),
			widget.NewButtonWithIcon("", fynetheme.CancelIcon(), nil),
			{Text: "Bekræft", Importance: widget.HighImportance},
		} {
			const wcag = 44
			if got := b.MinSize(); got.Width < wcag || got.Height < wcag {
				t.Errorf("%s: Button(%q).MinSize() = %v; want ≥ %d×%d", name(s), b.Text, got, wcag, wcag)
			}
		}
		t.Logf("%s: button %v, high-importance button %v", name(s), widget.NewButton("OK", nil).MinSize(), (&widget.Button{Text: "OK", Importance: widget.HighImportance}).MinSize())
		e := widget.NewEntry()
		entryHeight[s.LargeText] = e.MinSize().Height
	}
	if got, want := entryHeight[true], LargeFactor*entryHeight[false]; got < want {
		t.Errorf("large Entry.MinSize().Height = %v; want ≥ %v", got, want)
	}
}

func TestPrimaryButtonAndTouchTarget(t *testing.T) {
	app := test.NewTempApp(t)
	for _, s := range allSettings {
		th := New(s)
		app.Settings().SetTheme(th)
		b := widget.NewButton("Ja", nil)
		p := PrimaryButton(b)
		p.Resize(p.MinSize())
		if got, want := b.Size().Height, th.Size(SizeNamePrimaryButtonHeight); got < want || want < PrimaryButtonHeight {
			t.Errorf("%s: primary button height = %v; want ≥ %v (≥ %d)", name(s), got, want, PrimaryButtonHeight)
		}
		if b.Importance != widget.HighImportance {
			t.Errorf("%s: primary button importance = %v; want high", name(s), b.Importance)
		}
		one := widget.NewButton("1", nil)
		tt := TouchTarget(one)
		tt.Resize(tt.MinSize())
		if got := one.Size(); got.Width < MinTouchTarget || got.Height < MinTouchTarget {
			t.Errorf("%s: TouchTarget(button 1) size = %v; want ≥ %d×%d", name(s), got, MinTouchTarget, MinTouchTarget)
		}
	}
}

// TestDangerButton: an action that ends something is red (danger
// importance) and as tall as a primary button in every mode, and its fill
// and text are pairs the contrast tests check.
func TestDangerButton(t *testing.T) {
	app := test.NewTempApp(t)
	for _, s := range allSettings {
		th := New(s)
		app.Settings().SetTheme(th)
		b := widget.NewButton("Træk tilbage", nil)
		d := DangerButton(b)
		d.Resize(d.MinSize())
		if b.Importance != widget.DangerImportance {
			t.Errorf("%s: danger button importance = %v; want danger", name(s), b.Importance)
		}
		if got, want := b.Size().Height, th.Size(SizeNamePrimaryButtonHeight); got < want {
			t.Errorf("%s: danger button height = %v; want ≥ %v", name(s), got, want)
		}
		for _, want := range []string{"danger button", "danger button pressed"} {
			if !hasPair(TextPairs(s), want) {
				t.Errorf("%s: TextPairs has no %q", name(s), want)
			}
		}
		if !hasPair(ControlPairs(s), "danger button fill on card") {
			t.Errorf("%s: ControlPairs has no danger fill on a card", name(s))
		}
	}
}

func hasPair(pairs []Pair, name string) bool {
	for _, p := range pairs {
		if p.Name == name {
			return true
		}
	}
	return false
}

// A disabled primary button (Next before an area is chosen) keeps a
// visible edge: its fill is about the background's in high contrast, so it
// is outlined in the disabled colour (ControlPairs checks that colour),
// and the outline goes when it is enabled, the fill then being the edge.
func TestDisabledPrimaryButtonIsOutlined(t *testing.T) {
	for _, s := range []Settings{{}, {HighContrast: true}} {
		a := test.NewTempApp(t)
		a.Settings().SetTheme(New(s))
		b := widget.NewButton("Næste", nil)
		box := PrimaryButton(b)
		b.Disable()
		box.Resize(fyne.NewSize(300, 100))
		var edge *canvas.Rectangle
		for _, o := range box.Objects {
			if r, ok := o.(*canvas.Rectangle); ok {
				edge = r
			}
		}
		if edge == nil {
			t.Fatalf("%s: the primary button has no outline to draw when disabled", name(s))
		}
		bg := New(s).Color(fynetheme.ColorNameBackground, fynetheme.VariantLight)
		if !edge.Visible() || edge.StrokeWidth <= 0 || Contrast(edge.StrokeColor, bg) < 3 {
			t.Errorf("%s: disabled outline %v (width %v) on %v: contrast %.2f; want ≥ 3", name(s), edge.StrokeColor, edge.StrokeWidth, bg, Contrast(edge.StrokeColor, bg))
		}
		b.Enable()
		box.Refresh()
		if edge.Visible() {
			t.Errorf("%s: enabled primary button outlined in %v; want no outline", name(s), edge.StrokeColor)
		}
	}
}
