package theme

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
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
		pairs := TextPairs(s)
		if len(pairs) < 20 {
			t.Fatalf("%s: TextPairs returned %d pairs; want every text pair", name(s), len(pairs))
		}
		want := MinContrast(s)
		lowest, lowestName := 21.0, ""
		for _, p := range pairs {
			got := Contrast(p.Foreground, p.Background)
			if got < lowest {
				lowest, lowestName = got, p.Name
			}
			if got < want {
				t.Errorf("%s %s: contrast(%s, %s) = %.2f; want ≥ %.1f", name(s), p.Name, hex(p.Foreground), hex(p.Background), got, want)
			}
		}
		t.Logf("%s: %d pairs, lowest contrast %.2f (%s)", name(s), len(pairs), lowest, lowestName)
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
		SizeNameTouchTarget, SizeNamePrimaryButtonHeight,
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
		if got := large.Size(SizeNameKey); got < normal.Size(SizeNameKey) {
			t.Errorf("large Size(key) = %v; want ≥ normal %v", got, normal.Size(SizeNameKey))
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

// Widgets measured under the real theme: buttons reach the touch target and
// an entry in large text is 1.5× the normal one.
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
			got := b.MinSize()
			if got.Width < MinTouchTarget || got.Height < MinTouchTarget {
				t.Errorf("%s: Button(%q).MinSize() = %v; want ≥ %d×%d", name(s), b.Text, got, MinTouchTarget, MinTouchTarget)
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
			t.Errorf("%s: TouchTarget(button 1) size = %v; want ≥ 44×44", name(s), got)
		}
	}
}
