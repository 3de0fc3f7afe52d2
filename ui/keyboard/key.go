// Package keyboard is the kiosk's on-screen input: a Danish keyboard with
// Æ, Ø and Å, a masked PIN pad and a CPR number pad. The kiosk runs under a
// compositor that cannot host a system keyboard, and many of the people
// using it need large keys, so the app brings its own.
package keyboard

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Target receives what the keys type. *widget.Entry and every
// fyne.Focusable satisfy it.
type Target interface {
	TypedRune(rune)
	TypedKey(*fyne.KeyEvent)
}

// MinKeySize is the least width and height of a key at scale 1, in any theme.
const MinKeySize = 64

// Key is one large on-screen key. It is fyne.Focusable only so that the
// desktop driver does not take focus away from the entry being typed into
// when a key is tapped; it never shows focus itself, and physical typing
// that reaches it is passed on to its keyboard's target.
type Key struct {
	widget.BaseWidget

	label       string
	icon        fyne.Resource
	units       float32            // width in key widths
	side        fyne.ThemeSizeName // the theme size of one key width and height ("": minSide)
	minSide     float32            // and the least it may be in any theme
	padding     fyne.ThemeSizeName // the least room around the label
	important   bool
	description string // what the key does, for read-aloud; never a typed PIN digit
	onTap       func()
	forward     Target
}

var (
	_ fyne.Tappable  = (*Key)(nil)
	_ fyne.Focusable = (*Key)(nil)
)

func newKey(label string, icon fyne.Resource, units float32, onTap func(), forward Target) *Key {
	k := &Key{label: label, icon: icon, units: units, onTap: onTap, forward: forward, description: label,
		// MinKeySize in every mode, not the theme's larger key size:
		// twelve keys and their gaps must fit across a 1024 px panel in
		// large text, and three rows under the header. The keyboard's
		// layout widens keys where there is room. Only a border's width
		// around the label, not a button's padding: a letter needs little
		// room, and in large text every pixel of height counts.
		minSide: MinKeySize, padding: fynetheme.SizeNameInputBorder}
	k.ExtendBaseWidget(k)
	return k
}

// Label returns the text shown on the key.
func (k *Key) Label() string { return k.label }

// Description returns what the key does in words (for read-aloud).
func (k *Key) Description() string { return k.description }

func (k *Key) setLabel(label, description string) {
	if k.label == label && k.description == description {
		return
	}
	k.label, k.description = label, description
	k.Refresh()
}

// Tapped runs the key's action.
func (k *Key) Tapped(*fyne.PointEvent) {
	if k.onTap != nil {
		k.onTap()
	}
}

// FocusGained does nothing: a key never holds visible focus.
func (k *Key) FocusGained() {}

// FocusLost does nothing.
func (k *Key) FocusLost() {}

// TypedRune passes physical typing on to the keyboard's target.
func (k *Key) TypedRune(r rune) {
	if k.forward != nil {
		k.forward.TypedRune(r)
	}
}

// TypedKey passes physical typing on to the keyboard's target.
func (k *Key) TypedKey(e *fyne.KeyEvent) {
	if k.forward != nil {
		k.forward.TypedKey(e)
	}
}

// CreateRenderer draws a rounded tile with a bold label and an optional icon.
func (k *Key) CreateRenderer() fyne.WidgetRenderer {
	r := &keyRenderer{key: k, bg: canvas.NewRectangle(color.Transparent), text: canvas.NewText("", color.Black)}
	r.text.TextStyle = fyne.TextStyle{Bold: true}
	r.text.Alignment = fyne.TextAlignCenter
	if k.icon != nil {
		r.img = canvas.NewImageFromResource(k.icon)
		r.img.FillMode = canvas.ImageFillContain
	}
	r.Refresh()
	return r
}

type keyRenderer struct {
	key  *Key
	bg   *canvas.Rectangle
	text *canvas.Text
	img  *canvas.Image
}

func (k *Key) keySide(th fyne.Theme) float32 {
	if k.side == "" {
		return k.minSide
	}
	return max(th.Size(k.side), k.minSide)
}

func (r *keyRenderer) MinSize() fyne.Size {
	th := r.key.Theme()
	side := r.key.keySide(th)
	pad := th.Size(r.key.padding)
	content := r.contentSize(th)
	pads := keyGap(th) * (r.key.units - 1) // a 2-unit key spans the gap too
	w := max(side*r.key.units+pads, content.Width+2*pad)
	h := max(side, content.Height+2*pad)
	if r.img != nil && r.text.Text != "" && r.iconAbove(th) > 0 {
		h = max(side, content.Height+2*th.Size(fynetheme.SizeNameInputBorder))
	}
	return fyne.NewSize(w, h)
}

func (r *keyRenderer) contentSize(th fyne.Theme) fyne.Size {
	ts := fyne.MeasureText(r.text.Text, r.text.TextSize, r.text.TextStyle)
	if r.img == nil {
		return ts
	}
	icon := th.Size(fynetheme.SizeNameInlineIcon)
	if r.text.Text == "" {
		return fyne.NewSquareSize(icon)
	}
	if a := r.iconAbove(th); a > 0 {
		return fyne.NewSize(max(a, ts.Width), a+ts.Height)
	}
	return fyne.NewSize(icon+th.Size(fynetheme.SizeNamePadding)+ts.Width, max(icon, ts.Height))
}

// iconAbove is the size of the icon drawn above the label, or 0 for beside
// it: above when the two side by side would make the key half again wider
// than it is tall and they fit one above the other, the icon a little smaller if need
// be (a pad's "⌫ Delete" in large text, which would widen every column).
func (r *keyRenderer) iconAbove(th fyne.Theme) float32 {
	ts := fyne.MeasureText(r.text.Text, r.text.TextSize, r.text.TextStyle)
	icon := th.Size(fynetheme.SizeNameInlineIcon)
	side := r.key.keySide(th)
	pad := th.Size(r.key.padding)
	room := side - ts.Height - 2*th.Size(fynetheme.SizeNameInputBorder) // above and below, the border is room enough
	if icon+th.Size(fynetheme.SizeNamePadding)+ts.Width+2*pad <= 1.5*side*r.key.units || room < icon/2 {
		return 0
	}
	return min(icon, room)
}

func (r *keyRenderer) Layout(size fyne.Size) {
	th := r.key.Theme()
	r.bg.Resize(size)
	content := r.contentSize(th)
	x := (size.Width - content.Width) / 2
	ts := fyne.MeasureText(r.text.Text, r.text.TextSize, r.text.TextStyle)
	if icon := r.iconAbove(th); r.img != nil && r.text.Text != "" && icon > 0 {
		y := (size.Height - content.Height) / 2
		r.img.Resize(fyne.NewSquareSize(icon))
		r.img.Move(fyne.NewPos((size.Width-icon)/2, y))
		r.text.Resize(ts)
		r.text.Move(fyne.NewPos((size.Width-ts.Width)/2, y+icon))
		return
	}
	if r.img != nil {
		icon := th.Size(fynetheme.SizeNameInlineIcon)
		r.img.Resize(fyne.NewSquareSize(icon))
		r.img.Move(fyne.NewPos(x, (size.Height-icon)/2))
		x += icon + th.Size(fynetheme.SizeNamePadding)
	}
	r.text.Resize(ts)
	r.text.Move(fyne.NewPos(x, (size.Height-ts.Height)/2))
}

func (r *keyRenderer) Refresh() {
	th := r.key.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	bg, fg := fynetheme.ColorNameButton, fynetheme.ColorNameForeground
	if r.key.important {
		bg, fg = fynetheme.ColorNamePrimary, fynetheme.ColorNameForegroundOnPrimary
	}
	r.bg.FillColor = th.Color(bg, v)
	r.bg.StrokeColor = th.Color(fynetheme.ColorNameInputBorder, v)
	r.bg.StrokeWidth = th.Size(fynetheme.SizeNameInputBorder)
	r.bg.CornerRadius = th.Size(fynetheme.SizeNameInputRadius)
	r.text.Text = r.key.label
	r.text.Color = th.Color(fg, v)
	r.text.TextSize = th.Size(fynetheme.SizeNameSubHeadingText)
	if r.img != nil {
		r.img.Resource = fynetheme.NewColoredResource(r.key.icon, fg)
		r.img.Refresh()
	}
	r.Layout(r.key.Size())
	r.bg.Refresh()
	r.text.Refresh()
}

func (r *keyRenderer) Objects() []fyne.CanvasObject {
	if r.img != nil {
		return []fyne.CanvasObject{r.bg, r.img, r.text}
	}
	return []fyne.CanvasObject{r.bg, r.text}
}

func (r *keyRenderer) Destroy() {}
