package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/speech"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// screen is one built screen: its id, its body and its read-aloud text.
type screen struct {
	id    string
	body  fyne.CanvasObject
	speak string
	// signedOut marks screens shown to nobody in particular: no idle timer.
	signedOut bool
}

// show builds a screen with build and keeps build, so a language or theme
// change can rebuild it. The chrome (header and banners) is rebuilt too.
func (u *KioskUI) show(build func() *screen) {
	u.buttons = map[string]*widget.Button{}
	u.labels = map[string]*widget.Label{}
	u.rebuild = build
	notice := u.takeNotice()
	s := build()
	if notice != nil {
		s.body = vbox(notice, s.body)
		s.speak = says(u.labels["notice"].Text, s.speak)
	}
	u.current = s
	u.headerBox = container.NewStack(u.header())
	content := container.NewBorder(u.headerBox, nil, nil, nil, container.NewVScroll(container.NewPadded(s.body)))
	u.win.SetContent(content)
	if s.signedOut {
		u.idle.stop()
	} else {
		u.idle.reset()
	}
	if u.readAloud {
		u.speak()
	}
}

// refresh rebuilds the current screen (after a language, theme or status change).
func (u *KioskUI) refresh() {
	if u.rebuild != nil {
		u.show(u.rebuild)
	}
}

// speak reads the current screen aloud.
func (u *KioskUI) speak() {
	if u.current == nil || !u.sp.Available() {
		return
	}
	text, lang, sp := u.current.speak, u.tr.Lang(), u.sp
	u.goFn(func() {
		if err := sp.Speak(context.Background(), lang, text); err != nil && !errors.Is(err, speech.ErrStopped) {
			u.log.Warn("read aloud failed", "err", err)
		}
	})
}

func (u *KioskUI) speechAvailable() bool { return u.sp.Available() }

// header is the bar on every screen: kiosk name, language, read aloud and
// log out, then the banners (offline, stale trust, assisted by).
func (u *KioskUI) header() fyne.CanvasObject {
	name := widget.NewLabelWithStyle(u.cfg.KioskName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	da := u.button("lang.da", u.tr.T("lang.da", nil), func() { u.setLang(i18n.Danish) })
	en := u.button("lang.en", u.tr.T("lang.en", nil), func() { u.setLang(i18n.English) })
	if u.tr.Lang() == i18n.Danish {
		da.Importance = widget.HighImportance
	} else {
		en.Importance = widget.HighImportance
	}
	right := []fyne.CanvasObject{da, en}
	read := u.button("read", u.tr.T("button.read_aloud", nil), u.speak)
	read.SetIcon(fynetheme.VolumeUpIcon())
	if !u.speechAvailable() {
		read.Disable()
	}
	right = append(right, read)
	if u.sess != nil || u.card != nil || u.assist != nil {
		right = append(right, u.button("logout", u.tr.T("button.logout", nil), func() { u.logout("") }))
	}
	bar := container.NewBorder(nil, nil, name, container.NewHBox(right...))
	rows := []fyne.CanvasObject{bar}
	if !u.status.Online {
		rows = append(rows, u.banner("banner.offline", u.tr.TN("offline.banner", u.status.Pending, nil)))
	}
	if u.status.TrustStale {
		rows = append(rows, u.banner("banner.stale", u.tr.T("action.stale_trust", nil)))
	}
	if u.assist != nil {
		rows = append(rows, u.banner("banner.assisted", u.tr.T("staff.assisted_by", map[string]any{"Name": u.assist.Staff.Name})))
	}
	rows = append(rows, widget.NewSeparator())
	return container.NewVBox(rows...)
}

// banner is a full-width coloured line of text.
func (u *KioskUI) banner(id, text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.WarningImportance
	u.labels[id] = l
	bg := canvas.NewRectangle(fynetheme.Color(fynetheme.ColorNameHover))
	return container.NewStack(bg, l)
}

func (u *KioskUI) setLang(l i18n.Lang) {
	u.touch()
	if err := u.tr.SetLang(l); err != nil {
		u.log.Error("set language", "err", err)
		return
	}
	if u.sess != nil {
		u.sess.SetLang(string(l))
	}
	u.refresh()
}

// button makes a button whose tap counts as activity (resets the idle
// timer) and registers it under id for tests.
func (u *KioskUI) button(id, label string, tapped func()) *widget.Button {
	b := widget.NewButton(label, func() {
		u.touch()
		if tapped != nil {
			tapped()
		}
	})
	u.buttons[id] = b
	return b
}

// primary makes the screen's main button: high importance, 64 px tall
// (96 in large text), at least a touch target wide.
func (u *KioskUI) primary(id, label string, tapped func()) fyne.CanvasObject {
	return theme.PrimaryButton(u.button(id, label, tapped))
}

// big makes a secondary button at least the touch-target size.
func (u *KioskUI) big(id, label string, tapped func()) fyne.CanvasObject {
	return theme.TouchTarget(u.button(id, label, tapped))
}

// label makes a wrapping label registered under id (id may be "").
func (u *KioskUI) label(id, text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	if id != "" {
		u.labels[id] = l
	}
	return l
}

func heading(text string) fyne.CanvasObject {
	t := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyleHeading})
	t.Wrapping = fyne.TextWrapWord
	return t
}

func subheading(text string) fyne.CanvasObject {
	t := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyleSubHeading})
	t.Wrapping = fyne.TextWrapWord
	return t
}

// notice shows and clears a pending one-off message.
func (u *KioskUI) takeNotice() fyne.CanvasObject {
	if u.notice == "" {
		return nil
	}
	l := u.label("notice", u.notice)
	l.Importance = widget.WarningImportance
	u.notice = ""
	return l
}

// says joins sentences for read-aloud, skipping empty ones.
func says(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			if !strings.HasSuffix(p, ".") && !strings.HasSuffix(p, "?") && !strings.HasSuffix(p, "!") {
				p += "."
			}
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// vbox drops nil objects, so optional rows can be passed as nil.
func vbox(objs ...fyne.CanvasObject) *fyne.Container {
	var out []fyne.CanvasObject
	for _, o := range objs {
		if o != nil {
			out = append(out, o)
		}
	}
	return container.NewVBox(out...)
}

// card groups a few rows with a border, for one consent or delegation.
func card(objs ...fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(fynetheme.Color(fynetheme.ColorNameInputBackground))
	bg.StrokeColor = fynetheme.Color(fynetheme.ColorNameInputBorder)
	bg.StrokeWidth = 2
	bg.CornerRadius = 6
	return container.NewStack(bg, container.NewPadded(vbox(objs...)))
}
