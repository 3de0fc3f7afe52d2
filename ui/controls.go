package ui

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// destructive makes the button for an action that ends something a
// person gave (withdraw a consent, revoke or renounce a delegation): red
// (danger importance) and with a stop icon, so it looks like no other
// button even to a person who does not see red (WCAG 1.4.1), as tall as a
// primary button. Put a sentence on what stops next to it; on the
// confirmation screen it is the "yes".
func (u *KioskUI) destructive(id, label string, tapped func()) fyne.CanvasObject {
	b := u.button(id, label, tapped)
	b.SetIcon(fynetheme.CancelIcon())
	return theme.DangerButton(b)
}

// linesLayout keeps room for n lines of body text whether or not its object
// shows anything, so a message that appears (a wrong PIN, an invalid CPR
// number) takes space that was already there and nothing below it moves
// under a finger on its way to the next key.
type linesLayout struct {
	n int
	// grow lets a longer text have the height it needs (where nothing is
	// below it to move); otherwise the space stays n lines.
	grow bool
}

func (l linesLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	th := fynetheme.Current()
	line := fyne.MeasureText("Åg", th.Size(fynetheme.SizeNameText), fyne.TextStyle{Bold: true}).Height
	h := float32(l.n)*line + float32(l.n-1)*th.Size(fynetheme.SizeNameLineSpacing) + 2*th.Size(fynetheme.SizeNameInnerPadding)
	var w float32
	for _, o := range objects {
		m := o.MinSize()
		w = max(w, m.Width)
		if l.grow {
			h = max(h, m.Height)
		}
	}
	return fyne.NewSize(w, h)
}

func (linesLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// reserveLines puts obj in a space n lines of text tall.
func reserveLines(n int, obj fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: linesLayout{n: n}, Objects: []fyne.CanvasObject{obj}}
}

// pinLayout arranges the PIN screen from [heading, name, message, pad,
// side]: the heading with the card holder's name at its right, the message
// line, and the pad centred under them with "how many digits?" (the pad's
// aside) beside the PIN box. Where that stack is taller than the space (a
// 1024×768 panel: 90 px keys, the box and the words do not fit between the
// header and the footer), the words, the message and "how many digits?"
// (side, the same action) go left of the pad instead, so the whole pad, OK
// included, is in view without scrolling. The arrangement follows from the
// space alone, so nothing moves while a person types or a message appears.
type pinLayout struct {
	pad   *keyboard.PinPad
	aside fyne.CanvasObject // in the pad's box row when stacked
	msg   fyne.CanvasObject // the message text inside its reserved line
}

func (l *pinLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	gap := fynetheme.Padding()
	pm := l.pad.MinSizeAlone()
	var w, h float32
	for _, o := range []fyne.CanvasObject{objs[0], objs[1], objs[4], objs[2]} {
		m := o.MinSize()
		w, h = max(w, m.Width), h+m.Height+gap
	}
	return fyne.NewSize(w+columnGap()+pm.Width, max(h-gap, pm.Height))
}

func (l *pinLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	heading, name, message, pad, side := objs[0], objs[1], objs[2], objs[3], objs[4]
	gap := fynetheme.Padding()
	show(l.aside, true)
	stacked := l.pad.MinSize()
	nm := name.MinSize()
	heading.Resize(fyne.NewSize(max(size.Width-nm.Width-gap, 0), heading.MinSize().Height))
	headH := max(heading.MinSize().Height, nm.Height)
	msgH := message.MinSize().Height
	if size.Height >= headH+gap+msgH+gap+stacked.Height && size.Width >= stacked.Width {
		show(side, false)
		heading.Move(fyne.NewPos(0, 0))
		heading.Resize(fyne.NewSize(size.Width-nm.Width-gap, headH))
		name.Move(fyne.NewPos(size.Width-nm.Width, 0))
		name.Resize(fyne.NewSize(nm.Width, headH))
		message.Move(fyne.NewPos(0, headH+gap))
		message.Resize(fyne.NewSize(size.Width, msgH))
		// The pad takes the room left under the words: on a portrait
		// panel its keys grow instead of leaving half the screen empty.
		top := headH + gap + msgH + gap
		pad.Move(fyne.NewPos(0, top))
		pad.Resize(fyne.NewSize(size.Width, size.Height-top))
		return
	}
	show(l.aside, false)
	show(side, true)
	pm := l.pad.MinSizeAlone()
	between := columnGap()
	left := max(size.Width-pm.Width-between, 0)
	y := float32(0)
	// The message comes last, so a long one that wraps moves nothing.
	for _, o := range []fyne.CanvasObject{heading, name, side, message} {
		o.Resize(fyne.NewSize(left, o.MinSize().Height))
		h := o.MinSize().Height // after wrapping at this width
		if o == message {
			h = max(h, l.msg.MinSize().Height)
		}
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(left, h))
		y += h + gap
	}
	pad.Move(fyne.NewPos(left+between, 0))
	pad.Resize(pm)
}

// columnGap keeps "how many digits?" a target gap from the keys
// beside it.
func columnGap() float32 {
	return max(fynetheme.Size(theme.SizeNameTargetGap), theme.MinTargetGap)
}

// show makes o visible or not, touching it only when that changes (Show
// and Hide refresh the object).
func show(o fyne.CanvasObject, on bool) {
	switch {
	case on && !o.Visible():
		o.Show()
	case !on && o.Visible():
		o.Hide()
	}
}

// besideLayout arranges [words, pad] for a screen whose pad must be in
// view whole: the words above the pad, centred under them, where that fits;
// else the words left of the pad, so the pad's last row and OK are not
// below the fold. Like pinLayout, it decides from the space alone.
type besideLayout struct {
	narrow bool // the last width left too narrow a column: always stacked
}

// MinSize is the pad's height, not the words' (unless narrow): the words' height depends
// on the width they last wrapped at, and a least size that changed with it
// would flip the arrangement back and forth as the body's viewport changes
// (a message in the bar). Beside the pad the words are shorter than it.
func (l *besideLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	words, pad := objs[0].MinSize(), objs[1].MinSize()
	if l.narrow { // stacked whatever the height: the body scrolls to the pad
		return fyne.NewSize(max(words.Width, pad.Width), words.Height+fynetheme.Padding()+pad.Height)
	}
	return fyne.NewSize(words.Width+columnGap()+pad.Width, pad.Height)
}

func (l *besideLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	words, pad := objs[0], objs[1]
	gap := fynetheme.Padding()
	pm := pad.MinSize()
	words.Resize(fyne.NewSize(size.Width, words.MinSize().Height))
	wh := words.MinSize().Height // measured at the full width
	left := max(size.Width-pm.Width-columnGap(), 0)
	// Beside the pad only with room for words to wrap as words: in a column
	// narrower than a third of the screen a heading breaks inside words
	// ("Who / sho / uld"), and stacked is better even if the pad scrolls.
	l.narrow = left < size.Width/3
	if l.narrow || size.Height >= wh+gap+pm.Height && size.Width >= pm.Width {
		words.Move(fyne.NewPos(0, 0))
		words.Resize(fyne.NewSize(size.Width, wh))
		pad.Move(fyne.NewPos((size.Width-pm.Width)/2, wh+gap))
		pad.Resize(pm)
		return
	}
	words.Resize(fyne.NewSize(left, words.MinSize().Height))
	words.Move(fyne.NewPos(0, 0))
	words.Resize(fyne.NewSize(left, words.MinSize().Height))
	pad.Move(fyne.NewPos(left+columnGap(), 0))
	pad.Resize(pm)
}
