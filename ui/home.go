package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// waiting counts what waits for the person in the state fetched in this
// session: consent requests to answer, delegations offered to them (taken
// with the code), and delegations they gave that the other person has not
// taken yet. ok is false when the state is unknown or may be out of date:
// a count the kiosk cannot vouch for is not shown.
func (u *KioskUI) waiting() (consents, offered, given int, ok bool) {
	if u.state == nil || u.stateErr != nil {
		return 0, 0, 0, false
	}
	now := u.now()
	for _, c := range u.state.Consents {
		if c.StateAt(now) == bk.ConsentRequested {
			consents++
		}
	}
	for _, d := range u.state.GivenToMe {
		if d.StateAt(now) == bk.DelegationPending {
			offered++
		}
	}
	for _, d := range u.state.GivenByMe {
		if d.StateAt(now) == bk.DelegationPending {
			given++
		}
	}
	return consents, offered, given, true
}

// menuChoice is one choice on the home screen.
type menuChoice struct {
	id, title, explain string
	count              string // what waits there, "" for nothing
	icon               fyne.Resource
	tapped             func()
}

// homeChoices are the citizen's choices, always in the same order, and
// which is the main one: the one with something waiting for an answer
// (consents, then a delegation offered), else consents, the errand most
// people come for.
func (u *KioskUI) homeChoices() (choices []menuChoice, main int) {
	tr := u.tr
	nConsents, nOffered, nGiven, known := u.waiting()
	count := func(key string, n int) string {
		if !known || n == 0 {
			return ""
		}
		return tr.TN(key, n, map[string]any{"Count": n})
	}
	choices = []menuChoice{
		{"home.consents", tr.T("home.consents", nil), tr.T("home.consents_explain", nil),
			count("home.consents_waiting", nConsents), fynetheme.DocumentIcon(), u.openConsents},
		{"home.delegations", tr.T("home.delegations", nil), tr.T("home.delegations_explain", nil),
			count("home.delegations_waiting", nGiven), fynetheme.AccountIcon(), u.openDelegations},
		{"home.handover", tr.T("home.handover", nil), tr.T("home.handover_explain", nil),
			count("home.handover_waiting", nOffered), fynetheme.LoginIcon(), u.showScan},
		{"home.overview", tr.T("home.overview", nil), tr.T("home.overview_explain", nil), "",
			fynetheme.DocumentPrintIcon(), u.printOverview},
		{"home.usage", tr.T("home.usage", nil), tr.T("home.usage_explain", nil), "",
			fynetheme.VisibilityIcon(), u.openUsage},
		{"home.contact", tr.T("home.contact", nil), tr.T("home.contact_explain", nil), "",
			fynetheme.MailComposeIcon(), u.openContact},
	}
	// "Bed om hjælp" is in the action bar (helpInBar), not a tile: a tile
	// was below the fold in large text.
	if known && nConsents == 0 && nOffered > 0 {
		main = 2
	}
	// What ends soon comes first and is the main choice: it is the one
	// thing that cannot wait (a consent request can, for a year). Its
	// line on what it is for is the soonest ending, in words.
	if ends := u.endings(); len(ends) > 0 {
		choices = append([]menuChoice{{"home.reminders", tr.T("home.reminders", nil), u.reminderText(ends[0]),
			tr.TN("home.reminders_count", len(ends), map[string]any{"Count": len(ends)}), fynetheme.HistoryIcon(), u.openReminders}}, choices...)
		main = 0
	}
	return choices, main
}

// choiceTile is a choice as one large tap target: a button the size of
// the whole tile, under its icon, title, count and a line on what it is
// for (text is not tappable, so a tap anywhere on the tile is the
// button's). The main choice is filled with the primary colour, the others
// are outlined; a count is bold, so what waits stands out in every mode.
// The tile has its text twice, with and without the line on what it is
// for; tilesLayout shows one.
func (u *KioskUI) choiceTile(c menuChoice, main bool) (fyne.CanvasObject, tileText) {
	b := u.button(c.id, "", c.tapped)
	fg := fynetheme.ColorNameForeground
	if main {
		b.Importance = widget.HighImportance
		fg = fynetheme.ColorNameForegroundOnPrimary
	}
	seg := func(text string, style widget.RichTextStyle) widget.RichTextSegment {
		style.ColorName = fg
		style.Inline = false
		return &widget.TextSegment{Text: text, Style: style}
	}
	title := widget.RichTextStyleStrong
	title.SizeName = fynetheme.SizeNameSubHeadingText
	head := []widget.RichTextSegment{seg(c.title, title)}
	if c.count != "" {
		head = append(head, seg(c.count, widget.RichTextStyleStrong))
	}
	rich := func(segs ...widget.RichTextSegment) *widget.RichText {
		t := widget.NewRichText(segs...)
		t.Wrapping = fyne.TextWrapWord
		return t
	}
	t := tileText{full: rich(append(head, seg(c.explain, widget.RichTextStyleParagraph))...), short: rich(head...)}
	t.short.Hide()
	icon := widget.NewIcon(fynetheme.NewColoredResource(c.icon, fg))
	// The icon stands by the title (as far down as the text's inset); the
	// text wraps beside it.
	th := fynetheme.Current()
	inset := th.Size(fynetheme.SizeNameInnerPadding) + (th.Size(fynetheme.SizeNameSubHeadingText)-th.Size(fynetheme.SizeNameInlineIcon))/2
	at := container.New(layout.NewCustomPaddedLayout(inset, 0, 0, 0), icon)
	content := container.NewBorder(nil, nil, container.NewVBox(at), nil, container.NewStack(t.full, t.short))
	tile := container.NewStack(b, container.NewPadded(content))
	return theme.Tile(tile, !main), t
}

// tileText is a home tile's text with (full) and without (short) the line
// on what the choice is for.
type tileText struct{ full, short *widget.RichText }

// tilesLayout is menuLayout for the home tiles. Where the lines on what
// each choice is for would push the first must choices below the fold
// (large text on a 1024×768 panel), every tile shows its title and count
// only: seeing the choices matters more than the lines about them, which
// are still read aloud. Like pinLayout it decides from the space alone:
// each time from what the full texts would need.
type tilesLayout struct {
	menuLayout
	texts    []tileText
	must     int
	self     *fyne.Container
	viewport func() float32 // the body's visible height; 0 before it has one
	resized  func()         // tells the body its content changed height
	short    bool
	// The choice changes the body's height, and with it whether the page
	// buttons show and so the viewport it was made from: it could flip for
	// ever (a stack overflow, as resized lays out again at once). So no
	// choice while resized runs, and after two flips the short text stays.
	deciding bool
	flips    int
}

func (l *tilesLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.menuLayout.Layout(objs, size)
	view := l.viewport()
	if l.deciding || view <= 0 || len(objs) == 0 || len(objs) != len(l.texts) {
		return
	}
	// The cell as tall as the tallest tile with its full text.
	var cell float32
	for i, t := range l.texts {
		shown := t.full
		if l.short {
			shown = t.short
			t.full.Resize(fyne.NewSize(shown.Size().Width, t.full.Size().Height)) // wraps it at the width it would have
		}
		cell = max(cell, objs[i].Size().Height-shown.Size().Height+t.full.MinSize().Height)
	}
	cols, _ := l.grid(objs, size.Width)
	rows := float32((l.must + cols - 1) / cols)
	need := rows*cell + (rows-1)*gap()
	short := l.self.Position().Y+fynetheme.Padding()+need > view
	if short == l.short || !short && l.flips >= 2 {
		return
	}
	l.flips++
	l.short = short
	for _, t := range l.texts {
		show(t.full, !short)
		show(t.short, short)
	}
	l.menuLayout.Layout(objs, size)
	l.deciding = true
	defer func() { l.deciding = false }()
	l.resized()
}

// showHome is the citizen's menu: a greeting, and the choices as tiles.
// Online it fetches the state first, as the lists do, so the counts are
// those of now (an answer just given no longer waits); offline it shows at
// once, with counts only from a state it can vouch for (see waiting).
func (u *KioskUI) showHome() {
	if u.status.Online && u.sess != nil {
		u.loadState(u.buildHome)
		return
	}
	u.buildHome()
}

func (u *KioskUI) buildHome() {
	u.show(func() *screen {
		tr := u.tr
		hello := tr.T("home.hello", map[string]any{"Name": u.sess.Person().Name})
		var offline fyne.CanvasObject
		speakOffline := ""
		if !u.status.Online {
			speakOffline = tr.T("home.offline", nil)
			offline = u.label("home.offline", speakOffline)
		}
		choices, main := u.homeChoices()
		must := 3 // consents, delegations, handover; what ends soon before them
		if choices[0].id == "home.reminders" {
			must = 4
		}
		tl := &tilesLayout{must: must, viewport: func() float32 {
			if u.body == nil {
				return 0
			}
			return u.body.Size().Height
		}, resized: func() {
			if u.body != nil {
				u.body.Refresh() // decides again whether the page buttons show
			}
		}}
		tiles := &fyne.Container{Layout: tl, Objects: make([]fyne.CanvasObject, len(choices))}
		tl.self = tiles
		speak := []string{hello, speakOffline}
		for i, c := range choices {
			var t tileText
			tiles.Objects[i], t = u.choiceTile(c, i == main)
			tl.texts = append(tl.texts, t)
			speak = append(speak, c.title, c.count, c.explain)
		}
		return &screen{
			id:    "home",
			body:  vbox(heading(hello), offline, tiles),
			speak: says(append(speak, tr.T("home.speak_end", nil))...),
		}
	})
}

func (u *KioskUI) printOverview() {
	var err error
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		err = u.sess.PrintOverview(ctx)
	}, func() {
		if u.sess == nil {
			return
		}
		u.notice = u.tr.T("home.overview_printed", nil)
		if err != nil {
			u.notice = u.tr.T("error.printer_overview", nil)
		}
		u.refresh()
	})
}

// staleTrustRefusal names, per widening action, what cannot be done
// while the kiosk's keys and rules are too old.
var staleTrustRefusal = map[bk.ActionKind]string{
	bk.GiveConsent:      "result.stale_trust.give_consent",
	bk.CreateDelegation: "result.stale_trust.create_delegation",
	bk.AcceptDelegation: "result.stale_trust.accept_delegation",
}

// resultBack names, per kind, where the result's way back goes (the list
// the action was made from); a kind without one goes back home only.
var resultBack = map[bk.ActionKind]string{
	bk.GiveConsent:        "result.back_consents",
	bk.DeclineConsent:     "result.back_consents",
	bk.WithdrawConsent:    "result.back_consents",
	bk.RevokeDelegation:   "result.back_delegations",
	bk.RenounceDelegation: "result.back_delegations",
	bk.AcceptDelegation:   "result.back_delegations",
	bk.RenewDelegation:    "result.back_delegations",
	bk.SetContact:         "result.back_contact",
}
