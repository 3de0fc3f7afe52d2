package ui

import (
	"errors"
	"image/color"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/qr"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// delegationDraft is a power of attorney being made; wiped at logout.
type delegationDraft struct {
	name     string // as typed, after bk.NormalName
	delegate bk.CPR
	scopes   map[string]bool
	days     int
	// reviewing is set once the review has been seen: a step opened with
	// its "Ret" then returns to the review, not to the next step.
	reviewing bool
	// renew is the power of attorney being renewed; nil for a new one.
	renew *bk.Delegation
}

// draftUnsaved reports whether a new power of attorney has anything in it
// that logging out would lose.
func (u *KioskUI) draftUnsaved() bool {
	return u.draft != nil && u.draft.renew == nil && (u.draft.name != "" || !u.draft.delegate.IsZero() || u.anyScope())
}

// showReview is the review of the draft: a renewal's or a new one's.
func (u *KioskUI) showReview() {
	if u.draft.renew != nil {
		u.showRenewReview()
		return
	}
	u.showCreateReview()
}

// nextStep returns what a step's way on does: the review when the person
// came to correct one answer from it, else the next step.
func (u *KioskUI) nextStep(next func()) func() {
	return func() {
		if u.draft != nil && u.draft.reviewing {
			u.showReview()
			return
		}
		next()
	}
}

// stepBack is a step's way back: to the review when correcting from it
// (what was typed and not sent on is dropped), else to the previous step.
func (u *KioskUI) stepBack(id string, prev func()) fyne.CanvasObject {
	if u.draft != nil && u.draft.reviewing {
		prev = u.showReview
	}
	return u.big(id, u.tr.T("button.back", nil), prev)
}

func (u *KioskUI) openDelegations() { u.loadState(u.showDelegations) }

// delegationState says where d stands; name is the person who has to accept
// it ("" when that is the reader).
func (u *KioskUI) delegationState(d *bk.Delegation, name string) string {
	key := "delegation.state." + string(d.StateAt(u.now()))
	if d.StateAt(u.now()) == bk.DelegationPending {
		key = "delegation.state.pending"
		if name == "" {
			key = "delegation.state.pending_you"
		}
	}
	return u.tr.T(key, map[string]any{"Name": name})
}

// statusBox is where d stands, first on its card: what a person came to
// look for ("has Peter taken it yet?"). Waiting is a tinted box with a
// clock, in force a plain one with a tick, so the two differ in colour,
// icon and words. Its label is registered as "delegation.status.<id>".
func (u *KioskUI) statusBox(d *bk.Delegation, text string) fyne.CanvasObject {
	kind, icon := noticeInfo, fyne.Resource(nil)
	switch d.StateAt(u.now()) {
	case bk.DelegationActive:
		icon = fynetheme.ConfirmIcon()
	case bk.DelegationPending:
		kind, icon = noticeWarning, fynetheme.HistoryIcon()
	}
	n := newNoticeView(kind, u.label("delegation.status."+d.ID, text))
	if icon != nil {
		n.icon.Resource = fynetheme.NewColoredResource(icon, kind.ColorName())
	}
	return n.box
}

func (u *KioskUI) scopeNames(scopes []bk.ScopeGrant) string {
	var names []string
	for _, s := range scopes {
		if sc, ok := u.k.Catalogue().Scope(s.ScopeID); ok {
			names = append(names, sc.Name.In(u.lang()))
		} else {
			names = append(names, s.ScopeID)
		}
	}
	return strings.Join(names, ", ")
}

// showDelegations lists "who can act for me" and "whom I act for".
func (u *KioskUI) showDelegations() {
	u.show(func() *screen {
		tr := u.tr
		if u.state == nil {
			return u.unavailable("delegations", "delegation.title")
		}
		note, noteText := u.staleNote()
		period := func(d *bk.Delegation) string {
			return tr.T("delegation.valid", map[string]any{"From": u.date(d.ValidFrom), "To": u.date(d.ValidTo)})
		}
		var mine, theirs []fyne.CanvasObject
		var sayMine, sayTheirs []string
		item := func(name, state string, d *bk.Delegation) string {
			return tr.T("delegations.item", map[string]any{"Name": name, "State": state, "Scopes": u.scopeNames(d.Scopes)})
		}
		// The areas labelled as on the review ("Områder: Skat").
		scopes := func(d *bk.Delegation) fyne.CanvasObject {
			return u.label("", tr.T("create.review_scopes", map[string]any{"Scopes": u.scopeNames(d.Scopes)}))
		}
		for _, d := range u.state.GivenByMe {
			d := d
			// Titled by the person: the name on their card once they have
			// accepted, until then the name typed when it was made. Only
			// one made before names were typed has just the number.
			who, spokenName := d.DelegateShown(), d.DelegateShown() // the masked number read aloud is only noise
			rows := []fyne.CanvasObject{subheading(who), u.label("", tr.T("create.review_cpr", map[string]any{"CPR": d.Delegate.Masked()}))}
			if who == "" {
				who = d.Delegate.Masked()
				// Said as "the person born …" (speech.Words reads the number).
				spokenName = tr.T("delegations.someone", map[string]any{"CPR": who})
				rows = []fyne.CanvasObject{subheading(who)}
			}
			taker := d.DelegateShown()
			if taker == "" {
				taker = tr.T("delegations.the_person", nil)
			}
			state := u.delegationState(d, taker)
			sayMine = append(sayMine, item(spokenName, state, d))
			rows = append([]fyne.CanvasObject{u.statusBox(d, state)}, rows...)
			rows = append(rows, scopes(d), u.label("", period(d)))
			// Revoking looks like nothing else on the card (red, a stop
			// icon) and says first what it stops.
			means := "delegation.revoke_means"
			switch d.StateAt(u.now()) {
			case bk.DelegationPending:
				rows = append(rows, u.big("delegation.code."+d.ID, tr.T("delegations.show_code", nil), once(func() { u.makeHandover(d.ID) })))
				means = "delegation.revoke_means_pending"
				fallthrough
			case bk.DelegationActive:
				rows = append(rows, u.label("", tr.T(means, map[string]any{"Name": who})))
				rows = append(rows, u.destructive("delegation.revoke."+d.ID, tr.T("delegation.revoke", nil), func() {
					u.confirmEnd(endDecision{id: "confirm_revoke", kind: bk.RevokeDelegation, d: d, name: who,
						question: "delegation.confirm_revoke", party: "delegation.fact_to", yes: "delegation.revoke", means: means})
				}))
			}
			mine = append(mine, card(rows...))
		}
		for _, d := range u.state.GivenToMe {
			d := d
			who := d.PrincipalName // from their card
			state := u.delegationState(d, "")
			sayTheirs = append(sayTheirs, item(who, state, d))
			rows := []fyne.CanvasObject{u.statusBox(d, state), subheading(who), u.label("", tr.T("create.review_cpr", map[string]any{"CPR": d.Principal.Masked()})),
				scopes(d), u.label("", period(d))}
			switch d.StateAt(u.now()) {
			case bk.DelegationActive:
				rows = append(rows, u.label("", tr.T("delegation.renounce_means", map[string]any{"Name": who})))
				rows = append(rows, u.destructive("delegation.renounce."+d.ID, tr.T("delegation.renounce", nil), func() {
					u.confirmEnd(endDecision{id: "confirm_renounce", kind: bk.RenounceDelegation, d: d, name: who,
						question: "delegation.confirm_renounce", party: "delegation.fact_from", yes: "delegation.renounce", means: "delegation.renounce_means"})
				}))
			case bk.DelegationPending:
				rows = append(rows, u.label("", tr.T("delegations.accept_with_code", nil)))
			}
			theirs = append(theirs, card(rows...))
		}
		// Each section says in its own words that it is empty, so a screen
		// with neither never says "you have none" twice.
		section := func(titleKey string, items []fyne.CanvasObject) fyne.CanvasObject {
			if len(items) == 0 {
				return vbox(subheading(tr.T(titleKey, nil)), u.label("", tr.T(titleKey+"_none", nil)))
			}
			return vbox(append([]fyne.CanvasObject{subheading(tr.T(titleKey, nil))}, items...)...)
		}
		return &screen{
			id: "delegations",
			body: vbox(
				heading(tr.T("delegation.title", nil)),
				u.label("", tr.T("delegation.intro", nil)),
				note,
				section("delegations.for_me", mine),
				section("delegations.i_act_for", theirs),
			),
			actions: []fyne.CanvasObject{
				u.big("delegations.back", tr.T("button.back", nil), u.showHome),
				u.primary("delegations.create", tr.T("delegation.create", nil), u.startCreate),
			},
			speak: says(append(append([]string{tr.T("delegation.title", nil), noteText,
				tr.T("delegations.summary", map[string]any{"Mine": len(mine), "Theirs": len(theirs)})},
				sayList(tr.T("delegations.for_me", nil), sayMine, sayList(tr.T("delegations.i_act_for", nil), sayTheirs, nil))...),
				tr.T("delegations.speak", nil))...),
		}
	})
}

// endDecision is the confirmation before a power of attorney ends: its
// screen id and action, the message keys of the question, of the line
// naming the other person (to or from), of the yes and of what stops.
type endDecision struct {
	id                          string
	kind                        bk.ActionKind
	d                           *bk.Delegation
	name                        string
	question, party, yes, means string
}

// confirmEnd asks before a power of attorney is revoked or renounced: it
// restates whom it concerns, the areas and the period, says what stops,
// and draws the yes destructive; "Behold fuldmagten" keeps it.
func (u *KioskUI) confirmEnd(e endDecision) {
	u.decide(func() decision {
		tr := u.tr
		name := map[string]any{"Name": e.name}
		return decision{
			id:       e.id,
			question: tr.T(e.question, name),
			facts: []fact{
				{tr.T(e.party, nil), e.name},
				{tr.T("delegation.fact_areas", nil), u.scopeNames(e.d.Scopes)},
				{tr.T("delegation.fact_period", nil), tr.T("delegation.period_value",
					map[string]any{"From": u.date(e.d.ValidFrom), "To": u.date(e.d.ValidTo)})},
			},
			means:  tr.T(e.means, name),
			yes:    tr.T(e.yes, nil),
			no:     tr.T("delegation.keep", nil),
			danger: true,
		}
	}, func() { u.do(e.kind, bk.Payload{DelegationID: e.d.ID}, u.openDelegations) }, u.showDelegations)
}

// startCreate begins a new power of attorney: the person's name, their
// CPR number, what, how long, review. One decision per screen.
func (u *KioskUI) startCreate() {
	u.draft = &delegationDraft{scopes: map[string]bool{}, days: u.cfg.DefaultDelegationDays}
	u.showCreateName()
}

// showCreateName asks for the delegate's name on the on-screen keyboard,
// so that the power of attorney is known by a person, not a number, until
// they accept it (then the name on their card is shown). The box and the
// keyboard outlive a rebuild (contrast, text size, language), so letters
// typed stay. A check that fails is shown in the bar and read aloud.
func (u *KioskUI) showCreateName() {
	box := keyboard.NewTextBox()
	box.SetText(u.draft.name)
	kb := keyboard.New(box)
	kb.CapitaliseAfter(box.Text())
	box.OnChanged = func(s string) {
		u.touch()
		kb.CapitaliseAfter(s)
		u.setMessage("")
	}
	next := func() {
		name := bk.NormalName(box.Text())
		if msg := u.nameProblem(name); msg != "" {
			u.setMessage(msg)
			u.announce(msg)
			return
		}
		u.draft.name = name
		u.nextStep(u.showCreateCPR)()
	}
	u.nameKeyboard = kb
	u.show(func() *screen {
		tr := u.tr
		kb.SetLabels(keyboard.LabelsFor(tr))
		// The keyboard outlives the rebuild: redraw it in the new theme
		// (high contrast, large text), which a new screen's widgets get
		// by being drawn for the first time.
		kb.Refresh()
		box.Placeholder = tr.T("create.name_hint", nil)
		box.Refresh()
		msg := u.label("create_name.message", "")
		msg.Importance = widget.DangerImportance
		// The first step: Cancel ends the journey, unless the name is being
		// corrected from the review, where Back returns to it.
		back := u.big("create_name.cancel", tr.T("button.cancel", nil), u.openDelegations)
		if u.draft.reviewing {
			back = u.big("create_name.back", tr.T("button.back", nil), u.showCreateReview)
		}
		return &screen{
			id: "create_name",
			body: &fyne.Container{Layout: nameLayout{}, Objects: []fyne.CanvasObject{
				heading(tr.T("delegation.delegate", nil)), box, kb}},
			message: msg,
			actions: []fyne.CanvasObject{back, u.primary("create_name.next", tr.T("button.next", nil), next)},
			speak:   says(tr.T("delegation.delegate", nil), tr.T("create.name_hint", nil), tr.T("create.name_speak", nil)),
			unsaved: func() bool { return box.Text() != "" || u.draftUnsaved() },
		}
	})
}

// nameLayout arranges [heading, box, keyboard] of the name screen: stacked
// where they fit, else (large text on a 1024×768 panel, where the header,
// the message line and the action bar leave about 310 px) the box and the
// keyboard alone, the box's placeholder asking for the name, so that every
// key is in view without scrolling. Its least size is the box and the
// keyboard, so the body does not scroll for the heading.
type nameLayout struct{}

func (nameLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	box, kb := objs[1].MinSize(), objs[2].MinSize()
	return fyne.NewSize(max(box.Width, kb.Width), box.Height+fynetheme.Padding()+kb.Height)
}

// preferredHeight is the heading, the box and the keys grown half again:
// what it shows when given the room (a portrait panel).
func (nameLayout) preferredHeight(objs []fyne.CanvasObject, width float32) float32 {
	words := objs[0]
	words.Resize(fyne.NewSize(width, words.MinSize().Height))
	gap := fynetheme.Padding()
	return words.MinSize().Height + gap + objs[1].MinSize().Height + gap + objs[2].MinSize().Height*1.5
}

func (nameLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	words, box, kb := objs[0], objs[1], objs[2]
	gap := fynetheme.Padding()
	words.Resize(fyne.NewSize(size.Width, words.MinSize().Height))
	wh := words.MinSize().Height // measured at the full width
	bh, kh := box.MinSize().Height, kb.MinSize().Height
	y := float32(0)
	if size.Height >= wh+gap+bh+gap+kh {
		words.Show()
		words.Move(fyne.NewPos(0, 0))
		words.Resize(fyne.NewSize(size.Width, wh))
		y = wh + gap
	} else {
		words.Hide()
	}
	box.Move(fyne.NewPos(0, y))
	box.Resize(fyne.NewSize(size.Width, bh))
	// Where there is room the keys grow taller too (up to half again),
	// an easier target for an unsteady finger.
	y += bh + gap
	kb.Move(fyne.NewPos(0, y))
	kb.Resize(fyne.NewSize(size.Width, min(max(size.Height-y, kh), kh*1.5)))
}

// nameProblem says in the person's language what is wrong with a typed
// name, or "" when it will do.
func (u *KioskUI) nameProblem(name string) string {
	key := map[bk.NameProblem]string{
		bk.NameEmpty:    "create.name_empty",
		bk.NameTooShort: "create.name_short",
		bk.NameTooLong:  "create.name_long",
		bk.NameBadChar:  "create.name_chars",
		bk.NameBadJoin:  "create.name_join",
	}[bk.CheckName(name)]
	if key == "" {
		return ""
	}
	return u.tr.T(key, map[string]any{"Min": bk.MinNameRunes, "Max": bk.MaxNameRunes})
}

// showCreateCPR asks for the delegate's CPR number on the keypad. The pad
// outlives a rebuild (contrast, text size, language), so digits typed stay.
// A check that fails is shown in the bar above Back and read aloud.
func (u *KioskUI) showCreateCPR() {
	setMsg := u.setMessage
	pad := keyboard.NewCPRPad(func(v string) {
		u.touch()
		c, err := u.checkDelegate(v)
		if err != nil {
			setMsg(err.Error())
			u.announce(err.Error())
			return
		}
		u.draft.delegate = c
		u.nextStep(u.showCreateScopes)()
	})
	pad.Now = u.now
	if !u.draft.delegate.IsZero() {
		for _, r := range u.draft.delegate.Digits() {
			pad.TypedRune(r)
		}
	}
	pad.OnChanged = func(string) { u.touch(); setMsg("") }
	u.cprPad = pad
	u.show(func() *screen {
		tr := u.tr
		pad.SetLabels(keyboard.LabelsFor(tr))
		pad.Refresh() // in the new theme, as the keyboard above
		title := tr.T("create.cpr_title", map[string]any{"Name": u.draft.name})
		msg := u.label("create_cpr.message", "")
		msg.Importance = widget.DangerImportance
		// Under the words, not in the bar: the pad must stay in view in
		// large text on 1024×768, and the bar has no room to spare there.
		// Two lines are kept for it, so the pad below does not move when
		// a message appears.
		box := newNoticeView(noticeError, msg)
		two := canvas.NewRectangle(color.Transparent)
		two.SetMinSize(fyne.NewSize(0, 2*fyne.MeasureText("Å", fynetheme.TextSize(), fyne.TextStyle{Bold: true}).Height+
			fynetheme.LineSpacing()+2*fynetheme.InnerPadding()))
		return &screen{
			id: "create_cpr",
			body: &fyne.Container{Layout: &besideLayout{}, Objects: []fyne.CanvasObject{
				vbox(heading(title), u.label("", tr.T("cpr.enter", nil)+". "+tr.T("cpr.hint", nil)), container.NewStack(two, box.box)),
				pad,
			}},
			message:    msg,
			messageBox: box,
			// The pad's OK is the way on: a Next here as well would make the
			// bar a primary button tall, and the pad no longer fit in large
			// text on 1024×768. Back alone spans the bar.
			actions: []fyne.CanvasObject{u.stepBack("create_cpr.back", u.showCreateName)},
			speak:   says(title, tr.T("cpr.enter", nil), tr.T("cpr.hint", nil), tr.T("create.cpr_speak", nil)),
			unsaved: u.draftUnsaved, // the name is typed by now
		}
	})
}

// checkDelegate validates typed digits with bk.ParseCPR at the kiosk's clock
// and the age and self rules, returning an error whose text is translated
// for the screen.
func (u *KioskUI) checkDelegate(digits string) (bk.CPR, error) {
	c, err := bk.ParseCPR(digits, u.now())
	if bk.ErrorCode(err) == bk.ECPRFutureBirth {
		return bk.CPR{}, errors.New(u.tr.T("cpr.future", nil))
	}
	if err != nil {
		return bk.CPR{}, errors.New(u.tr.T("cpr.invalid", nil))
	}
	if c == u.sess.Person().CPR {
		return bk.CPR{}, errors.New(u.tr.T("create.self", nil))
	}
	if c.AgeOn(u.now()) < 18 {
		return bk.CPR{}, errors.New(u.tr.T("create.too_young", nil))
	}
	return c, nil
}

// showCreateScopes lets the person choose areas, each explained. Each
// area is one tile, a tap anywhere on it (its name or the line on what it
// covers) choosing or unchoosing it, filled with the primary colour and a
// ticked box while chosen. Next checks that one is chosen and only then
// says so in the bar: a warning before anything was done took the room
// of an area on 1024×768 in large text.
func (u *KioskUI) showCreateScopes() {
	u.show(func() *screen {
		tr := u.tr
		var rows []fyne.CanvasObject
		for _, sc := range u.k.Catalogue().Scopes {
			sc := sc
			holder := container.NewStack()
			var draw func()
			toggle := func() {
				u.draft.scopes[sc.ID] = !u.draft.scopes[sc.ID]
				draw()
				key := "scope.not_chosen"
				if u.draft.scopes[sc.ID] {
					key = "scope.chosen"
					u.setMessage("")
				}
				u.announce(u.tr.T(key, map[string]any{"Name": sc.Name.In(u.lang())}))
			}
			draw = func() {
				icon := fynetheme.CheckButtonIcon()
				if u.draft.scopes[sc.ID] {
					icon = fynetheme.CheckButtonCheckedIcon()
				}
				tile, _ := u.choiceTile(menuChoice{id: "scope." + sc.ID, title: sc.Name.In(u.lang()),
					explain: sc.Description.In(u.lang()), icon: icon, tapped: toggle}, u.draft.scopes[sc.ID])
				holder.Objects = []fyne.CanvasObject{tile}
				holder.Refresh()
			}
			draw()
			rows = append(rows, holder)
		}
		next := u.nextStep(u.showCreatePeriod)
		nextBox := u.primary("create_scopes.next", tr.T("button.next", nil), func() {
			if !u.anyScope() {
				msg := u.tr.T("create.scopes_need", nil)
				u.setMessage(msg)
				u.announce(msg)
				return
			}
			next()
		})
		// Why Next did not go on, in the bar above it; no room is kept for
		// it while it is empty (see screen.messageFolds).
		need := u.label("create_scopes.message", "")
		body := append([]fyne.CanvasObject{heading(tr.T("delegation.scopes", nil)), u.label("", tr.T("create.scopes_hint", nil))}, rows...)
		// Correcting from the review, a tap changes the areas at once, so
		// the only way on is Next, which goes on only with an area chosen.
		actions := []fyne.CanvasObject{nextBox}
		if !u.draft.reviewing {
			actions = []fyne.CanvasObject{u.big("create_scopes.back", tr.T("button.back", nil), u.showCreateCPR), nextBox}
		}
		var spoken []string
		for _, sc := range u.k.Catalogue().Scopes {
			spoken = append(spoken, sc.Name.In(u.lang())+": "+sc.Description.In(u.lang()))
		}
		return &screen{id: "create_scopes", body: vbox(body...), actions: actions, message: need, messageInfo: true, messageFolds: true, unsaved: u.draftUnsaved,
			speak: says(append(append([]string{tr.T("delegation.scopes", nil), tr.T("create.scopes_hint", nil)}, spoken...), tr.T("create.scopes_speak", nil))...)}
	})
}

func (u *KioskUI) anyScope() bool {
	for _, on := range u.draft.scopes {
		if on {
			return true
		}
	}
	return false
}

// periodChoices are the lengths offered: common ones up to the maximum,
// plus the default and the maximum themselves.
func (u *KioskUI) periodChoices() []int {
	set := map[int]bool{u.cfg.DefaultDelegationDays: true, u.cfg.MaxDelegationDays: true}
	for _, d := range []int{30, 90, 180, 365, 730, 1825} {
		if d <= u.cfg.MaxDelegationDays {
			set[d] = true
		}
	}
	var out []int
	for d := range set {
		out = append(out, d)
	}
	sort.Ints(out)
	return out
}

func (u *KioskUI) draftPeriod() (from, to time.Time) {
	from = u.now().UTC().Truncate(time.Second)
	return from, from.Add(time.Duration(u.draft.days) * 24 * time.Hour)
}

// showCreatePeriod lets the person choose how long it lasts.
func (u *KioskUI) showCreatePeriod() {
	u.show(func() *screen {
		tr := u.tr
		from, to := u.draftPeriod()
		current := tr.T("delegation.valid", map[string]any{"From": u.date(from), "To": u.date(to)})
		var choices []fyne.CanvasObject
		for _, d := range u.periodChoices() {
			d := d
			b := u.button("period."+strconv.Itoa(d), bk.PeriodText(d, u.lang()), func() {
				u.draft.days = d
				u.refresh()
			})
			if d == u.draft.days {
				b.Importance = widget.HighImportance
				b.SetIcon(fynetheme.ConfirmIcon())
			}
			choices = append(choices, theme.TouchTarget(b))
		}
		return &screen{
			id: "create_period",
			body: vbox(
				heading(tr.T("create.period_title", nil)),
				u.label("create_period.current", current),
				u.label("", tr.T("create.max", map[string]any{"Period": bk.PeriodText(u.cfg.MaxDelegationDays, u.lang())})),
				container.NewGridWithColumns(2, choices...),
			),
			actions: u.periodActions(),
			speak:   says(tr.T("create.period_title", nil), current, tr.T("create.period_speak", nil)),
			unsaved: u.draftUnsaved,
		}
	})
}

// periodActions: Back and Next, or only Next (to the review) when the
// period is being corrected from the review, as a tap changes it at once.
func (u *KioskUI) periodActions() []fyne.CanvasObject {
	next := u.primary("create_period.next", u.tr.T("button.next", nil), u.showReview)
	if u.draft.reviewing {
		return []fyne.CanvasObject{next}
	}
	return []fyne.CanvasObject{u.big("create_period.back", u.tr.T("button.back", nil), u.showCreateScopes), next}
}

// draftScopes are the areas chosen, in catalogue order (not map order).
func (u *KioskUI) draftScopes() []bk.ScopeGrant {
	var scopes []bk.ScopeGrant
	for _, sc := range u.k.Catalogue().Scopes {
		if u.draft.scopes[sc.ID] {
			scopes = append(scopes, bk.ScopeGrant{ScopeID: sc.ID})
		}
	}
	return scopes
}

func (u *KioskUI) draftPayload() bk.Payload {
	from, to := u.draftPeriod()
	scopes := u.draftScopes()
	c := u.draft.delegate
	return bk.Payload{
		DelegationID:  bk.NewID(u.now()),
		PrincipalName: u.sess.Person().Name,
		Delegate:      &c,
		DelegateName:  u.draft.name,
		Scopes:        scopes,
		ValidFrom:     from,
		ValidTo:       to,
	}
}

// showCreateReview shows everything the card will sign, each answer on
// its own line with a "Ret" that opens its step and comes back here. The
// CPR number is shown in full, as typed, because those are the digits to
// check; it is read aloud as the birth date only and never logged.
func (u *KioskUI) showCreateReview() {
	u.draft.reviewing = true
	u.show(func() *screen {
		tr := u.tr
		p := u.draftPayload()
		period := tr.T("delegation.valid", map[string]any{"From": u.date(p.ValidFrom), "To": u.date(p.ValidTo)})
		scopes := tr.T("create.review_scopes", map[string]any{"Scopes": u.scopeNames(p.Scopes)})
		name := tr.T("create.review_name", map[string]any{"Name": p.DelegateName})
		cpr := tr.T("create.review_cpr", map[string]any{"CPR": p.Delegate.Full()})
		line := func(id, text string, edit func()) fyne.CanvasObject { return u.reviewLine("review", id, text, edit) }
		rows := []fyne.CanvasObject{
			heading(tr.T("create.review_title", nil)),
			line("name", name, u.showCreateName),
			line("cpr", cpr, u.showCreateCPR),
			line("scopes", scopes, u.showCreateScopes),
			line("period", period, u.showCreatePeriod),
		}
		speak := []string{tr.T("create.review_title", nil), name,
			tr.T("create.review_cpr", map[string]any{"CPR": p.Delegate.Masked()}), scopes, period}
		if a := u.sess.AssistedBy(); a != nil {
			t := tr.T("staff.assisted_by", map[string]any{"Name": a.Name})
			rows = append(rows, u.label("review.assisted", t))
			speak = append(speak, t)
		}
		note := tr.T("create.review_note", map[string]any{"Name": u.draft.name})
		rows = append(rows, u.label("", note))
		actions := []fyne.CanvasObject{
			u.big("review.cancel", tr.T("button.cancel", nil), u.openDelegations),
			u.primary("review.confirm", tr.T("button.confirm", nil), once(u.confirmCreate)),
		}
		speak = append(speak, note, tr.T("create.review_speak", nil))
		return &screen{id: "create_review", body: vbox(rows...), actions: actions, speak: says(speak...), unsaved: u.draftUnsaved}
	})
}

// reviewLine is one answer of a review (ids prefix.id and
// prefix.edit_id) with the "Ret" that opens its step.
func (u *KioskUI) reviewLine(prefix, id, text string, edit func()) fyne.CanvasObject {
	ret := u.big(prefix+".edit_"+id, u.tr.T("create.edit", nil), edit)
	// The answer centred on its "Ret", so the two read as one line.
	answer := container.NewVBox(layout.NewSpacer(), u.label(prefix+"."+id, text), layout.NewSpacer())
	return card(container.NewBorder(nil, nil, nil, ret, answer))
}

func (u *KioskUI) confirmCreate() {
	p := u.draftPayload()
	u.doThen(bk.CreateDelegation, p, u.showCreateReview, func(res bk.Result) {
		name := u.draft.name
		u.draft = nil
		u.makeHandoverAfter(bk.CreateDelegation, p.DelegationID, name, &res)
	})
}

// makeHandover shows again the code of the pending power of attorney id.
func (u *KioskUI) makeHandover(id string) {
	name := ""
	if u.state != nil {
		for _, d := range u.state.GivenByMe {
			if d.ID == id {
				name = d.DelegateShown()
			}
		}
	}
	u.makeHandoverAfter("", id, name, nil)
}

// makeHandoverAfter makes and prints the handover code; res is the result
// of the action of kind (a create, or a renewal the delegate must accept
// again), when there was one, so its receipt is reported too.
func (u *KioskUI) makeHandoverAfter(kind bk.ActionKind, id, name string, res *bk.Result) {
	var h bk.Handover
	var err error
	sess := u.sess
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		h, err = sess.HandoverCode(ctx, id)
	}, func() {
		if u.sess != sess {
			return
		}
		if err != nil {
			u.showActionError(err, u.openDelegations)
			return
		}
		u.showHandoverQR(kind, h, name, res)
	})
}

// qrImage renders code as a QR image; error correction Q as the design
// asks, so a creased slip still scans.
func qrImage(code string) (fyne.CanvasObject, error) {
	png, err := qr.PNG(code, 512)
	if err != nil {
		return nil, err
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource("handover-qr.png", png))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	img.SetMinSize(fyne.NewSquareSize(360))
	return img, nil
}

// showHandoverQR shows the code large and says whether the slip printed.
// name is the delegate's, as typed ("" says "the person"): the screen tells
// whom to give the slip to.
func (u *KioskUI) showHandoverQR(kind bk.ActionKind, h bk.Handover, name string, res *bk.Result) {
	u.show(func() *screen {
		tr := u.tr
		who := name
		if who == "" {
			who = tr.T("delegations.the_person", nil)
		}
		named := map[string]any{"Name": who}
		// "personen" opens two sentences: there it takes a capital.
		r, n := utf8.DecodeRuneInString(who)
		opens := map[string]any{"Name": string(unicode.ToUpper(r)) + who[n:]}
		img, err := qrImage(h.Code)
		if err != nil {
			u.log.Error("handover QR", "err", err)
			img = u.label("", tr.T("error.generic", nil))
		}
		expires := tr.T("delegation.handover_expires", map[string]any{"Time": u.clock(h.Expires)})
		var code fyne.CanvasObject = container.NewCenter(img)
		var speakTyped string
		if h.Typed != "" {
			// Beside the QR code, not below it: the typed code must not push
			// Done off a 1024×768 screen in large text. Read aloud one
			// character at a time.
			var spoken []string
			for _, group := range strings.Split(h.Typed, "-") {
				spoken = append(spoken, strings.Join(strings.Split(group, ""), " "))
			}
			vars := map[string]any{"Address": h.TypedAddress, "Code": strings.Join(spoken, ", "), "Name": who}
			typed := u.label("handover.typed_code", h.Typed)
			typed.TextStyle = fyne.TextStyle{Monospace: true} // no bold monospace face in the themes
			typed.SizeName = fynetheme.SizeNameHeadingText
			typed.Wrapping = fyne.TextWrapOff
			code = container.NewGridWithColumns(2, container.NewCenter(img),
				container.NewCenter(container.NewVBox(u.label("handover.typed", tr.T("handover.typed", vars)), typed)))
			speakTyped = tr.T("handover.speak_typed", vars)
		}
		// The code right under the title, what it asks to give: on
		// 1024×768 in large text anything above it put it below the fold.
		rows := []fyne.CanvasObject{heading(tr.T("handover.title", named)), code}
		speak := []string{tr.T("handover.title", named)}
		if res != nil {
			t := tr.T("result."+string(kind), nil)
			if kind == bk.CreateDelegation {
				t = tr.T("handover.saved", opens)
			}
			rows = append(rows, u.label("handover.saved", t))
			speak = append(speak, t)
			if res.Pending {
				rows = append(rows, u.label("handover.pending", tr.T("result.pending", nil)))
				speak = append(speak, tr.T("result.pending", nil))
			}
		}
		// Whether the slip printed comes next, before the rest: on a
		// 1280×1024 panel in large text the foot of the page is below the fold.
		receipt := h.Receipt
		if res != nil && !res.Receipt.Printed {
			receipt = res.Receipt
		}
		if receipt.Printed {
			rows = append(rows, u.label("handover.receipt", tr.T("handover.slip_printed", named)))
			speak = append(speak, tr.T("handover.slip_printed", named))
		} else {
			rr, rt := u.receiptRows("handover", receipt)
			rows = append(rows, rr...)
			speak = append(speak, rt)
		}
		rows = append(rows,
			u.label("", tr.T("handover.scan_how", opens)),
			u.label("handover.expires", expires))
		speak = append(speak, tr.T("handover.speak_qr", nil), speakTyped, tr.T("handover.scan_how", opens), expires)
		// The receipt of the new power of attorney (if it was just made),
		// then the slip: both read aloud, like both printed.
		var text []string
		if res != nil {
			text = append(text, res.Receipt.Text)
		}
		text = append(text, h.Receipt.Text)
		receiptText := says(text...)
		rows = append(rows, u.readReceiptButton("handover", receiptText))
		if b := u.buttons["handover.read_receipt"]; b != nil {
			// Not "the receipt": the paper the delegate gets is the slip.
			readKey := "handover.read_slip"
			if res != nil {
				readKey = "handover.read_receipt_and_slip"
			}
			b.SetText(tr.T(readKey, nil))
		}
		done := u.primary("handover.done", tr.T("button.done", nil), u.openDelegations)
		speak = append(speak, tr.T("handover.speak_done", nil))
		return &screen{id: "handover_qr", body: vbox(rows...), actions: []fyne.CanvasObject{done}, speak: says(speak...), receipt: receiptText,
			receiptLang: i18n.Lang(h.Receipt.Lang)}
	})
}
