package theme

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
)

type palette struct {
	colors map[fyne.ThemeColorName]color.Color
}

func rgb(hex uint32) color.NRGBA {
	return color.NRGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xff}
}

func rgba(hex uint32, a uint8) color.NRGBA {
	c := rgb(hex)
	c.A = a
	return c
}

// Normal: warm off-white paper, near-black ink, one deep blue accent. Hover
// and focus are translucent so they darken whatever they lie on; the
// contrast test checks the blended result.
var normalPalette = palette{colors: map[fyne.ThemeColorName]color.Color{
	fynetheme.ColorNameBackground:          rgb(0xF7F5F0),
	fynetheme.ColorNameForeground:          rgb(0x1A1A1A),
	fynetheme.ColorNameButton:              rgb(0xE3DFD6),
	fynetheme.ColorNameDisabledButton:      rgb(0xECEAE5),
	fynetheme.ColorNameDisabled:            rgb(0x5E5E5E),
	fynetheme.ColorNamePrimary:             rgb(0x1F4E79),
	fynetheme.ColorNameForegroundOnPrimary: rgb(0xFFFFFF),
	fynetheme.ColorNameHyperlink:           rgb(0x1F4E79),
	fynetheme.ColorNameError:               rgb(0xA4000F),
	fynetheme.ColorNameForegroundOnError:   rgb(0xFFFFFF),
	fynetheme.ColorNameSuccess:             rgb(0x1E6B2F),
	fynetheme.ColorNameForegroundOnSuccess: rgb(0xFFFFFF),
	fynetheme.ColorNameWarning:             rgb(0x8A4B00),
	fynetheme.ColorNameForegroundOnWarning: rgb(0xFFFFFF),
	fynetheme.ColorNameFocus:               rgba(0x1F4E79, 0x30),
	fynetheme.ColorNameHover:               rgba(0x000000, 0x14),
	fynetheme.ColorNamePressed:             rgba(0x000000, 0x28),
	fynetheme.ColorNameSelection:           rgba(0x1F4E79, 0x38),
	fynetheme.ColorNameInputBackground:     rgb(0xFFFFFF),
	fynetheme.ColorNameInputBorder:         rgb(0x6B6B6B),
	fynetheme.ColorNamePlaceHolder:         rgb(0x595959),
	fynetheme.ColorNameHeaderBackground:    rgb(0xE3DFD6),
	fynetheme.ColorNameMenuBackground:      rgb(0xFFFFFF),
	fynetheme.ColorNameOverlayBackground:   rgb(0xFFFFFF),
	fynetheme.ColorNameScrollBar:           rgba(0x000000, 0x99), // a drag handle: 3:1 on the paper
	fynetheme.ColorNameScrollBarBackground: rgba(0x000000, 0x14),
	fynetheme.ColorNameSeparator:           rgb(0xC9C4B8),
	fynetheme.ColorNameShadow:              rgba(0x000000, 0x33),
}}

// High contrast: black, white and yellow. Status colours are light tints so
// they stay readable as text on black and carry black text themselves.
var highContrastPalette = palette{colors: map[fyne.ThemeColorName]color.Color{
	fynetheme.ColorNameBackground:          rgb(0x000000),
	fynetheme.ColorNameForeground:          rgb(0xFFFFFF),
	fynetheme.ColorNameButton:              rgb(0x262626),
	fynetheme.ColorNameDisabledButton:      rgb(0x1A1A1A),
	fynetheme.ColorNameDisabled:            rgb(0xBDBDBD),
	fynetheme.ColorNamePrimary:             rgb(0xFFE500),
	fynetheme.ColorNameForegroundOnPrimary: rgb(0x000000),
	fynetheme.ColorNameHyperlink:           rgb(0xFFE500),
	fynetheme.ColorNameError:               rgb(0xFF9A9A),
	fynetheme.ColorNameForegroundOnError:   rgb(0x000000),
	fynetheme.ColorNameSuccess:             rgb(0x8CF58C),
	fynetheme.ColorNameForegroundOnSuccess: rgb(0x000000),
	fynetheme.ColorNameWarning:             rgb(0xFFC266),
	fynetheme.ColorNameForegroundOnWarning: rgb(0x000000),
	fynetheme.ColorNameFocus:               rgba(0xFFE500, 0x30),
	fynetheme.ColorNameHover:               rgba(0xFFFFFF, 0x1A),
	fynetheme.ColorNamePressed:             rgba(0xFFFFFF, 0x26),
	fynetheme.ColorNameSelection:           rgba(0xFFE500, 0x40),
	fynetheme.ColorNameInputBackground:     rgb(0x000000),
	fynetheme.ColorNameInputBorder:         rgb(0xFFFFFF),
	fynetheme.ColorNamePlaceHolder:         rgb(0xD0D0D0),
	fynetheme.ColorNameHeaderBackground:    rgb(0x1A1A1A),
	fynetheme.ColorNameMenuBackground:      rgb(0x000000),
	fynetheme.ColorNameOverlayBackground:   rgb(0x000000),
	fynetheme.ColorNameScrollBar:           rgb(0xFFFFFF),
	fynetheme.ColorNameScrollBarBackground: rgb(0x262626),
	fynetheme.ColorNameSeparator:           rgb(0xFFFFFF),
	fynetheme.ColorNameShadow:              rgba(0xFFFFFF, 0x40),
}}

// Pair is a foreground colour drawn as text on a background colour
// somewhere in the UI. Backgrounds are already blended (for example a
// translucent hover colour over a button), so they are what a person sees.
type Pair struct {
	Name       string
	Foreground color.Color
	Background color.Color
}

// MinContrast is the contrast every text pair must reach under s: WCAG 2.2
// AA (4.5:1) normally, AAA (7:1) in high contrast.
func MinContrast(s Settings) float64 {
	if s.HighContrast {
		return 7
	}
	return 4.5
}

// TextPairs lists every foreground/background pair that Fyne's widgets and
// ours use for text under s: labels of each importance, entries and their
// placeholder and selection, buttons of each importance at rest, hovered,
// focused and pressed, disabled widgets, list rows, headers and popups.
func TextPairs(s Settings) []Pair {
	th := New(s)
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, fynetheme.VariantLight) }
	bg := c(fynetheme.ColorNameBackground)
	in := c(fynetheme.ColorNameInputBackground)
	pairs := []Pair{
		{"foreground on background", c(fynetheme.ColorNameForeground), bg},
		{"primary label on background", c(fynetheme.ColorNamePrimary), bg},
		{"hyperlink on background", c(fynetheme.ColorNameHyperlink), bg},
		{"error label on background", c(fynetheme.ColorNameError), bg},
		{"success label on background", c(fynetheme.ColorNameSuccess), bg},
		{"warning label on background", c(fynetheme.ColorNameWarning), bg},
		{"disabled on background", c(fynetheme.ColorNameDisabled), bg},
		{"disabled on disabled button", c(fynetheme.ColorNameDisabled), c(fynetheme.ColorNameDisabledButton)},
		{"disabled on input background", c(fynetheme.ColorNameDisabled), in},
		{"error on input background", c(fynetheme.ColorNameError), in},
		{"foreground on input background", c(fynetheme.ColorNameForeground), in},
		{"placeholder on input background", c(fynetheme.ColorNamePlaceHolder), in},
		{"foreground on selection", c(fynetheme.ColorNameForeground), Blend(in, c(fynetheme.ColorNameSelection))},
		{"foreground on list selection", c(fynetheme.ColorNameForeground), Blend(bg, c(fynetheme.ColorNameSelection))},
		{"foreground on list hover", c(fynetheme.ColorNameForeground), Blend(bg, c(fynetheme.ColorNameHover))},
		{"foreground on header", c(fynetheme.ColorNameForeground), c(fynetheme.ColorNameHeaderBackground)},
		{"foreground on menu", c(fynetheme.ColorNameForeground), c(fynetheme.ColorNameMenuBackground)},
		{"foreground on overlay", c(fynetheme.ColorNameForeground), c(fynetheme.ColorNameOverlayBackground)},
		{"warning on banner", c(fynetheme.ColorNameWarning), Blend(bg, c(fynetheme.ColorNameHover))},
	}
	buttons := []struct {
		name   string
		fg, bg fyne.ThemeColorName
	}{
		{"button", fynetheme.ColorNameForeground, fynetheme.ColorNameButton},
		{"primary button", fynetheme.ColorNameForegroundOnPrimary, fynetheme.ColorNamePrimary},
		{"danger button", fynetheme.ColorNameForegroundOnError, fynetheme.ColorNameError},
		{"success button", fynetheme.ColorNameForegroundOnSuccess, fynetheme.ColorNameSuccess},
		{"warning button", fynetheme.ColorNameForegroundOnWarning, fynetheme.ColorNameWarning},
	}
	for _, b := range buttons {
		fg, base := c(b.fg), c(b.bg)
		pairs = append(pairs,
			Pair{b.name, fg, base},
			Pair{b.name + " hovered", fg, Blend(base, c(fynetheme.ColorNameHover))},
			Pair{b.name + " focused", fg, Blend(base, c(fynetheme.ColorNameFocus))},
			Pair{b.name + " pressed", fg, Blend(base, c(fynetheme.ColorNamePressed))},
		)
	}
	return pairs
}

// MinControlContrast is the contrast a control's boundary (its outline or
// its fill) must reach against what it is drawn on, in every mode (WCAG 2.2
// 1.4.11 non-text contrast).
const MinControlContrast = 3

// ControlPairs lists, for s, the colour that shows where each kind of
// control is (Foreground: its outline or fill) with the colour around it
// (Background): secondary buttons and keys are outlined with the input
// border, primary and status buttons are filled, selected toggles take the
// primary fill, PIN slots are outlined and their dots filled; buttons stand
// on the page, on cards (input background) and in pop-ups; the scroll bar is
// a drag handle on its track.
func ControlPairs(s Settings) []Pair {
	th := New(s)
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, fynetheme.VariantLight) }
	grounds := []struct {
		name string
		c    color.Color
	}{
		{"background", c(fynetheme.ColorNameBackground)},
		{"card", c(fynetheme.ColorNameInputBackground)},
		{"overlay", c(fynetheme.ColorNameOverlayBackground)},
	}
	edges := []struct {
		name string
		c    color.Color
	}{
		{"button and key outline", c(fynetheme.ColorNameInputBorder)},
		{"primary and selected fill", c(fynetheme.ColorNamePrimary)},
		{"danger button fill", c(fynetheme.ColorNameError)},
		{"success button fill", c(fynetheme.ColorNameSuccess)},
		{"warning button fill", c(fynetheme.ColorNameWarning)},
		{"disabled primary button outline", c(fynetheme.ColorNameDisabled)},
	}
	var pairs []Pair
	for _, e := range edges {
		for _, g := range grounds {
			pairs = append(pairs, Pair{e.name + " on " + g.name, e.c, g.c})
		}
	}
	bg := c(fynetheme.ColorNameBackground)
	return append(pairs,
		Pair{"PIN dot on its slot", c(fynetheme.ColorNameForeground), c(fynetheme.ColorNameInputBackground)},
		Pair{"scroll bar on its track", Blend(Blend(bg, c(fynetheme.ColorNameScrollBarBackground)), c(fynetheme.ColorNameScrollBar)),
			Blend(bg, c(fynetheme.ColorNameScrollBarBackground))},
	)
}

// Blend draws over on top of under (source-over) and returns the opaque
// result, as Fyne does for hover and focus on buttons.
func Blend(under, over color.Color) color.Color {
	u := color.NRGBAModel.Convert(under).(color.NRGBA)
	o := color.NRGBAModel.Convert(over).(color.NRGBA)
	a := float64(o.A) / 255
	mix := func(x, y uint8) uint8 {
		return uint8(math.Round(float64(y)*a + float64(x)*(1-a)))
	}
	return color.NRGBA{R: mix(u.R, o.R), G: mix(u.G, o.G), B: mix(u.B, o.B), A: 0xff}
}

// RelativeLuminance is the WCAG 2.2 relative luminance of c (alpha ignored).
func RelativeLuminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// Contrast is the WCAG 2.2 contrast ratio of two colours, from 1 to 21.
func Contrast(a, b color.Color) float64 {
	la, lb := RelativeLuminance(a), RelativeLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}
