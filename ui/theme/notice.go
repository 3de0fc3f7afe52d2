package theme

import (
	"image/color"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
)

// NoticeKind is what a notice box says: information (help is on its way),
// a warning (the kiosk is offline) or an error (that CPR number is not
// valid). The kind picks the icon and the colour of the box's edge; the
// text itself is always the foreground colour, so it reads as well as the
// body text whatever the kind.
type NoticeKind int

const (
	NoticeInfo NoticeKind = iota
	NoticeWarning
	NoticeError
)

// NoticeKinds lists every kind, for tests.
var NoticeKinds = []NoticeKind{NoticeInfo, NoticeWarning, NoticeError}

func (k NoticeKind) String() string {
	switch k {
	case NoticeWarning:
		return "warning"
	case NoticeError:
		return "error"
	}
	return "info"
}

// ColorName is the theme colour of the kind's edge and icon.
func (k NoticeKind) ColorName() fyne.ThemeColorName {
	switch k {
	case NoticeWarning:
		return fynetheme.ColorNameWarning
	case NoticeError:
		return fynetheme.ColorNameError
	}
	return fynetheme.ColorNamePrimary
}

// IconResource is the kind's icon, drawn in the kind's colour.
func (k NoticeKind) IconResource() fyne.Resource {
	src := fynetheme.InfoIcon()
	switch k {
	case NoticeWarning:
		src = fynetheme.WarningIcon()
	case NoticeError:
		src = fynetheme.ErrorIcon()
	}
	return fynetheme.NewColoredResource(src, k.ColorName())
}

// noticeTint is how much of the kind's colour tints the box's fill: enough
// to tell the box from the page, little enough to keep the text's contrast.
const noticeTint = 0x24

// NoticeColors returns a notice box's fill (the page tinted with the kind's
// colour) and its edge (border and icon: the kind's colour) under th.
func NoticeColors(th fyne.Theme, k NoticeKind) (fill, edge color.Color) {
	edge = th.Color(k.ColorName(), fynetheme.VariantLight)
	e := color.NRGBAModel.Convert(edge).(color.NRGBA)
	e.A = noticeTint
	return Blend(th.Color(fynetheme.ColorNameBackground, fynetheme.VariantLight), e), edge
}

// NoticePairs lists, for s, the text of each kind of notice box on its fill
// (it must reach MinContrast) and the box's edge and icon on its fill and
// on the page (they must reach MinControlContrast).
func NoticePairs(s Settings) (text, edges []Pair) {
	th := New(s)
	fg := th.Color(fynetheme.ColorNameForeground, fynetheme.VariantLight)
	bg := th.Color(fynetheme.ColorNameBackground, fynetheme.VariantLight)
	for _, k := range NoticeKinds {
		fill, edge := NoticeColors(th, k)
		text = append(text, Pair{k.String() + " notice text", fg, fill})
		edges = append(edges, Pair{k.String() + " notice icon on its fill", edge, fill},
			Pair{k.String() + " notice edge on the page", edge, bg})
	}
	return text, edges
}
