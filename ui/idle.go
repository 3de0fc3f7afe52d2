package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
	count   *widget.Label
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
	t.still, t.count = nil, nil
}

func (t *idleTimer) warn() {
	u := t.u
	t.warning = true
	t.left = u.cfg.IdleCountdown
	t.count = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	t.count.Wrapping = fyne.TextWrapWord
	t.still = widget.NewButton(u.tr.T("button.still_here", nil), func() { t.reset() })
	t.showCount()
	content := container.NewVBox(
		heading(u.tr.T("idle.title", nil)),
		t.count,
		theme.PrimaryButton(t.still),
	)
	t.popup = widget.NewModalPopUp(container.NewPadded(content), u.win.Canvas())
	t.popup.Show()
	u.announce(u.tr.T("idle.title", nil), t.count.Text, u.tr.T("idle.speak", nil))
	t.tick()
}

func (t *idleTimer) showCount() {
	secs := int((t.left + time.Second - 1) / time.Second)
	t.count.SetText(t.u.tr.TN("idle.warning", secs, map[string]any{"Seconds": secs}))
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
