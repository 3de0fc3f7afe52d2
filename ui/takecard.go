package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// RemindEvery is how often the take-your-card screen says its reminder
// while the card stays in the reader.
const RemindEvery = 6 * time.Second

// departing is what the take-your-card screen keeps of the person who just
// logged out: their language, display mode and volume, so the reminder
// reaches the person it is meant for. Nothing about who they are.
type departing struct {
	lang     i18n.Lang
	settings theme.Settings
	volume   int
}

// logout wipes and shows the welcome screen with an optional notice key,
// or, while a card is still in the reader, the take-your-card screen first:
// the welcome screen's "insert your card" would be wrong, and the next
// person could not put theirs in.
// leave is the header's log out: at once, unless the screen holds input
// not yet saved (a power of attorney half made, an address typed), which
// a tap meant for the language button would throw away; then it asks
// first, and "Fortsæt" returns to the screen as it was.
func (u *KioskUI) leave() {
	if u.current == nil || u.current.unsaved == nil || !u.current.unsaved() {
		u.logout("")
		return
	}
	back := u.rebuild
	u.decide(func() decision {
		return decision{id: "confirm_logout", question: u.tr.T("logout.confirm", nil), means: u.tr.T("logout.confirm_means", nil),
			yes: u.tr.T("button.logout", nil), no: u.tr.T("logout.stay", nil), danger: true, exitInBar: true}
	}, func() { u.logout("") }, func() { u.show(back) })
}

func (u *KioskUI) logout(noticeKey string) {
	d := departing{lang: u.tr.Lang(), settings: u.settings, volume: u.volume}
	u.wipe()
	if u.k.CardPresent() {
		u.showTakeCard(d, noticeKey)
		return
	}
	if noticeKey != "" {
		u.setNotice(noticeInfo, u.tr.T(noticeKey, nil))
	}
	u.showWelcome()
}

// showTakeCard fills the whole window (no header, no footer: nothing to do
// here but take the card) with a picture of a card coming out of the
// reader, "Tag dit kort" and why, and says "Husk at tage dit kort" every
// RemindEvery at the person's volume, read-aloud or not, until the card
// leaves the reader (onCard then shows the welcome screen).
func (u *KioskUI) showTakeCard(d departing, noticeKey string) {
	_ = u.tr.SetLang(d.lang)
	u.settings = d.settings
	u.applyTheme()
	u.volume = d.volume
	u.sp.SetVolume(u.volume)
	tr := u.tr
	u.buttons = map[string]*widget.Button{}
	u.labels = map[string]*widget.Label{}
	u.rebuild = nil // nothing on it changes with the status
	u.headerBox = nil
	th := fynetheme.Current()
	// Three short words, twice the heading size: read from a step away.
	title := canvas.NewText(tr.T("takeCard.title", nil), th.Color(fynetheme.ColorNameForeground, fynetheme.VariantLight))
	title.TextSize = 2 * th.Size(fynetheme.SizeNameHeadingText)
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Alignment = fyne.TextAlignCenter
	why := u.label("take_card.why", tr.T("takeCard.still_in", nil))
	why.Alignment = fyne.TextAlignCenter
	why.TextStyle.Bold = true
	rows := []fyne.CanvasObject{layout.NewSpacer(), cardPicture(), title, why}
	notice := ""
	if noticeKey != "" {
		notice = tr.T(noticeKey, nil)
		rows = append(rows, u.noticeBox(noticeInfo, "notice", notice))
	}
	bg := canvas.NewRectangle(th.Color(fynetheme.ColorNameBackground, fynetheme.VariantLight))
	u.current = &screen{id: "take_card", signedOut: true,
		speak: says(notice, tr.T("takeCard.title", nil), tr.T("takeCard.still_in", nil))}
	rows = append(rows, layout.NewSpacer())
	u.win.SetContent(container.NewStack(bg, container.NewPadded(container.NewVBox(rows...))))
	u.idle.stop() // only the card leaving ends this screen
	u.remind(u.remindGen.Add(1))
}

// remind says the reminder now and again every RemindEvery for as long as
// the take-your-card screen of generation gen is showing.
func (u *KioskUI) remind(gen uint64) {
	if u.Screen() != "take_card" || u.remindGen.Load() != gen {
		return
	}
	u.say(utterance{u.tr.Lang(), u.tr.T("card.remove", nil)})
	u.after(RemindEvery, func() { fyne.Do(func() { u.remind(gen) }) })
}

// cardTaken ends the take-your-card screen: the reminder stops, the
// departing person's choices go, and the welcome screen is for the next.
func (u *KioskUI) cardTaken() {
	u.remindGen.Add(1)
	u.wipe()
	u.showWelcome()
}

// cardPicture draws a card half out of a reader slot with an arrow
// pointing away from the slot, from canvas shapes in the theme's colours
// (no image files, so it follows high contrast).
func cardPicture() fyne.CanvasObject {
	th := fynetheme.Current()
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, fynetheme.VariantLight) }
	reader := canvas.NewRectangle(c(fynetheme.ColorNameForeground))
	reader.CornerRadius = th.Size(fynetheme.SizeNameInputRadius)
	slot := canvas.NewRectangle(c(fynetheme.ColorNameBackground))
	card := canvas.NewRectangle(c(fynetheme.ColorNamePrimary))
	card.StrokeColor = c(fynetheme.ColorNameForeground)
	card.StrokeWidth = th.Size(fynetheme.SizeNameInputBorder)
	card.CornerRadius = 2 * th.Size(fynetheme.SizeNameInputRadius)
	chip := canvas.NewRectangle(c(fynetheme.ColorNameForegroundOnPrimary))
	chip.CornerRadius = th.Size(fynetheme.SizeNameInputRadius) / 2
	line := func() *canvas.Line {
		l := canvas.NewLine(c(fynetheme.ColorNameForeground))
		l.StrokeWidth = 3 * th.Size(fynetheme.SizeNameInputBorder)
		return l
	}
	shaft, left, right := line(), line(), line()
	// The card goes behind the reader's front so it looks as if it sits
	// in the slot.
	return &fyne.Container{Layout: pictureLayout{}, Objects: []fyne.CanvasObject{
		card, chip, reader, slot, shaft, left, right}}
}

// pictureLayout places cardPicture's shapes in a square of side
// 14 × the body text size (252 px, 392 in large text).
type pictureLayout struct{}

func (pictureLayout) side() float32 { return 14 * fynetheme.Current().Size(fynetheme.SizeNameText) }

func (l pictureLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSquareSize(l.side())
}

func (l pictureLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	s := l.side()
	x0, y0 := (size.Width-s)/2, (size.Height-s)/2
	at := func(o fyne.CanvasObject, x, y, w, h float32) {
		o.Move(fyne.NewPos(x0+x*s, y0+y*s))
		o.Resize(fyne.NewSize(w*s, h*s))
	}
	card, chip, reader, slot := objs[0], objs[1], objs[2], objs[3]
	at(card, 0.30, 0.30, 0.40, 0.50)
	at(chip, 0.38, 0.38, 0.12, 0.10)
	at(reader, 0.10, 0.70, 0.80, 0.28)
	at(slot, 0.25, 0.73, 0.50, 0.04)
	// An arrow up from the card: shaft and head.
	pt := func(x, y float32) fyne.Position { return fyne.NewPos(x0+x*s, y0+y*s) }
	for _, seg := range []struct {
		o    fyne.CanvasObject
		a, b fyne.Position
	}{{objs[4], pt(0.5, 0.24), pt(0.5, 0.02)}, {objs[5], pt(0.5, 0.02), pt(0.38, 0.12)}, {objs[6], pt(0.5, 0.02), pt(0.62, 0.12)}} {
		l := seg.o.(*canvas.Line)
		l.Position1, l.Position2 = seg.a, seg.b
	}
}
