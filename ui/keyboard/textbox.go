package keyboard

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TextBox shows what a Keyboard types: large bold text in an input's box,
// with a bar where the next letter goes. It takes no taps and no focus, so
// a finger resting on it cannot move a cursor into the middle of a word;
// the keyboard's Delete is the one way to change what is there. A text
// wider than the box shows its end, after "…". Run it on the Fyne goroutine.
type TextBox struct {
	widget.BaseWidget

	// OnChanged runs after each change, with the whole text.
	OnChanged func(string)
	// Placeholder is shown, muted, while nothing is typed.
	Placeholder string

	text []rune
}

var _ Target = (*TextBox)(nil)

// NewTextBox returns an empty box.
func NewTextBox() *TextBox {
	b := &TextBox{}
	b.ExtendBaseWidget(b)
	return b
}

// Text returns what is typed.
func (b *TextBox) Text() string { return string(b.text) }

// SetText replaces what is typed, without calling OnChanged.
func (b *TextBox) SetText(s string) {
	b.text = []rune(s)
	b.Refresh()
}

// TypedRune adds r at the end.
func (b *TextBox) TypedRune(r rune) {
	b.text = append(b.text, r)
	b.changed()
}

// TypedKey handles Backspace: the last character goes.
func (b *TextBox) TypedKey(e *fyne.KeyEvent) {
	if e.Name == fyne.KeyBackspace && len(b.text) > 0 {
		b.text = b.text[:len(b.text)-1]
		b.changed()
	}
}

func (b *TextBox) changed() {
	b.Refresh()
	if b.OnChanged != nil {
		b.OnChanged(string(b.text))
	}
}

// CreateRenderer implements fyne.Widget.
func (b *TextBox) CreateRenderer() fyne.WidgetRenderer {
	r := &textBoxRenderer{box: b, bg: canvas.NewRectangle(color.Transparent),
		text: canvas.NewText("", color.Black), bar: canvas.NewRectangle(color.Transparent)}
	r.text.TextStyle = fyne.TextStyle{Bold: true}
	r.Refresh()
	return r
}

type textBoxRenderer struct {
	box  *TextBox
	bg   *canvas.Rectangle
	text *canvas.Text
	bar  *canvas.Rectangle // where the next letter goes
}

func (r *textBoxRenderer) size() float32 {
	return r.box.Theme().Size(fynetheme.SizeNameSubHeadingText)
}

// pad is the room around the text: a field's padding, not a button's, as
// on a 1024×768 panel in large text every pixel of height counts.
func (r *textBoxRenderer) pad() float32 { return r.box.Theme().Size(fynetheme.SizeNamePadding) }

func (r *textBoxRenderer) MinSize() fyne.Size {
	pad := r.pad()
	line := fyne.MeasureText("ÅÆØgj", r.size(), r.text.TextStyle)
	return fyne.NewSize(line.Width*2+2*pad, line.Height+2*pad)
}

func (r *textBoxRenderer) Layout(size fyne.Size) {
	th := r.box.Theme()
	pad := r.pad()
	r.bg.Resize(size)
	barW := max(3, th.Size(fynetheme.SizeNameInputBorder)*1.5)
	room := size.Width - 2*pad - 4*barW
	// Show the end of a text too long for the box: what was typed last is
	// what a person checks.
	runes := r.box.text
	shown := string(runes)
	if len(runes) == 0 {
		shown = r.box.Placeholder
	}
	for i := 0; i < len(runes) && fyne.MeasureText(shown, r.size(), r.text.TextStyle).Width > room; i++ {
		shown = "…" + string(runes[i+1:])
	}
	r.text.Text = shown
	ts := fyne.MeasureText(shown, r.size(), r.text.TextStyle)
	line := fyne.MeasureText("Åg", r.size(), r.text.TextStyle)
	y := (size.Height - line.Height) / 2
	r.text.Move(fyne.NewPos(pad+barW*2, y))
	r.text.Resize(fyne.NewSize(ts.Width, line.Height))
	barX := pad + barW*2 + ts.Width + barW/2
	if len(runes) == 0 {
		barX = pad // the next letter goes first, before the placeholder
	}
	r.bar.Move(fyne.NewPos(barX, y))
	r.bar.Resize(fyne.NewSize(barW, line.Height))
}

func (r *textBoxRenderer) Refresh() {
	th := r.box.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.bg.FillColor = th.Color(fynetheme.ColorNameInputBackground, v)
	r.bg.StrokeColor = th.Color(fynetheme.ColorNameInputBorder, v)
	r.bg.StrokeWidth = th.Size(fynetheme.SizeNameInputBorder)
	r.bg.CornerRadius = th.Size(fynetheme.SizeNameInputRadius)
	r.text.Color = th.Color(fynetheme.ColorNameForeground, v)
	r.text.TextStyle.Bold = len(r.box.text) > 0
	if len(r.box.text) == 0 {
		r.text.Color = th.Color(fynetheme.ColorNamePlaceHolder, v)
	}
	r.text.TextSize = r.size()
	r.bar.FillColor = th.Color(fynetheme.ColorNamePrimary, v)
	r.Layout(r.box.Size())
	r.bg.Refresh()
	r.text.Refresh()
	r.bar.Refresh()
}

func (r *textBoxRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.text, r.bar}
}

func (r *textBoxRenderer) Destroy() {}
