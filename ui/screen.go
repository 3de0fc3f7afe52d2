package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// screen is one built screen: its id, its body, its actions and its
// read-aloud text. show lays it out in the bands of screenLayout.
type screen struct {
	id string
	// body is the screen's content. It scrolls (by finger, wheel or the
	// Up/Down buttons) when it is taller than the space left for it.
	body fyne.CanvasObject
	// actions go in the fixed action bar under the body, always visible:
	// the way back (Back, Cancel) first, the screen's main action last;
	// for a citizen signed in, "Bed om hjælp" comes before them all.
	// Buttons that belong to one item of a list stay in the body.
	actions []fyne.CanvasObject
	// message is the line for what a check says after a tap (a CPR number
	// that is not valid), kept in the bar above the actions: two lines are
	// reserved, so nothing in the body moves when it appears, and it is in
	// view however far the body is scrolled. Set its text with
	// KioskUI.setMessage.
	message *widget.Label
	// messageInfo shows the message line as information (what to do to go
	// on), not as an error.
	messageInfo bool
	// messageFolds gives the message line no room while it is empty: on a
	// screen where it only answers a tap on the main action, so the bar
	// grows then, under the finger that tapped.
	messageFolds bool
	// messageBox, if set, shows the message in the body instead of the bar:
	// on a screen whose body never scrolls and has no room to spare for
	// the bar to grow (the CPR pad in large text on 1024×768).
	messageBox *noticeView
	speak      string
	// receipt is the text of the receipt of what was just done, read aloud
	// after speak (and on its own by the screen's "read the receipt" button).
	receipt string
	// receiptLang is the language the receipt was printed in; it is read
	// with that voice even after the person switches language.
	receiptLang i18n.Lang
	// signedOut marks screens shown to nobody in particular: no idle timer.
	signedOut bool
	// exitInBar says the action bar holds the screen's way out, so the
	// header offers none: two "Afbryd" on one screen make a person wonder
	// which is which.
	exitInBar bool
	// fills marks a body that grows into all the room it is given (the
	// PIN pad): on a portrait panel the bar stays at the foot, not under
	// the body's least size.
	fills bool
	// unsaved, if set, reports whether the screen holds input that logging
	// out would lose: then log out asks first (see leave).
	unsaved func() bool
}

// show builds a screen with build and keeps build, so a language or theme
// change can rebuild it. The chrome (header and banners) is rebuilt too.
// While the display panel is open it stands in for the screen (whose
// build is kept for when the panel closes); any new screen closes it.
func (u *KioskUI) show(build func() *screen) {
	if !u.refreshing {
		u.displayOpen = false
	}
	u.buttons = map[string]*widget.Button{}
	u.labels = map[string]*widget.Label{}
	u.banners = map[string]*noticeView{}
	u.rebuild = build
	if u.displayOpen {
		build = u.buildDisplay
	}
	notice := u.takeNotice()
	s := build()
	if notice != nil {
		s.speak = says(u.labels["notice"].Text, s.speak)
	}
	u.current = s
	u.headerBox = container.NewStack(u.header())
	u.body = u.newPagedBody(container.New(insetLayout{}, s.body))
	inBar := s.message
	if s.messageBox != nil {
		inBar = nil
	}
	actions := s.actions
	if u.helpInBar() && !s.signedOut {
		actions = append([]fyne.CanvasObject{u.barHelp()}, actions...)
	}
	bar := u.actionBar(actions, notice, inBar, s.messageInfo, s.messageFolds)
	lasting := u.barLasting
	base := func() float32 { // the bar's height without notices and banners
		var h float32
		n := 0
		for _, o := range lasting {
			if o.Visible() {
				h += o.MinSize().Height
				n++
			}
		}
		return h + float32(max(n-1, 0))*fynetheme.Padding()
	}
	u.win.SetContent(&fyne.Container{Layout: screenLayout{overlay: len(visible(s.actions)) == 0 && s.message == nil, fill: s.fills, base: base},
		Objects: []fyne.CanvasObject{u.headerBox, u.body, bar}})
	if s.messageBox != nil {
		u.messageView = s.messageBox
	}
	if u.onRequest && !u.quiet {
		// What was read on request was about the screen that just left.
		u.onRequest = false
		u.stopSpeech()
	}
	switch {
	case s.signedOut && s.id == "welcome" && !u.personalised():
		u.idle.stop()
	case s.signedOut:
		u.idle.forget()
	default:
		u.idle.reset()
	}
	if u.readAloud && !u.quiet {
		u.speak()
	}
}

// refresh rebuilds the current screen (after a language, theme or status change).
func (u *KioskUI) refresh() {
	if u.rebuild != nil {
		u.refreshing = true
		defer func() { u.refreshing = false }()
		u.show(u.rebuild)
	}
}

// refreshQuiet rebuilds the current screen without reading it aloud again:
// after a toggle only the toggle's new state is said.
func (u *KioskUI) refreshQuiet() {
	u.quiet = true
	defer func() { u.quiet = false }()
	u.refresh()
}

// actionBar holds a screen's actions (see screen.actions) under a line;
// hidden when the screen has none.
// A notice (notice may be nil) goes in the bar too, above the actions:
// the bar grows upwards over the foot of the body, so nothing on the
// screen moves under a finger when a notice appears, and the notice is in
// view however far the body is scrolled. The message line (message may be
// nil) sits above the actions, which span the bar as on every screen.
func (u *KioskUI) actionBar(actions []fyne.CanvasObject, notice fyne.CanvasObject, message *widget.Label, info, folds bool) fyne.CanvasObject {
	bar := &fyne.Container{Layout: &barLayout{}, Objects: visible(actions)}
	line := widget.NewSeparator()
	box := container.NewVBox(line)
	// What stays in the bar while the screen is shown (see screenLayout.base);
	// none when the bar has no buttons.
	u.barLasting = nil
	if len(bar.Objects) > 0 {
		u.barLasting = []fyne.CanvasObject{line, bar}
	}
	u.bar, u.barBanners = box, 1 // banners that come while the screen is shown go after the line
	if notice != nil {
		box.Add(notice)
	}
	u.messageView = nil
	if len(bar.Objects) == 0 {
		bar.Hide()
	}
	switch {
	case message != nil:
		// The box's room is kept whether or not there is a message, so the
		// body keeps its size when one appears; a longer one grows the bar.
		kind := noticeError
		if info {
			kind = noticeInfo
		}
		u.messageView = newNoticeView(kind, message)
		if folds {
			u.messageView.fold()
		} else if u.barLasting != nil {
			u.barLasting = append(u.barLasting, u.messageView.box)
		}
		box.Add(u.messageView.box)
		if len(bar.Objects) > 0 {
			box.Add(bar)
		}
	case len(bar.Objects) > 0:
		box.Add(bar)
	case notice == nil:
		box.Hide()
	}
	return box
}

// setMessage shows text ("" clears it) in the current screen's message
// line and lays the window out again, in case a long text grows the bar.
func (u *KioskUI) setMessage(text string) {
	if u.current == nil || u.current.message == nil {
		return
	}
	if u.messageView != nil && u.messageView.label == u.current.message {
		u.messageView.set(text)
	} else {
		u.current.message.SetText(text)
	}
	if c := u.win.Content(); c != nil {
		c.Refresh()
	}
}

// takeNotice shows and clears a pending one-off message (help called, an
// overview printed, or why something failed: noticeKind says which).
func (u *KioskUI) takeNotice() fyne.CanvasObject {
	if u.notice == "" {
		return nil
	}
	n := u.noticeBox(u.noticeKind, "notice", u.notice)
	u.notice, u.noticeKind = "", noticeInfo
	return n
}

// setNotice leaves a one-off message of kind for the next screen shown.
func (u *KioskUI) setNotice(kind theme.NoticeKind, text string) {
	u.notice, u.noticeKind = text, kind
}
