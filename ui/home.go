package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// onStatus keeps the banners current. Only the header is rebuilt, so a
// status change never wipes digits being typed; the staff home, which is
// all status, is rebuilt whole.
//
// A banner that appears is read aloud when read-aloud is on (EN 301 549
// 5.1.3.1, WCAG 4.1.3): a person who cannot see it must still learn that
// the kiosk went offline or that new permissions are refused.
func (u *KioskUI) onStatus(s Status) {
	old := u.status
	u.status = s
	var news []string
	if old.Online && !s.Online {
		news = append(news, u.tr.TN("offline.banner", s.Pending, nil))
	}
	if !old.TrustStale && s.TrustStale {
		news = append(news, u.tr.T("action.stale_trust", nil))
	}
	if u.Screen() == "staff_home" {
		u.refresh() // reads the whole status page again when read-aloud is on
		return
	}
	if u.headerBox != nil {
		u.headerBox.Objects = []fyne.CanvasObject{u.header()}
		u.headerBox.Refresh()
	}
	if len(news) > 0 {
		u.announce(news...)
	}
}

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
		{"home.help", tr.T("button.help", nil), tr.T("home.help_explain", nil), "",
			fynetheme.HelpIcon(), u.callStaff},
	}
	if u.assist != nil { // staff are already helping: no call for help
		choices = choices[:len(choices)-1]
	}
	if known && nConsents == 0 && nOffered > 0 {
		main = 2
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
}

func (l *tilesLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.menuLayout.Layout(objs, size)
	view := l.viewport()
	if view <= 0 || len(objs) == 0 || len(objs) != len(l.texts) {
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
	if short == l.short {
		return
	}
	l.short = short
	for _, t := range l.texts {
		show(t.full, !short)
		show(t.short, short)
	}
	l.menuLayout.Layout(objs, size)
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
		tl := &tilesLayout{must: 3, viewport: func() float32 {
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

// loadState fetches the citizen's state live. Offline, the state fetched
// earlier in this session (if any) is kept and stateErr says why it may
// be out of date; it is wiped at logout like everything else.
func (u *KioskUI) loadState(then func()) {
	var st *bk.CitizenState
	var err error
	sess := u.sess
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		st, err = sess.State(ctx)
	}, func() {
		if u.sess != sess { // logged out meanwhile
			return
		}
		if err != nil {
			u.stateErr = err
		} else {
			u.state, u.stateErr = st, nil
		}
		then()
	})
}

func (u *KioskUI) openConsents() { u.loadState(u.showConsents) }

// unavailable is shown when citizen state cannot be fetched and none was
// fetched earlier: it says so and lists what can still be done offline.
func (u *KioskUI) unavailable(id, titleKey string) *screen {
	tr := u.tr
	return &screen{
		id: id,
		body: vbox(
			heading(tr.T(titleKey, nil)),
			u.label(id+".message", tr.T("state.unavailable", nil)),
			subheading(tr.T("state.can_do", nil)),
			u.big(id+".create", tr.T("delegation.create", nil), u.startCreate),
			u.big(id+".handover", tr.T("home.handover", nil), u.showScan),
			u.big(id+".help", tr.T("button.help", nil), u.callStaff),
		),
		actions: []fyne.CanvasObject{u.big(id+".back", tr.T("button.back", nil), u.showHome)},
		speak: says(tr.T(titleKey, nil), tr.T("state.unavailable", nil), tr.T("state.can_do", nil),
			tr.T("delegation.create", nil), tr.T("home.handover", nil), tr.T("button.help", nil)),
	}
}

// staleNote says when state is from earlier in the session.
func (u *KioskUI) staleNote() (fyne.CanvasObject, string) {
	if u.stateErr == nil || u.state == nil {
		return nil, ""
	}
	t := u.tr.T("state.cached", map[string]any{"Time": u.clock(u.state.FetchedAt)})
	l := u.label("state.cached", t)
	l.Importance = widget.WarningImportance
	return l, t
}

func (u *KioskUI) authorityName(id string) string {
	if a, ok := u.k.Catalogue().Authority(id); ok {
		return a.Name.In(u.lang())
	}
	return id
}

func (u *KioskUI) categories(ids []string) string {
	var names []string
	for _, id := range ids {
		if d, ok := u.k.Catalogue().DataCategory(id); ok {
			names = append(names, d.Name.In(u.lang()))
		} else {
			names = append(names, id)
		}
	}
	return strings.Join(names, ", ")
}

func (u *KioskUI) consentState(s bk.ConsentState) string {
	return u.tr.T("consent.state."+string(s), nil)
}

// showConsents lists open requests, consents in force and history.
func (u *KioskUI) showConsents() {
	u.show(func() *screen {
		tr := u.tr
		if u.state == nil {
			return u.unavailable("consents", "consent.title")
		}
		now := u.now()
		note, noteText := u.staleNote()
		var pending, active, history []fyne.CanvasObject
		var sayPending, sayActive, sayHistory []string
		var nPending, nActive int
		for _, c := range u.state.Consents {
			c := c
			auth := u.authorityName(c.AuthorityID)
			item := func(state string) string {
				return tr.T("consents.item", map[string]any{"Authority": auth, "State": state, "Purpose": c.Purpose.In(u.lang())})
			}
			rows := []fyne.CanvasObject{
				subheading(auth),
				u.label("", tr.T("consent.purpose", nil)+": "+c.Purpose.In(u.lang())),
				u.label("", tr.T("consent.data", nil)+": "+u.categories(c.DataCategories)),
			}
			switch st := c.StateAt(now); st {
			case bk.ConsentRequested:
				nPending++
				rows = append(rows,
					u.label("", tr.T("consents.period", map[string]any{"Period": bk.PeriodText(c.ValidDays, u.lang())})),
					u.readMore("consent.more."+c.ID, tr.T("consent.legal_basis", nil)+": "+c.LegalBasis.In(u.lang())),
					u.primary("consent.give."+c.ID, tr.T("consent.give", nil), func() { u.confirmGive(c) }),
					u.big("consent.decline."+c.ID, tr.T("consent.decline", nil), func() { u.confirmDecline(c) }),
				)
				pending = append(pending, card(rows...))
				sayPending = append(sayPending, item(u.consentState(st)))
			case bk.ConsentGiven:
				nActive++
				rows = append(rows,
					u.label("", tr.T("consent.valid_until", map[string]any{"Date": u.date(c.ValidUntil)})),
					u.label("", tr.T("consent.withdraw_means", map[string]any{"Authority": auth})),
					u.destructive("consent.withdraw."+c.ID, tr.T("consent.withdraw", nil), func() { u.confirmWithdraw(c) }),
				)
				active = append(active, card(rows...))
				sayActive = append(sayActive, item(u.consentState(st)+", "+tr.T("consent.valid_until", map[string]any{"Date": u.date(c.ValidUntil)})))
			default:
				rows = append(rows, u.label("", u.consentState(st)+" "+u.date(c.ChangedAt)))
				if mayChangeMind(c, now) {
					rows = append(rows, u.big("consent.give."+c.ID, tr.T("consent.give_after_all", nil), func() { u.confirmGive(c) }))
				}
				history = append(history, card(rows...))
				sayHistory = append(sayHistory, item(u.consentState(st)+" "+u.date(c.ChangedAt)))
			}
		}
		section := func(titleKey, noneKey string, items []fyne.CanvasObject) fyne.CanvasObject {
			if len(items) == 0 {
				return vbox(subheading(tr.T(titleKey, nil)), u.label("", tr.T(noneKey, nil)))
			}
			return vbox(append([]fyne.CanvasObject{subheading(tr.T(titleKey, nil))}, items...)...)
		}
		return &screen{
			id: "consents",
			body: vbox(
				heading(tr.T("consent.title", nil)),
				u.label("", tr.T("consent.intro", nil)),
				note,
				section("consents.pending", "consents.pending_none", pending),
				section("consents.active", "consents.active_none", active),
				section("consents.history", "consents.history_none", history),
			),
			actions: []fyne.CanvasObject{u.big("consents.back", tr.T("button.back", nil), u.showHome)},
			speak: says(append(append([]string{tr.T("consent.title", nil), noteText,
				tr.T("consents.summary", map[string]any{"Pending": nPending, "Active": nActive})},
				sayList(tr.T("consents.pending", nil), sayPending, sayList(tr.T("consents.active", nil), sayActive,
					sayList(tr.T("consents.history", nil), sayHistory, nil)))...),
				tr.T("consents.speak", nil))...),
		}
	})
}

// readMore is a "Læs mere" button that shows text in its place: the
// legal basis matters to few, so it waits behind a tap instead of adding
// a long word to every card. The text is read aloud when shown.
func (u *KioskUI) readMore(id, text string) fyne.CanvasObject {
	more := u.label(id+".text", text)
	more.Hide()
	var b *widget.Button
	b = u.button(id, u.tr.T("consent.more", nil), func() {
		b.Hide()
		more.Show()
		u.announce(text)
	})
	return vbox(theme.TouchTarget(b), more)
}

// sayList puts a section's spoken items after its title, in front of rest;
// an empty section is left out (the summary already gave its count).
func sayList(title string, items []string, rest []string) []string {
	if len(items) == 0 {
		return rest
	}
	return append(append([]string{title}, items...), rest...)
}

// once makes a submit button's action run at most once per build of its
// screen: a double tap, or a tap that arrives while the action is being
// saved, is ignored (EN 301 549 5.8). Each rebuild makes a fresh button.
func once(f func()) func() {
	done := false
	return func() {
		if done {
			return
		}
		done = true
		f()
	}
}

// consentRules are the limits the kiosk's session applies (session uses
// bk.DefaultRules too): how long a request stays open, the clock skew.
var consentRules = bk.DefaultRules(nil)

// mayChangeMind says whether a declined consent can still be given: the
// rules let a person change their mind while the request is open, with a
// give clearly after the decline (a give at about the same time loses).
func mayChangeMind(c *bk.Consent, now time.Time) bool {
	return c.StateAt(now) == bk.ConsentDeclined && now.After(c.ChangedAt.Add(consentRules.ClockSkew)) &&
		now.Before(openUntil(c))
}

// openUntil is when a consent request stops taking a yes.
func openUntil(c *bk.Consent) time.Time { return c.RequestedAt.Add(consentRules.RequestOpen) }

// consentFacts are what a person checks before answering: what the
// authority may use and what for.
func (u *KioskUI) consentFacts(c *bk.Consent) []fact {
	tr := u.tr
	return []fact{
		{tr.T("consent.data_fact", nil), u.categories(c.DataCategories)},
		{tr.T("consent.purpose", nil), c.Purpose.In(u.lang())},
	}
}

// confirmGive asks "may the authority use this?", restating the data, the
// purpose and the period, and what a yes means.
func (u *KioskUI) confirmGive(c *bk.Consent) {
	u.decide(func() decision {
		tr := u.tr
		auth := u.authorityName(c.AuthorityID)
		until := u.date(u.now().AddDate(0, 0, c.ValidDays))
		period := bk.PeriodText(c.ValidDays, u.lang())
		return decision{
			id:       "confirm_give",
			question: tr.T("consent.confirm_give", map[string]any{"Authority": auth}),
			facts: append(u.consentFacts(c),
				fact{tr.T("consent.period", nil), tr.T("consent.period_until", map[string]any{"Period": period, "Date": until})}),
			means: tr.T("consent.give_means", map[string]any{"Authority": auth, "Date": until}),
			yes:   tr.T("consent.give_yes", nil),
			no:    tr.T("consent.no_answer", nil),
		}
	}, func() { u.do(bk.GiveConsent, bk.Payload{ConsentID: c.ID}, u.openConsents) }, u.showConsents)
}

// confirmDecline says what a no means: the authority may not use the data,
// and until when the person can still change their mind.
func (u *KioskUI) confirmDecline(c *bk.Consent) {
	u.decide(func() decision {
		tr := u.tr
		auth := u.authorityName(c.AuthorityID)
		return decision{
			id:       "confirm_decline",
			question: tr.T("consent.confirm_decline", map[string]any{"Authority": auth}),
			facts:    u.consentFacts(c),
			means:    tr.T("consent.decline_means", map[string]any{"Authority": auth, "Date": u.date(openUntil(c))}),
			yes:      tr.T("consent.decline_yes", nil),
			no:       tr.T("consent.no_answer", nil),
			neutral:  true,
		}
	}, func() { u.do(bk.DeclineConsent, bk.Payload{ConsentID: c.ID}, u.openConsents) }, u.showConsents)
}

// confirmWithdraw says what stops, and that a new yes needs a new request.
func (u *KioskUI) confirmWithdraw(c *bk.Consent) {
	u.decide(func() decision {
		tr := u.tr
		auth := u.authorityName(c.AuthorityID)
		return decision{
			id:       "confirm_withdraw",
			question: tr.T("consent.confirm_withdraw", map[string]any{"Authority": auth}),
			facts: append(u.consentFacts(c),
				fact{tr.T("consent.in_force", nil), u.date(c.ValidUntil)}),
			means:  tr.T("consent.withdraw_stops", nil),
			yes:    tr.T("consent.withdraw", nil),
			no:     tr.T("consent.keep", nil),
			danger: true,
		}
	}, func() { u.do(bk.WithdrawConsent, bk.Payload{ConsentID: c.ID}, u.openConsents) }, u.showConsents)
}

// fact is one line a person checks before deciding: a name and its value.
type fact struct{ name, value string }

// decision is one yes/no question on a screen of its own that says what
// is decided (facts), what a yes means, and names both answers by what
// they do.
type decision struct {
	id, question string
	facts        []fact
	means        string
	yes, no      string // button labels; no "" is Afbryd
	danger       bool   // the yes ends something: drawn destructive
	neutral      bool   // neither answer is the one to urge: both drawn alike
}

// confirm asks a yes/no question on a screen of its own with large buttons.
func (u *KioskUI) confirm(id, question, yesLabel string, yes, no func()) {
	u.decide(func() decision { return decision{id: id, question: question, yes: yesLabel} }, yes, no)
}

// decide shows the decision mk makes: the question, the facts in a box,
// what a yes means, and the answers in the action bar. mk runs at every
// build, so a change of language says it all again in the new one.
func (u *KioskUI) decide(mk func() decision, yes, no func()) {
	u.show(func() *screen {
		tr := u.tr
		d := mk()
		noLabel := d.no
		if noLabel == "" {
			noLabel = tr.T("button.cancel", nil)
		}
		body := []fyne.CanvasObject{heading(d.question)}
		speak := []string{d.question}
		if len(d.facts) > 0 {
			var rows []fyne.CanvasObject
			for _, f := range d.facts {
				rows = append(rows, factLine(f))
				speak = append(speak, f.name+": "+f.value)
			}
			body = append(body, card(rows...))
		}
		if d.means != "" {
			body = append(body, u.label(d.id+".means", d.means))
			speak = append(speak, d.means)
		}
		yesButton := u.primary
		switch {
		case d.danger:
			yesButton = u.destructive
		case d.neutral:
			yesButton = u.big
		}
		return &screen{
			id:   d.id,
			body: vbox(body...),
			actions: []fyne.CanvasObject{
				u.big(d.id+".no", noLabel, no),
				yesButton(d.id+".yes", d.yes, once(yes)),
			},
			speak: says(append(speak, tr.T("confirm.speak", map[string]any{"Yes": d.yes, "No": noLabel}))...),
		}
	})
}

// factLine is a fact as one wrapping line with its name in bold.
func factLine(f fact) fyne.CanvasObject {
	t := widget.NewRichText(
		&widget.TextSegment{Text: f.name + ": ", Style: widget.RichTextStyleStrong},
		&widget.TextSegment{Text: f.value, Style: widget.RichTextStyleInline},
	)
	t.Wrapping = fyne.TextWrapWord
	return t
}

// do runs one action and shows its outcome; back returns to the list.
func (u *KioskUI) do(kind bk.ActionKind, p bk.Payload, back func()) {
	u.doThen(kind, p, back, nil)
}

// doThen is do with a continuation instead of the plain result screen.
// While one action is being saved another is ignored.
func (u *KioskUI) doThen(kind bk.ActionKind, p bk.Payload, back func(), then func(Result)) {
	if u.acting {
		u.log.Info("second action ignored while the first is saved", "kind", kind)
		return
	}
	u.acting = true
	var res Result
	var err error
	sess := u.sess
	u.showBusy("saving", u.tr.T("action.saving", nil))
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		res, err = sess.Do(ctx, kind, p)
	}, func() {
		u.acting = false
		if u.sess != sess {
			return
		}
		if err != nil {
			u.showActionErrorOf(kind, err, back)
			return
		}
		if then != nil {
			then(res)
			return
		}
		u.showResult(kind, p, res, back)
	})
}

func (u *KioskUI) showActionError(err error, back func()) { u.showActionErrorOf("", err, back) }

// staleTrustRefusal names, per widening action, what cannot be done
// while the kiosk's keys and rules are too old.
var staleTrustRefusal = map[bk.ActionKind]string{
	bk.GiveConsent:      "result.stale_trust.give_consent",
	bk.CreateDelegation: "result.stale_trust.create_delegation",
	bk.AcceptDelegation: "result.stale_trust.accept_delegation",
}

// showActionErrorOf says why kind was refused; a refusal for stale trust
// names what cannot be done and what to do instead.
func (u *KioskUI) showActionErrorOf(kind bk.ActionKind, err error, back func()) {
	msg := u.errText(err)
	if bk.ErrorCode(err) == bk.EStaleTrust && u.status.TrustStale {
		// The banner already says why; the screen says what it means here.
		msg = u.tr.T("result.stale_trust", nil)
		if key, ok := staleTrustRefusal[kind]; ok {
			msg = u.tr.T(key, nil)
		}
	}
	u.show(func() *screen {
		tr := u.tr
		return &screen{
			id: "action_error",
			body: vbox(
				heading(tr.T("result.not_saved", nil)),
				u.label("action_error.message", msg),
			),
			actions: []fyne.CanvasObject{
				u.helpButton("action_error.help"),
				u.primary("action_error.back", tr.T("button.back", nil), back),
			},
			speak: says(tr.T("result.not_saved", nil), msg, tr.T("result.speak", nil)),
		}
	})
}

// receiptRows says whether the receipt was printed, and offers staff help
// when it was not; the action is saved either way.
func (u *KioskUI) receiptRows(id string, r Receipt) ([]fyne.CanvasObject, string) {
	tr := u.tr
	if r.Printed {
		t := tr.T("action.receipt_printed", nil)
		return []fyne.CanvasObject{u.label(id+".receipt", t)}, t
	}
	t := tr.T("error.printer", nil)
	return []fyne.CanvasObject{u.noticeBox(noticeWarning, id+".receipt", t), u.helpButton(id + ".help")}, t
}

// readReceiptButton offers to read the receipt aloud: large, with a
// loudspeaker icon, and only when there is a text and a voice to say it.
func (u *KioskUI) readReceiptButton(id, text string) fyne.CanvasObject {
	if text == "" || !u.speechAvailable() {
		return nil
	}
	b := u.button(id+".read_receipt", u.tr.T("receipt.read", nil), u.speakReceipt)
	b.SetIcon(fynetheme.VolumeUpIcon())
	return tall(b)
}

// showResult is the panel that says what changed: saved, and (for a
// consent) who may now use what, or no longer; whether it has reached
// central yet; what the preview says and whether the receipt printed. Its
// two ways on say where they go.
func (u *KioskUI) showResult(kind bk.ActionKind, p bk.Payload, res Result, back func()) {
	u.show(func() *screen {
		tr := u.tr
		title := tr.T("action.saved", nil)
		done := u.whatChanged(kind, p, res)
		panel := []fyne.CanvasObject{u.label("result.done", done)}
		speak := []string{title, done}
		// Offline, the banner already says the answer is kept and sent later.
		if res.Pending && u.status.Online { // central has not answered yet
			t := tr.T("result.sent_soon", nil)
			panel = append(panel, u.label("result.pending", t))
			speak = append(speak, t)
		}
		rows := []fyne.CanvasObject{titledCard(fynetheme.NewSuccessThemedResource(fynetheme.ConfirmIcon()), title, panel...)}
		if v := u.verdictText(res.Verdict); v != "" {
			l := u.label("result.verdict", v)
			l.Importance = widget.WarningImportance
			rows = append(rows, l)
			speak = append(speak, v)
		}
		rr, rt := u.receiptRows("result", res.Receipt)
		rows = append(rows, rr...)
		speak = append(speak, rt)
		rows = append(rows, u.readReceiptButton("result", res.Receipt.Text))
		home := tr.T("result.home", nil)
		actions := []fyne.CanvasObject{u.primary("result.home", home, u.showHome)}
		choices := tr.T("result.speak_home", map[string]any{"Home": home})
		if backKey := resultBack[kind]; backKey != "" {
			b := tr.T(backKey, nil)
			actions = []fyne.CanvasObject{u.big("result.home", home, u.showHome), u.primary("result.back", b, back)}
			choices = tr.T("result.speak_choices", map[string]any{"Back": b, "Home": home})
		}
		speak = append(speak, choices)
		return &screen{id: "result", body: vbox(rows...), actions: actions, speak: says(speak...), receipt: res.Receipt.Text,
			receiptLang: i18n.Lang(res.Receipt.Lang)}
	})
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
}

// whatChanged says what the action changed for the person: for a consent
// the authority and the data by name ("Københavns Kommune må nu bruge …"),
// said as what will happen while it has not reached central; for anything
// else, or a consent the kiosk does not know, the kind's own sentence.
func (u *KioskUI) whatChanged(kind bk.ActionKind, p bk.Payload, res Result) string {
	generic := u.tr.T("result."+string(kind), nil)
	c := u.knownConsent(p.ConsentID)
	if c == nil || res.Verdict.Outcome != "" && res.Verdict.Outcome != bk.Applied {
		return generic
	}
	data := map[string]any{"Authority": u.authorityName(c.AuthorityID), "Data": u.categories(c.DataCategories),
		"Date": u.date(u.now().AddDate(0, 0, c.ValidDays))}
	when := ".now"
	if res.Pending {
		when = ".later"
	}
	switch kind {
	case bk.GiveConsent, bk.WithdrawConsent:
		return u.tr.T("result."+string(kind)+when, data)
	case bk.DeclineConsent:
		return u.tr.T("result.decline_consent.now", data)
	}
	return generic
}

// knownConsent is the consent id from the state fetched in this session, or nil.
func (u *KioskUI) knownConsent(id string) *bk.Consent {
	if u.state == nil || id == "" {
		return nil
	}
	for _, c := range u.state.Consents {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// titledCard is a card headed by an icon and a title: a panel that says
// one thing (what a result changed) at a glance.
func titledCard(icon fyne.Resource, title string, rows ...fyne.CanvasObject) fyne.CanvasObject {
	head := container.NewBorder(nil, nil, widget.NewIcon(icon), nil, heading(title))
	return card(append([]fyne.CanvasObject{head}, rows...)...)
}
