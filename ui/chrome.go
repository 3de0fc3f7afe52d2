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

// screen is one built screen: its id, its body, its actions and its
// read-aloud text. show lays it out in the bands of screenLayout.
type screen struct {
	id string
	// body is the screen's content. It scrolls (by finger, wheel or the
	// Up/Down buttons) when it is taller than the space left for it.
	body fyne.CanvasObject
	// actions go in the fixed action bar under the body, always visible:
	// the way back (Back, Cancel) first, the screen's main action last.
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
	u.win.SetContent(&fyne.Container{Layout: screenLayout{overlay: len(visible(s.actions)) == 0 && s.message == nil},
		Objects: []fyne.CanvasObject{u.headerBox, u.body, u.actionBar(s.actions, notice, inBar, s.messageInfo)}})
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

// utterance is one part of what say speaks.
type utterance struct {
	lang i18n.Lang
	text string
}

// say speaks parts one after another, off the Fyne thread. A newer say or
// stopSpeech ends the sequence: Speak itself cuts the utterance in progress
// short, and the generation number keeps a finished part from starting the
// next one after something newer began.
func (u *KioskUI) say(parts ...utterance) {
	if !u.sp.Available() {
		return
	}
	gen := u.speakGen.Add(1)
	sp := u.sp
	u.goFn(func() {
		for _, p := range parts {
			if strings.TrimSpace(p.text) == "" {
				continue
			}
			if u.speakGen.Load() != gen {
				return
			}
			if err := sp.Speak(context.Background(), p.lang, u.forEar(p.lang, p.text)); err != nil {
				if !errors.Is(err, speech.ErrStopped) {
					u.log.Warn("read aloud failed", "err", err)
				}
				return
			}
		}
	})
}

// forEar is text as it is said: dates and times as words, CPR numbers as
// birth dates, no ids (speech.Words).
func (u *KioskUI) forEar(lang i18n.Lang, text string) string {
	return speech.Words(lang, text, u.now())
}

// sayNow speaks sentences in the session's language.
func (u *KioskUI) sayNow(text ...string) { u.say(utterance{u.tr.Lang(), says(text...)}) }

// announce speaks a change on the screen (an error shown in place, a
// toggle's new state, a banner) when read-aloud is on.
func (u *KioskUI) announce(text ...string) {
	if u.readAloud {
		u.sayNow(text...)
	}
}

// stopSpeech cuts off whatever is being said and what was to follow.
func (u *KioskUI) stopSpeech() {
	u.speakGen.Add(1)
	u.sp.Stop()
}

// speak reads the current screen aloud, then its receipt if it has one;
// before is said first (such as "read-aloud is on").
func (u *KioskUI) speak(before ...string) {
	if u.current == nil {
		return
	}
	lang := u.tr.Lang()
	parts := []utterance{{lang, says(append(before, u.current.speak)...)}}
	if u.current.receipt != "" {
		parts = append(parts, u.receiptParts()...)
	}
	u.say(parts...)
}

// receiptParts says "the receipt says" in the person's language, then the
// receipt in its own.
func (u *KioskUI) receiptParts() []utterance {
	rl := u.current.receiptLang
	if rl == "" {
		rl = u.tr.Lang()
	}
	return []utterance{{u.tr.Lang(), u.tr.T("receipt.speak_intro", nil)}, {rl, u.current.receipt}}
}

// speakReceipt reads the current screen's receipt on request.
func (u *KioskUI) speakReceipt() {
	if u.current != nil && u.current.receipt != "" {
		u.onRequest = !u.readAloud
		u.say(u.receiptParts()...)
	}
}

func (u *KioskUI) speechAvailable() bool { return u.sp.Available() }

// Volume steps of the – and + buttons: never fully silent, since a person
// who turned it down to nothing could not hear how to turn it up.
const (
	volumeStep = 10
	volumeMin  = 10
	volumeMax  = 100
)

// toggle makes a labelled on/off button: a ticked box and the primary fill
// when on (so the state is not shown by colour alone), at least a touch
// target in size.
func (u *KioskUI) toggle(id, label string, on bool, f func()) *widget.Button {
	b := u.button(id, label, f)
	if on {
		// Importance first: SetIcon draws the button, and a later change
		// of importance would not show until something redrew it.
		b.Importance = widget.HighImportance
		b.SetIcon(fynetheme.CheckButtonCheckedIcon())
	} else {
		b.SetIcon(fynetheme.CheckButtonIcon())
	}
	return b
}

// onOff says a toggle's new state, for read-aloud.
func (u *KioskUI) onOff(nameKey string, on bool) string {
	key := "chrome.off"
	if on {
		key = "chrome.on"
	}
	return u.tr.T(key, map[string]any{"Name": u.tr.T(nameKey, nil)})
}

func (u *KioskUI) toggleContrast() {
	u.settings.HighContrast = !u.settings.HighContrast
	u.applyTheme()
	u.refreshQuiet()
	u.announce(u.onOff("settings.high_contrast", u.settings.HighContrast))
}

func (u *KioskUI) toggleLarge() {
	u.settings.LargeText = !u.settings.LargeText
	u.applyTheme()
	u.refreshQuiet()
	u.announce(u.onOff("settings.large_text", u.settings.LargeText))
}

// toggleRead switches read-aloud. Switching it on reads the screen;
// switching it off stops speech and says so once, so a person who cannot
// see the button still knows which way it went (EN 301 549 5.6.1).
func (u *KioskUI) toggleRead() {
	u.readAloud = !u.readAloud
	u.refreshQuiet()
	if u.readAloud {
		u.speak(u.onOff("chrome.read_name", true))
		return
	}
	u.stopSpeech()
	u.sayNow(u.onOff("chrome.read_name", false))
}

// changeVolume moves the read-aloud volume by delta within
// volumeMin–volumeMax and says the new level at that level, whether or not
// read-aloud is on: a person setting the volume wants to hear it.
func (u *KioskUI) changeVolume(delta int) {
	u.volume = min(max(u.volume+delta, volumeMin), volumeMax)
	u.sp.SetVolume(u.volume)
	u.refreshQuiet()
	u.onRequest = !u.readAloud
	u.sayNow(u.tr.T("chrome.volume", map[string]any{"Level": u.volume}))
}

// readPage reads the screen shown aloud once, on request: the header's
// large "Læs op".
func (u *KioskUI) readPage() {
	u.onRequest = !u.readAloud
	u.speak()
}

// openDisplay shows the display panel over the current screen; the
// header's "Skærm og lyd" closes it again, as does its own "Færdig".
func (u *KioskUI) openDisplay() {
	if u.displayOpen {
		u.closeDisplay()
		return
	}
	u.displayOpen = true
	u.showDisplayChange()
}

// showDisplayChange shows the panel opening or closing as a rebuild, not
// a new screen: what the person asked to hear goes on (they may be
// turning up the volume for it). With read-aloud on, what now shows is read.
func (u *KioskUI) showDisplayChange() {
	u.refreshQuiet()
	if u.readAloud {
		u.speak()
	}
}

// closeDisplay goes back to the screen the panel was opened on, as it is
// in the display just chosen (read aloud if read-aloud is now on).
func (u *KioskUI) closeDisplay() {
	u.displayOpen = false
	u.showDisplayChange()
}

// buildDisplay is the display panel: one screen for how the kiosk looks
// and sounds, so the header keeps two buttons for it ("Læs op" and
// "Skærm og lyd") instead of seven and the body gets the room. Each choice is a
// large toggle with a tick (not colour alone); the volume is − and + with
// the level between them.
func (u *KioskUI) buildDisplay() *screen {
	tr := u.tr
	contrast := u.toggle("toggle.contrast", tr.T("settings.high_contrast", nil), u.settings.HighContrast, u.toggleContrast)
	large := u.toggle("toggle.large", tr.T("settings.large_text", nil), u.settings.LargeText, u.toggleLarge)
	auto := u.toggle("toggle.read", tr.T("display.auto_read", nil), u.readAloud, u.toggleRead)
	down := u.button("volume.down", "−", func() { u.changeVolume(-volumeStep) })
	up := u.button("volume.up", "+", func() { u.changeVolume(volumeStep) })
	level := widget.NewLabelWithStyle(tr.T("chrome.volume", map[string]any{"Level": u.volume}), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	u.labels["volume"] = level
	if u.volume <= volumeMin {
		down.Disable()
	}
	if u.volume >= volumeMax {
		up.Disable()
	}
	var speechNote fyne.CanvasObject
	if !u.speechAvailable() {
		for _, b := range []*widget.Button{auto, down, up} {
			b.Disable()
		}
		speechNote = u.noticeBox(noticeInfo, "display.speech", tr.T("speech.unavailable", nil))
	}
	grid := func(objs ...fyne.CanvasObject) fyne.CanvasObject {
		return &fyne.Container{Layout: &menuLayout{}, Objects: objs}
	}
	volume := container.New(gapRow{}, square(down), container.NewCenter(level), square(up))
	// Two by two where the width allows: how it looks on the first row,
	// how it sounds on the second, so the whole panel is in view at once.
	body := vbox(
		heading(tr.T("display.title", nil)),
		grid(tall(contrast), tall(large), tall(auto), container.NewCenter(volume)),
		speechNote,
	)
	return &screen{
		id:        "display",
		signedOut: u.sess == nil,
		body:      body,
		actions:   []fyne.CanvasObject{u.primary("display.done", tr.T("button.done", nil), u.closeDisplay)},
		speak: says(tr.T("display.title", nil), u.onOff("settings.high_contrast", u.settings.HighContrast),
			u.onOff("settings.large_text", u.settings.LargeText), u.onOff("display.auto_read", u.readAloud),
			tr.T("chrome.volume", map[string]any{"Level": u.volume}), tr.T("display.speak", nil)),
	}
}

// actionBar holds a screen's actions (see screen.actions) under a line;
// hidden when the screen has none.
// A notice (notice may be nil) goes in the bar too, above the actions:
// the bar grows upwards over the foot of the body, so nothing on the
// screen moves under a finger when a notice appears, and the notice is in
// view however far the body is scrolled. The message line (message may be
// nil) sits above the actions, which span the bar as on every screen.
func (u *KioskUI) actionBar(actions []fyne.CanvasObject, notice fyne.CanvasObject, message *widget.Label, info bool) fyne.CanvasObject {
	bar := &fyne.Container{Layout: &barLayout{}, Objects: visible(actions)}
	box := container.NewVBox(widget.NewSeparator())
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

// header is the bar on every screen: the large "Læs op" in the top left
// corner (where the spoken hint says it is), the kiosk name, "Skærm og lyd"
// (the display panel), the other language and log out, then the banners
// (offline, stale trust, assisted by). One row when it fits; on a narrow
// panel the name makes way, then the buttons go to a second row; never
// wider than the window.
func (u *KioskUI) header() fyne.CanvasObject {
	tr := u.tr
	name := widget.NewLabelWithStyle(u.cfg.KioskName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	read := u.button("read", tr.T("chrome.read_page", nil), u.readPage)
	read.SetIcon(fynetheme.VolumeUpIcon())
	if !u.speechAvailable() {
		read.Disable()
	}
	display := u.button("display", tr.T("display.button", nil), u.openDisplay)
	if u.displayOpen {
		display.Importance = widget.HighImportance // before SetIcon, as in toggle
	}
	display.SetIcon(fynetheme.VisibilityIcon())
	// One button names the other language in that language ("English" on
	// a Danish screen): what a person who cannot read Danish looks for.
	other := i18n.English
	if tr.Lang() == i18n.English {
		other = i18n.Danish
	}
	langs := bigTarget(u.button("lang."+string(other), tr.T("lang."+string(other), nil), func() { u.setLang(other) }))
	items := []fyne.CanvasObject{nil, name, bigTarget(display), langs}
	if u.sess != nil || u.card != nil || u.assist != nil {
		items = append(items, bigTarget(u.button("logout", tr.T("button.logout", nil), func() { u.logout("") })))
	}
	items[0] = wide(read, items[2:]...)
	// One row with the name; one row without it (a narrow panel, large
	// text); two rows. "Læs op" stays at the left, log out at the right.
	arrangements := [][][]int{{{0, 1, 2, 3, 4}}, {{0, 2, 3, 4}}, {{0, 4}, {2, 3}}}
	rows := []fyne.CanvasObject{&fyne.Container{Layout: &rowsLayout{arrangements: arrangements, lead: 2}, Objects: items}}
	if !u.status.Online {
		rows = append(rows, u.banner(noticeWarning, "banner.offline", u.tr.TN("offline.banner", u.status.Pending, nil)))
	}
	if u.status.TrustStale {
		rows = append(rows, u.banner(noticeWarning, "banner.stale", u.tr.T("action.stale_trust", nil)))
	}
	if u.assist != nil {
		rows = append(rows, u.banner(noticeInfo, "banner.assisted", u.tr.T("staff.assisted_by", map[string]any{"Name": u.helper()})))
	}
	rows = append(rows, widget.NewSeparator())
	return container.NewVBox(rows...)
}

// banner is a notice box across the window for a state of the kiosk
// (offline, stale trust, assisted by).
func (u *KioskUI) banner(kind theme.NoticeKind, id, text string) fyne.CanvasObject {
	return u.noticeBox(kind, id, text)
}

// Kinds of notice box, see theme.NoticeKind.
const (
	noticeInfo    = theme.NoticeInfo
	noticeWarning = theme.NoticeWarning
	noticeError   = theme.NoticeError
)

// noticeBox shows an error, a warning or a piece of information as a box
// with an icon and the text beside it, in the foreground colour on a fill
// tinted by the kind (theme.NoticeColors; contrast-checked in every mode
// by TestNoticeContrast): not small coloured text, which is easy to miss
// and hard to read. The text label is registered under id (id may be "").
func (u *KioskUI) noticeBox(kind theme.NoticeKind, id, text string) fyne.CanvasObject {
	l := u.label(id, text)
	return newNoticeView(kind, l).box
}

// noticeView is a notice box whose text can change in place: empty, the
// box keeps its room but shows nothing (see actionBar).
type noticeView struct {
	box   *fyne.Container
	frame *canvas.Rectangle
	icon  *canvas.Image
	label *widget.Label
}

func newNoticeView(kind theme.NoticeKind, l *widget.Label) *noticeView {
	th := fynetheme.Current()
	fill, edge := theme.NoticeColors(th, kind)
	frame := canvas.NewRectangle(fill)
	frame.StrokeColor = edge
	frame.StrokeWidth = 2 * th.Size(fynetheme.SizeNameInputBorder)
	frame.CornerRadius = th.Size(fynetheme.SizeNameInputRadius)
	icon := canvas.NewImageFromResource(kind.IconResource())
	icon.FillMode = canvas.ImageFillContain
	side := 1.25 * th.Size(fynetheme.SizeNameInlineIcon)
	icon.SetMinSize(fyne.NewSquareSize(side))
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.MediumImportance
	l.TextStyle.Bold = true
	n := &noticeView{frame: frame, icon: icon, label: l}
	// No padding around the whole: the label's own inner padding is the
	// room above and below the text, which keeps a one-line box no taller
	// than a button (a notice should not push a screen into scrolling).
	n.box = container.NewStack(frame, container.NewBorder(nil, nil, container.NewVBox(container.NewPadded(icon)), nil, l))
	n.sync()
	return n
}

// set changes the text ("" hides the box but keeps its room).
func (n *noticeView) set(text string) {
	n.label.SetText(text)
	n.sync()
}

func (n *noticeView) sync() {
	empty := n.label.Text == ""
	// The icon is made invisible, not hidden, so it keeps its room and the
	// text does not shift when a message appears.
	n.frame.Hidden = empty
	n.icon.Translucency = 0
	if empty {
		n.icon.Translucency = 1
	}
	n.frame.Refresh()
	n.icon.Refresh()
}

// helper is the name of the staff member helping: once the citizen is
// signed in, as the session records it for the actions (from the staff
// card that signed the grant), before that as the grant says.
func (u *KioskUI) helper() string {
	if u.sess != nil {
		if a := u.sess.AssistedBy(); a != nil {
			return a.Name
		}
	}
	return u.assist.Staff.Name
}

// helpButton offers to call staff, except while staff are already
// helping (an assisted session): then it is nil, which vbox and the
// layouts leave out.
func (u *KioskUI) helpButton(id string) fyne.CanvasObject {
	if u.assist != nil {
		return nil
	}
	return u.big(id, u.tr.T("button.help", nil), u.callStaff)
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

// tall makes a secondary button as large as a primary one, without the
// primary colour (a screen has one main action).
func tall(b *widget.Button) fyne.CanvasObject { return theme.TallButton(b) }

// square makes a one-character button (volume – and +) a large square.
func square(b *widget.Button) fyne.CanvasObject { return theme.SquareButton(b) }

// wide makes the header's "Læs op" the largest target: a touch target
// wider than any of others (wideLayout).
func wide(b *widget.Button, others ...fyne.CanvasObject) fyne.CanvasObject {
	return &fyne.Container{Layout: wideLayout{others: others}, Objects: []fyne.CanvasObject{theme.TouchTarget(b)}}
}

// bigTarget keeps a chrome button at least a touch target square.
func bigTarget(b *widget.Button) fyne.CanvasObject { return theme.TouchTarget(b) }

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
