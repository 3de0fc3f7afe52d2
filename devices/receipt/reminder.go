package receipt

import (
	"strings"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// A paper reminder: one thing that ends or waits (bk.Reminder), when, and
// what the person can do about it, to take home and keep by the phone.
var (
	reminderTitle = phrase{"Husk", "Reminder"}
	// %s: the other person or the authority, then the areas or data, then the date.
	reminderWhat = map[bk.ReminderKind]phrase{
		bk.RemindGiven:   {"Din fuldmagt til %s om %s gælder til og med %s.", "Your power of attorney for %s about %s is valid through %s."},
		bk.RemindHeld:    {"Din fuldmagt fra %s om %s gælder til og med %s.", "Your power of attorney from %s about %s is valid through %s."},
		bk.RemindConsent: {"Dit samtykke til %s om %s gælder til og med %s.", "Your consent to %s about %s is valid through %s."},
		bk.RemindRequest: {"%s venter på dit svar om %s. Du kan svare til og med %s.", "%s is waiting for your answer about %s. You can answer through %s."},
		bk.RemindOffered: {"%s vil give dig fuldmagt om %s. Du kan svare til og med %s.", "%s wants to give you power of attorney about %s. You can answer through %s."},
	}
	reminderEnded = phrase{"Din fuldmagt til %s om %s er udløbet. Den gjaldt til og med %s.", "Your power of attorney for %s about %s has ended. It was valid through %s."}
	reminderDo    = map[bk.ReminderKind]phrase{
		bk.RemindGiven:   {"Du kan forny den ved en Borgerkiosk. Tag dit kort med.", "You can renew it at a Borgerkiosk. Bring your card."},
		bk.RemindHeld:    {"Skal den fornyes, så tal med %s.", "If it should be renewed, talk to %s."},
		bk.RemindConsent: {"Har de brug for mere, så spørger de igen.", "If they need more, they will ask again."},
		bk.RemindRequest: {"Du kan svare ved en Borgerkiosk. Tag dit kort med.", "You can answer at a Borgerkiosk. Bring your card."},
		bk.RemindOffered: {"Du kan svare ved en Borgerkiosk. Tag dit kort og koden med.", "You can answer at a Borgerkiosk. Bring your card and the code."},
	}
)

// Reminder returns the ESC/POS job of a paper reminder. Needs Kiosk, At,
// Person and Reminder (with the other person or the authority, and the
// areas or data).
func Reminder(r Receipt, p Printer) ([]byte, error) { return render(ReminderDoc, r, p) }

// ReminderText returns the paper reminder as plain text, for reading aloud.
func ReminderText(r Receipt) (string, error) { return text(ReminderDoc, r) }

// ReminderDoc lays out a paper reminder.
func ReminderDoc(r Receipt) (*Doc, error) {
	lang, err := r.check()
	if err != nil {
		return nil, err
	}
	m := r.Reminder
	if m == nil {
		return nil, invalid("a reminder needs what it is about")
	}
	what, ok := reminderWhat[m.Kind]
	if !ok {
		return nil, invalid("unknown reminder kind %q", m.Kind)
	}
	if m.Ends.IsZero() {
		return nil, invalid("a reminder needs when it ends")
	}
	var who string
	var names []string
	switch m.Kind {
	case bk.RemindConsent, bk.RemindRequest:
		who = authorityName(r, m.Authority, lang)
		for _, id := range m.Categories {
			names = append(names, categoryName(r.Catalogue, id, lang))
		}
	default:
		who = strings.TrimSpace(m.Other)
		for _, id := range m.Scopes {
			names = append(names, scopeText(r, bk.ScopeGrant{ScopeID: id}, &bk.Delegation{}, lang))
		}
	}
	if who == "" || len(names) == 0 {
		return nil, invalid("a reminder needs the other person or authority, and the areas or data")
	}
	about := bk.JoinAnd(names, lang)
	when := r.Zone.LastDay(m.Ends, lang)
	sentence := what.f(lang, who, about, when)
	if m.Kind == bk.RemindGiven && !m.Ends.After(r.At) {
		sentence = reminderEnded.f(lang, who, about, when)
	}
	d := &Doc{}
	d.title(brand.in(lang))
	d.heading(reminderTitle.in(lang))
	d.rule()
	d.strong(sentence)
	d.blank()
	todo := reminderDo[m.Kind].in(lang)
	if m.Kind == bk.RemindHeld {
		todo = reminderDo[m.Kind].f(lang, who)
	}
	d.para(todo)
	d.rule()
	d.field(nameLabel.in(lang), r.Person.Name)
	d.field(cprLabel.in(lang), r.Person.CPR.Masked())
	footer(d, r, lang)
	return d, nil
}
