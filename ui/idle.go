package ui

import (
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/speech"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// idleTimer logs a person out when nobody touches the screen: after
// Config.IdleWarning it shows a warning with a large "I am still here"
// button and a countdown of Config.IdleCountdown; one tap starts over, as
// often as needed. Timers run through Deps.AfterFunc, so tests drive them
// with a fake clock. A generation number makes a timer that fires after
// being replaced do nothing.
type idleTimer struct {
	u       *KioskUI
	gen     int
	timer   Timer
	left    time.Duration
	popup   *widget.PopUp
	still   *widget.Button
	count   *widget.Label // the sentence: "You will be logged out in 30 seconds."
	number  *canvas.Text  // the seconds left, large
	warning bool
	// signedOut: nobody is signed in, so there is no warning to give; the
	// timer only forgets choices (language, contrast, a scanned code) left
	// by someone who walked away.
	signedOut bool
}

// touch is any sign of life from the person: it restarts the idle timer
// (unless the warning is showing: then only "I am still here" counts, so
// a stray tap behind the warning cannot dismiss it unseen).
func (u *KioskUI) touch() {
	switch {
	case u.idle.timer == nil || u.idle.warning:
	case u.idle.signedOut:
		u.idle.forget()
	default:
		u.idle.reset()
	}
}

// personalised reports whether the kiosk holds any choice or state a person
// left behind while signed out.
func (u *KioskUI) personalised() bool {
	return u.settings != (theme.Settings{}) || u.tr.Lang() != i18n.Default || u.readAloud ||
		u.volume != speech.DefaultVolume || u.assist != nil || u.handover != nil
}

// forget starts the quiet timer of a signed-out screen: after as long as a
// signed-in person would get (warning and countdown), the kiosk goes back to
// a plain welcome screen, so the next person does not find someone else's
// language, contrast or read-aloud choices.
func (t *idleTimer) forget() {
	t.stop()
	t.signedOut = true
	gen := t.gen
	t.timer = t.u.after(t.u.cfg.IdleWarning+t.u.cfg.IdleCountdown, func() {
		fyne.Do(func() {
			if gen == t.gen {
				t.u.logout("")
			}
		})
	})
}

// reset closes any warning and starts the wait for the warning again.
func (t *idleTimer) reset() {
	t.stop()
	t.signedOut = false
	gen := t.gen
	t.timer = t.u.after(t.u.cfg.IdleWarning, func() {
		fyne.Do(func() {
			if gen == t.gen {
				t.warn()
			}
		})
	})
}

// stop cancels the timers and closes the warning.
func (t *idleTimer) stop() {
	t.gen++
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	if t.popup != nil {
		t.popup.Hide()
		t.popup = nil
	}
	t.warning = false
	t.still, t.count, t.number = nil, nil, nil
	if t.u.buttons != nil {
		delete(t.u.buttons, idleStillID)
	}
}

// idleStillID is the id of "I am still here" (KioskUI.Button) while the
// warning shows.
const idleStillID = "idle.still_here"

// warn covers the whole screen: a person who stepped away and comes back
// must see it from a distance. The title on one line, the seconds left in
// figures four times the heading size, the sentence that says what happens,
// and one button, half the screen wide and half as tall again as a primary
// button. It is a modal pop-up over the screen, so what is under it stays
// as it was when the person taps the button.
func (t *idleTimer) warn() {
	u := t.u
	th := fynetheme.Current()
	t.warning = true
	t.left = u.cfg.IdleCountdown
	t.count = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	t.count.Wrapping = fyne.TextWrapWord
	t.number = canvas.NewText("", th.Color(fynetheme.ColorNameForeground, fynetheme.VariantLight))
	t.number.TextSize = 4 * th.Size(fynetheme.SizeNameHeadingText)
	t.number.TextStyle = fyne.TextStyle{Bold: true}
	t.number.Alignment = fyne.TextAlignCenter
	t.still = widget.NewButton(u.tr.T("button.still_here", nil), func() { t.reset() })
	t.still.Importance = widget.HighImportance
	u.buttons[idleStillID] = t.still
	t.showCount()
	title := widget.NewRichText(&widget.TextSegment{Text: u.tr.T("idle.title", nil),
		Style: widget.RichTextStyle{Alignment: fyne.TextAlignCenter, SizeName: fynetheme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}}})
	title.Wrapping = fyne.TextWrapWord
	bg := canvas.NewRectangle(th.Color(fynetheme.ColorNameOverlayBackground, fynetheme.VariantLight))
	c := u.win.Canvas()
	still := &fyne.Container{Layout: bigButtonLayout{c}, Objects: []fyne.CanvasObject{
		container.NewThemeOverride(t.still, headingText{th})}}
	content := container.NewStack(bg, container.NewCenter(container.NewVBox(title, t.number, t.count, still)))
	t.popup = widget.NewModalPopUp(content, c)
	t.popup.Resize(c.Size())
	t.popup.Show()
	u.announce(u.tr.T("idle.title", nil), t.count.Text, u.tr.T("idle.speak", nil))
	t.tick()
}

// bigButtonLayout makes the idle warning's one button half the window
// wide (at least the button's own width) and 1.5 primary buttons tall.
type bigButtonLayout struct{ c fyne.Canvas }

func (l bigButtonLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	th := fynetheme.Current()
	m := fyne.NewSize(l.c.Size().Width/2, 1.5*th.Size(theme.SizeNamePrimaryButtonHeight))
	for _, o := range objects {
		m = m.Max(o.MinSize())
	}
	return m
}

func (bigButtonLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// headingText is a theme whose body text is the heading size, for the one
// button of the idle warning.
type headingText struct{ fyne.Theme }

func (h headingText) Size(n fyne.ThemeSizeName) float32 {
	if n == fynetheme.SizeNameText {
		n = fynetheme.SizeNameSubHeadingText
	}
	return h.Theme.Size(n)
}

func (t *idleTimer) showCount() {
	secs := int((t.left + time.Second - 1) / time.Second)
	t.count.SetText(t.u.tr.TN("idle.warning", secs, map[string]any{"Seconds": secs}))
	t.number.Text = strconv.Itoa(secs)
	t.number.Refresh()
}

// tick counts down one second at a time; at zero it logs out.
func (t *idleTimer) tick() {
	gen := t.gen
	step := time.Second
	if t.left < step {
		step = t.left
	}
	t.timer = t.u.after(step, func() {
		fyne.Do(func() {
			if gen != t.gen {
				return
			}
			t.left -= step
			if t.left <= 0 {
				t.u.logout("idle.logged_out")
				return
			}
			t.showCount()
			t.tick()
		})
	})
}
