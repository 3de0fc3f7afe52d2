package theme

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// controlLayout lays out one tappable object (Objects[0]) at least
// width×height (theme sizes looked up at layout time, so a switch to large
// text takes effect on the next refresh), inset by a margin so that two
// controls side by side in a Fyne box keep SizeNameTargetGap between them,
// and draws its outline (Objects[1], if there) over its edge.
type controlLayout struct {
	width, height fyne.ThemeSizeName
	square        bool // as wide as it is tall
	// filled: the fill is the boundary (a primary or danger button), so the
	// outline is drawn only while the button is disabled, when its fill is
	// about the background's (dark grey on black in high contrast).
	filled bool
}

// margin is what each control adds on every side so that the box padding
// between two of them plus both margins is at least the target gap.
func margin(th fyne.Theme) float32 {
	return max(0, (th.Size(SizeNameTargetGap)-th.Size(fynetheme.SizeNamePadding))/2)
}

func (l controlLayout) inner(objects []fyne.CanvasObject) fyne.Size {
	th := fynetheme.Current()
	m := fyne.NewSize(th.Size(l.width), th.Size(l.height))
	if l.square {
		m.Width = m.Height
	}
	if len(objects) > 0 && objects[0].Visible() {
		m = m.Max(objects[0].MinSize())
	}
	return m
}

func (l controlLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	m := margin(fynetheme.Current())
	return l.inner(objects).AddWidthHeight(2*m, 2*m)
}

func (l controlLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	th := fynetheme.Current()
	m := margin(th)
	pos, inner := fyne.NewPos(m, m), size.SubtractWidthHeight(2*m, 2*m)
	for _, o := range objects {
		o.Move(pos)
		o.Resize(inner)
		if r, ok := o.(*canvas.Rectangle); ok {
			// The outline follows the theme of the moment; a mode switch
			// rebuilds the screen and lays it out again.
			r.StrokeColor = th.Color(fynetheme.ColorNameInputBorder, fynetheme.VariantLight)
			if b, ok := objects[0].(fyne.Disableable); ok && l.filled {
				r.StrokeColor = th.Color(fynetheme.ColorNameDisabled, fynetheme.VariantLight)
				r.Hidden = !b.Disabled()
			}
			r.StrokeWidth = th.Size(fynetheme.SizeNameInputBorder)
			r.CornerRadius = th.Size(fynetheme.SizeNameInputRadius)
		}
	}
}

// outline is the visible edge of a secondary control. A light button on a
// light background (or a dark one on black) is not enough to see where it
// is (WCAG 1.4.11 asks 3:1 for a control's boundary): ControlPairs checks
// the border colour against every background it is drawn on.
func outline() *canvas.Rectangle {
	r := canvas.NewRectangle(color.Transparent)
	r.StrokeWidth = 2
	return r
}

func control(obj fyne.CanvasObject, l controlLayout, outlined bool) *fyne.Container {
	objs := []fyne.CanvasObject{obj}
	if outlined {
		objs = append(objs, outline())
	}
	return &fyne.Container{Layout: l, Objects: objs}
}

// TouchTarget wraps obj so it is never smaller than the touch target
// (SizeNameTouchTarget square) of the current theme, keeps the target gap
// to its neighbours and draws an outline around it. Use it for any
// secondary button.
func TouchTarget(obj fyne.CanvasObject) *fyne.Container {
	return control(obj, controlLayout{width: SizeNameTouchTarget, height: SizeNameTouchTarget}, true)
}

// TallButton makes a secondary button as tall as a primary one (64, or 96
// in large text), without the primary colour: a screen has one main action.
func TallButton(b *widget.Button) *fyne.Container {
	return control(b, controlLayout{width: SizeNameTouchTarget, height: SizeNamePrimaryButtonHeight}, true)
}

// SquareButton makes a one-character button (volume – and +) a square as
// tall as a primary button.
func SquareButton(b *widget.Button) *fyne.Container {
	return control(b, controlLayout{width: SizeNameTouchTarget, height: SizeNamePrimaryButtonHeight, square: true}, true)
}

// PrimaryButton makes b the screen's main action: high importance and at
// least SizeNamePrimaryButtonHeight tall (64 px normally, 96 px in large
// text). Its fill is its boundary (ControlPairs checks it), so it has an
// outline only while disabled.
func PrimaryButton(b *widget.Button) *fyne.Container {
	b.Importance = widget.HighImportance
	b.Refresh()
	return control(b, controlLayout{width: SizeNameTouchTarget, height: SizeNamePrimaryButtonHeight, filled: true}, true)
}

// DangerButton makes b an action that ends something (withdraw, revoke,
// renounce): danger importance, as tall as a primary button. Like a
// primary button its fill is its boundary (ControlPairs checks the danger
// fill, TextPairs its text), so it has an outline only while disabled.
func DangerButton(b *widget.Button) *fyne.Container {
	b.Importance = widget.DangerImportance
	b.Refresh()
	return control(b, controlLayout{width: SizeNameTouchTarget, height: SizeNamePrimaryButtonHeight, filled: true}, true)
}

// Tile wraps a tile (a button under text of its own) like TouchTarget,
// at least a primary button tall; a filled tile (the main choice) has no
// outline, as a primary button has none.
func Tile(obj fyne.CanvasObject, outlined bool) *fyne.Container {
	return control(obj, controlLayout{width: SizeNameTouchTarget, height: SizeNamePrimaryButtonHeight}, outlined)
}
