// Package theme is the Borgerkiosk look: a calm light theme with high
// legibility, a black/white/yellow high-contrast mode and a large-text mode,
// which can be combined. Every mode keeps touch targets large, because the
// people at a kiosk include older people and people with poor sight or
// unsteady hands.
package theme

import (
	"image/color"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
)

// Settings selects the mode. The zero value is the normal theme.
type Settings struct {
	HighContrast bool // black background, white text, yellow accents; text contrast ≥ 7:1
	LargeText    bool // every text size, padding and icon at least 1.5× the normal theme
}

// Sizes of our own that screens and widgets look up with fyne Theme.Size (or
// theme.Size from Fyne's theme package). They are in Fyne units (px at scale 1).
const (
	// SizeNameTouchTarget is the least width and height of anything tappable.
	SizeNameTouchTarget fyne.ThemeSizeName = "bk.touchTarget"
	// SizeNamePrimaryButtonHeight is the height of the main action button on a screen.
	SizeNamePrimaryButtonHeight fyne.ThemeSizeName = "bk.primaryButtonHeight"
	// SizeNameKey is the width and height of an on-screen keyboard key.
	SizeNameKey fyne.ThemeSizeName = "bk.key"
	// SizeNamePadKey is the width and height of a PIN or CPR pad key: larger
	// than a keyboard key, since a pad has only twelve.
	SizeNamePadKey fyne.ThemeSizeName = "bk.padKey"
	// SizeNameTargetGap is the least space between two tap targets, so an
	// unsteady finger that misses one does not hit its neighbour.
	SizeNameTargetGap fyne.ThemeSizeName = "bk.targetGap"
)

// MinTouchTarget is the least size of a tap target at scale 1 in any mode:
// more than WCAG 2.2's enhanced 44×44, because the people at a kiosk
// include older people with unsteady hands and the screen is touch only.
const MinTouchTarget = 60

// MinTargetGap is the least space between two tap targets in any mode.
const MinTargetGap = 12

// MinPadKey is the least width and height of a PIN or CPR pad key.
const MinPadKey = 90

// PrimaryButtonHeight is the height of primary buttons in the normal theme.
const PrimaryButtonHeight = 64

// LargeFactor is the least factor between large-text sizes and normal sizes.
const LargeFactor = 1.5

// Theme implements fyne.Theme for one Settings value. It ignores the
// light/dark variant the system asks for: a kiosk must look the same
// whatever the desktop preference is.
type Theme struct {
	s       Settings
	palette *palette
	sizes   map[fyne.ThemeSizeName]float32
}

var _ fyne.Theme = (*Theme)(nil)

// New returns the theme for s.
func New(s Settings) fyne.Theme {
	p := &normalPalette
	if s.HighContrast {
		p = &highContrastPalette
	}
	sz := normalSizes
	if s.LargeText {
		sz = largeSizes
	}
	return &Theme{s: s, palette: p, sizes: sz}
}

// Settings returns the settings the theme was made for.
func (t *Theme) Settings() Settings { return t.s }

// Color returns the colour for n; the variant is ignored on purpose.
func (t *Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if c, ok := t.palette.colors[n]; ok {
		return c
	}
	return color.Transparent
}

// Font returns Fyne's bundled fonts (Noto Sans), which cover Æ, Ø and Å.
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	return fynetheme.DefaultTheme().Font(s)
}

// Icon returns Fyne's icons; they are recoloured by name, so they follow our palette.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource {
	return fynetheme.DefaultTheme().Icon(n)
}

// Size returns the size for n, falling back to Fyne's default for names we do
// not set (future Fyne sizes keep working).
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	if v, ok := t.sizes[n]; ok {
		return v
	}
	return fynetheme.DefaultTheme().Size(n)
}

// Sizes. Normal is already larger than Fyne's default (text 14) because the
// kiosk is read standing, often without reading glasses.
var normalSizes = map[fyne.ThemeSizeName]float32{
	fynetheme.SizeNameText:               18,
	fynetheme.SizeNameHeadingText:        30,
	fynetheme.SizeNameSubHeadingText:     24,
	fynetheme.SizeNameCaptionText:        16,
	fynetheme.SizeNameInlineIcon:         28,
	fynetheme.SizeNameInnerPadding:       12,
	fynetheme.SizeNamePadding:            6,
	fynetheme.SizeNameLineSpacing:        6,
	fynetheme.SizeNameInputBorder:        2,
	fynetheme.SizeNameInputRadius:        6,
	fynetheme.SizeNameSelectionRadius:    4,
	fynetheme.SizeNameScrollBar:          20,
	fynetheme.SizeNameScrollBarSmall:     8,
	fynetheme.SizeNameScrollBarRadius:    4,
	fynetheme.SizeNameSeparatorThickness: 2,
	SizeNameTouchTarget:                  MinTouchTarget,
	SizeNamePrimaryButtonHeight:          PrimaryButtonHeight,
	SizeNameKey:                          64,
	SizeNamePadKey:                       MinPadKey,
	SizeNameTargetGap:                    MinTargetGap,
}

var largeSizes = map[fyne.ThemeSizeName]float32{
	fynetheme.SizeNameText:               28,
	fynetheme.SizeNameHeadingText:        46,
	fynetheme.SizeNameSubHeadingText:     36,
	fynetheme.SizeNameCaptionText:        24,
	fynetheme.SizeNameInlineIcon:         42,
	fynetheme.SizeNameInnerPadding:       18,
	fynetheme.SizeNamePadding:            9,
	fynetheme.SizeNameLineSpacing:        9,
	fynetheme.SizeNameInputBorder:        3,
	fynetheme.SizeNameInputRadius:        9,
	fynetheme.SizeNameSelectionRadius:    6,
	fynetheme.SizeNameScrollBar:          30,
	fynetheme.SizeNameScrollBarSmall:     12,
	fynetheme.SizeNameScrollBarRadius:    6,
	fynetheme.SizeNameSeparatorThickness: 3,
	SizeNameTouchTarget:                  72,
	SizeNamePrimaryButtonHeight:          96,
	SizeNameKey:                          88,
	SizeNamePadKey:                       92,
	SizeNameTargetGap:                    16,
}
