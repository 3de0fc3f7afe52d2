package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

func (u *KioskUI) openConsents() { u.loadState(u.showConsents) }

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
				// The same labels, in the same order, as the confirmation's facts.
				u.label("", tr.T("consent.data", nil)+": "+u.categories(c.DataCategories)),
				u.label("", tr.T("consent.purpose", nil)+": "+c.Purpose.In(u.lang())),
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
