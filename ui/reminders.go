package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// reminders is what ends within the configured days or waits for the
// person (bk.Rules.Reminders), from the state fetched in this session.
func (u *KioskUI) reminders() []bk.Reminder {
	if u.state == nil {
		return nil
	}
	return bk.DefaultRules(u.k.Catalogue()).Reminders(u.state, u.now(), time.Duration(u.cfg.ReminderDays)*24*time.Hour)
}

// endings are the reminders of what ends (not of what waits: the consents
// and handover tiles count those already), when the state is fresh: the
// home screen's "Ending soon" tile is shown only for them.
func (u *KioskUI) endings() []bk.Reminder {
	if u.stateErr != nil {
		return nil
	}
	var out []bk.Reminder
	for _, r := range u.reminders() {
		if r.Kind != bk.RemindRequest && r.Kind != bk.RemindOffered {
			out = append(out, r)
		}
	}
	return out
}

// daysUntil counts calendar days in the kiosk's zone from today to t's
// day: 0 is today, negative has passed.
func (u *KioskUI) daysUntil(t time.Time) int {
	day := func(t time.Time) time.Time {
		l := u.cfg.Zone.In(t)
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	}
	return int(day(t).Sub(day(u.now())).Hours() / 24)
}

// scopeList names areas for a sentence: "Skat, Sundhed og Pension".
func (u *KioskUI) scopeList(ids []string) string {
	var names []string
	for _, id := range ids {
		names = append(names, u.scopeNames([]bk.ScopeGrant{{ScopeID: id}}))
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + u.tr.T("words.and", nil) + " " + names[len(names)-1]
}

// reminderText is a reminder as plain sentences: its time in days, weeks
// or months as the other screens say a period, then the last day itself,
// so "om 12 dage" can be checked against a calendar or a letter.
func (u *KioskUI) reminderText(r bk.Reminder) string {
	days := u.daysUntil(r.Ends)
	data := map[string]any{"Name": r.Other, "Scopes": u.scopeList(r.Scopes), "Authority": u.authorityName(r.Authority),
		"In": bk.PeriodText(days, u.lang()), "LastDay": u.cfg.Zone.LastDay(r.Ends, u.lang())}
	key := map[bk.ReminderKind]string{bk.RemindGiven: "reminders.given", bk.RemindHeld: "reminders.held",
		bk.RemindConsent: "reminders.consent", bk.RemindRequest: "reminders.request", bk.RemindOffered: "reminders.offered"}[r.Kind]
	switch {
	case r.Kind == bk.RemindGiven && !r.Ends.After(u.now()):
		key = "reminders.given_ended"
	case days <= 0 && r.Kind != bk.RemindRequest && r.Kind != bk.RemindOffered:
		key += "_today"
	}
	return u.tr.T(key, data)
}

func (u *KioskUI) openReminders() { u.loadState(u.showReminders) }

// showReminders lists what ends or waits, soonest first, each with a way
// to have it on paper and, for a power of attorney the person gave, to
// renew it.
func (u *KioskUI) showReminders() {
	u.show(func() *screen {
		tr := u.tr
		if u.state == nil {
			return u.unavailable("reminders", "reminders.title")
		}
		note, noteText := u.staleNote()
		intro := tr.T("reminders.intro", map[string]any{"Period": bk.PeriodText(u.cfg.ReminderDays, u.lang())})
		rows := []fyne.CanvasObject{heading(tr.T("reminders.title", nil)), u.label("", intro), note}
		speak := []string{tr.T("reminders.title", nil), noteText, intro}
		list := u.reminders()
		for _, g := range reminderGroups {
			var items []int
			for i, r := range list {
				if slices.Contains(g.kinds, r.Kind) {
					items = append(items, i)
				}
			}
			if len(items) == 0 {
				continue
			}
			title := tr.T(g.key, nil)
			rows = append(rows, subheading(title))
			speak = append(speak, title)
			for _, i := range items {
				rows = append(rows, u.reminderCard(list[i], strconv.Itoa(i), &speak))
			}
		}
		if len(list) == 0 {
			rows = append(rows, u.label("reminders.none", tr.T("reminders.none", nil)))
			speak = append(speak, tr.T("reminders.none", nil))
		}
		return &screen{
			id:      "reminders",
			body:    vbox(rows...),
			actions: []fyne.CanvasObject{u.big("reminders.back", tr.T("button.back", nil), u.showHome)},
			speak:   says(append(speak, tr.T("reminders.speak", nil))...),
		}
	})
}

// reminderGroups are the headings of the reminders screen, in order (what
// ends, which the screen is named for, before what waits), and the kinds
// under each: what a person gave and what they got differ by one
// word in a sentence, so each kind gets a heading of its own too. Within a
// group the order stays soonest first.
var reminderGroups = []struct {
	key   string
	kinds []bk.ReminderKind
}{
	{"reminders.group.given", []bk.ReminderKind{bk.RemindGiven}},
	{"reminders.group.held", []bk.ReminderKind{bk.RemindHeld}},
	{"reminders.group.consent", []bk.ReminderKind{bk.RemindConsent}},
	{"reminders.group.waiting", []bk.ReminderKind{bk.RemindRequest, bk.RemindOffered}},
}

// reminderCard is one reminder (number n on the screen) with its ways on;
// what it says is added to speak.
func (u *KioskUI) reminderCard(r bk.Reminder, n string, speak *[]string) fyne.CanvasObject {
	tr := u.tr
	text := u.reminderText(r)
	*speak = append(*speak, text)
	// The way on first and filled: renew what the person gave,
	// answer what waits for them (with the code, for an offer).
	var buttons []fyne.CanvasObject
	switch r.Kind {
	case bk.RemindGiven:
		buttons = append(buttons, u.primary("reminder.renew."+n, tr.T("reminders.renew", nil), func() { u.startRenew(r) }))
	case bk.RemindRequest:
		buttons = append(buttons, u.primary("reminder.answer."+n, tr.T("reminders.answer", nil), u.openConsents))
	case bk.RemindOffered:
		buttons = append(buttons, u.primary("reminder.answer."+n, tr.T("reminders.answer", nil), u.showScan))
	}
	buttons = append(buttons, u.big("reminder.print."+n, tr.T("reminders.print", nil), func() { u.printReminder(r) }))
	sentence := u.label("reminder."+n, text)
	sentence.TextStyle.Bold = true
	return card(sentence, container.NewGridWithColumns(2, buttons...))
}

// printReminder prints a paper reminder and says so in the bar.
func (u *KioskUI) printReminder(r bk.Reminder) {
	var res bk.Receipt
	var err error
	sess := u.sess
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		res, err = sess.PrintReminder(ctx, r)
	}, func() {
		if u.sess != sess {
			return
		}
		u.notice = u.tr.T("reminders.printed", nil)
		if err != nil || !res.Printed {
			u.log.Warn("reminder not printed", "err", err, "receipt", res.Err)
			u.notice = u.tr.T("reminders.not_printed", nil)
		}
		u.refresh()
	})
}

// startRenew opens the renewal of a power of attorney the person gave,
// filled in: the same person and areas, a new period from today of the
// usual length. The review comes first; each answer has its "Ret".
func (u *KioskUI) startRenew(r bk.Reminder) {
	var d *bk.Delegation
	for _, g := range u.state.GivenByMe {
		if g.ID == r.ID {
			d = g
		}
	}
	if d == nil {
		return
	}
	scopes := map[string]bool{}
	for _, s := range d.Scopes {
		scopes[s.ScopeID] = true
	}
	u.draft = &delegationDraft{name: d.DelegateShown(), delegate: d.Delegate, scopes: scopes,
		days: u.cfg.DefaultDelegationDays, renew: d}
	u.showRenewReview()
}

// renewWaits reports whether the renewal in the draft makes the delegate
// accept again: an area more, or one never accepted (bk.Rules.renew).
func (u *KioskUI) renewWaits() bool {
	d := u.draft.renew
	return d.State != bk.DelegationActive || bk.Widens(d.Scopes, u.draftScopes())
}

func (u *KioskUI) renewPayload() bk.Payload {
	from, to := u.draftPeriod()
	return bk.Payload{DelegationID: u.draft.renew.ID, Scopes: u.draftScopes(), ValidFrom: from, ValidTo: to}
}

// showRenewReview shows what the card will sign for a renewal, as the
// review of a new power of attorney does: who (not to be changed: that is
// a new one), the areas and the new period, each with its "Ret".
func (u *KioskUI) showRenewReview() {
	u.draft.reviewing = true
	u.show(func() *screen {
		tr := u.tr
		p := u.renewPayload()
		name := u.draft.name
		if name == "" {
			name = u.draft.delegate.Masked()
		}
		to := tr.T("renew.review_to", map[string]any{"Name": name})
		scopes := tr.T("create.review_scopes", map[string]any{"Scopes": u.scopeNames(p.Scopes)})
		period := tr.T("delegation.valid", map[string]any{"From": u.date(p.ValidFrom), "To": u.date(p.ValidTo)})
		line := func(id, text string, edit func()) fyne.CanvasObject { return u.reviewLine("renew", id, text, edit) }
		now := tr.T("renew.review_now", map[string]any{"Date": u.date(u.draft.renew.ValidTo)})
		rows := []fyne.CanvasObject{
			heading(tr.T("renew.review_title", nil)),
			card(u.label("renew.to", to), u.label("renew.now", now)),
			line("scopes", scopes, u.showCreateScopes),
			line("period", period, u.showCreatePeriod),
		}
		speak := []string{tr.T("renew.review_title", nil), to, now, scopes, period}
		if a := u.sess.AssistedBy(); a != nil {
			t := tr.T("staff.assisted_by", map[string]any{"Name": a.Name})
			rows = append(rows, u.label("renew.assisted", t))
			speak = append(speak, t)
		}
		noteKey := "renew.review_note"
		if u.renewWaits() {
			noteKey = "renew.review_note_wider"
		}
		note := tr.T(noteKey, map[string]any{"Name": name})
		rows = append(rows, u.label("renew.note", note))
		actions := []fyne.CanvasObject{
			u.big("renew.cancel", tr.T("button.cancel", nil), u.openReminders),
			u.primary("renew.confirm", tr.T("button.confirm", nil), once(u.confirmRenew)),
		}
		speak = append(speak, note, tr.T("renew.review_speak", nil))
		return &screen{id: "renew_review", body: vbox(rows...), actions: actions, speak: says(speak...)}
	})
}

// confirmRenew signs the renewal; one the delegate must accept again goes
// on to its handover code, as a new one does.
func (u *KioskUI) confirmRenew() {
	p := u.renewPayload()
	waits := u.renewWaits()
	u.doThen(bk.RenewDelegation, p, u.showRenewReview, func(res bk.Result) {
		name := u.draft.name
		u.draft = nil
		if waits {
			u.makeHandoverAfter(bk.RenewDelegation, p.DelegationID, name, &res)
			return
		}
		u.showResult(bk.RenewDelegation, p, res, u.openDelegations)
	})
}
