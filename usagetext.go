package borgerkiosk

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// usageWords are the words of a usage record in one kiosk language. In the
// templates %A is the authority, %P the other person, %S the scope, %C the
// data category and %D the date (with its own little word, or nothing).
type usageWords struct {
	asked, askedDate   string
	consent            string
	mayActForYou       string
	youMayActFor       string
	actedForYou        string
	triedForYou        string
	youActed, youTried string
	actedDate          string
	someone            string
	yes, no, refused   string
}

var usageDA = usageWords{
	asked: "%A spurgte%D", askedDate: " %s",
	consent:      ", om de må bruge disse oplysninger om dig: %C.",
	mayActForYou: ", om %P må handle for dig om %S.",
	youMayActFor: ", om du må handle for %P om %S.",
	actedForYou:  "%P handlede for dig hos %A om %S%D.", triedForYou: "%P ville handle for dig hos %A om %S%D.",
	youActed: "Du handlede for %P hos %A om %S%D.", youTried: "Du ville handle for %P hos %A om %S%D.",
	actedDate: " den %s", someone: "en anden person",
	yes: "De fik ja.", no: "De fik nej.", refused: "De fik nej. De må ikke spørge om det.",
}

var usageEN = usageWords{
	asked: "%A asked%D", askedDate: " on %s",
	consent:      " whether they may use this information about you: %C.",
	mayActForYou: " whether %P may act for you on %S.",
	youMayActFor: " whether you may act for %P on %S.",
	actedForYou:  "%P acted for you with %A on %S%D.", triedForYou: "%P tried to act for you with %A on %S%D.",
	youActed: "You acted for %P with %A on %S%D.", youTried: "You tried to act for %P with %A on %S%D.",
	actedDate: " on %s", someone: "another person",
	yes: "They were told yes.", no: "They were told no.", refused: "They were told no. They may not ask about that.",
}

// Sentence says r in plain words in lang ("da" or "en"), from the side of
// the person whose log it is in (r.Role): "Skattestyrelsen spurgte 3.
// december, om Mads Nielsen må handle for dig om skat. De fik ja." for the
// principal, "…, om du må handle for Ingrid Sørensen om skat." for the
// delegate, "Mads Nielsen handlede for dig hos Skattestyrelsen om skat den
// 3. december." for a token exchange. date is when, as the caller writes
// it ("" leaves it out). Names come from cat (ids where it lacks them) and
// from the record, never a CPR number. Screens, the printed statement and
// read-aloud all say a record with it, so it reads the same everywhere.
func (r *UsageRecord) Sentence(lang, date string, cat *Catalogue) string {
	w := usageDA
	if lang == "en" {
		w = usageEN
	}
	authority, scope, category := r.Authority, r.Scope, r.DataCategory
	if cat != nil {
		if a, ok := cat.Authority(r.Authority); ok {
			authority = a.Name.In(lang)
		}
		if s, ok := cat.Scope(r.Scope); ok {
			scope = s.Name.In(lang)
		}
		if c, ok := cat.DataCategory(r.DataCategory); ok {
			category = c.Name.In(lang)
		}
	}
	other := r.DelegateName
	if r.Role == UsageDelegate {
		other = r.PrincipalName
	}
	if other = NormalName(other); other == "" {
		other = w.someone
	}
	var t, when string
	delegate := r.Role == UsageDelegate
	allowed := r.Answer == UsageAllowed
	switch r.Kind {
	case UsageTokenExchange:
		when = w.actedDate
		switch {
		case delegate && allowed:
			t = w.youActed
		case delegate:
			t = w.youTried
		case allowed:
			t = w.actedForYou
		default:
			t = w.triedForYou
		}
	case UsageConsentCheck:
		t, when = w.asked+w.consent, w.askedDate
	case UsageDelegationCheck:
		t, when = w.asked+w.mayActForYou, w.askedDate
		if delegate {
			t = w.asked + w.youMayActFor
		}
	default:
		t, when = w.asked+".", w.askedDate
	}
	if date != "" {
		date = fmt.Sprintf(when, date)
	}
	says := strings.NewReplacer("%A", authority, "%D", date, "%P", other,
		// A scope reads inside the sentence ("om skat"); a data category
		// follows a colon as the consents screen writes it after
		// "Oplysninger om dig:" ("Indkomst").
		"%S", lowerFirst(scope), "%C", category).Replace(t)
	says = upperFirst(says) // "en anden person handlede …"
	switch {
	case r.Answer == UsageRefused:
		return says + " " + w.refused
	case r.Kind == UsageTokenExchange && allowed:
		return says // "handlede" already says yes
	case allowed:
		return says + " " + w.yes
	}
	return says + " " + w.no
}

// lowerFirst puts a catalogue name ("Skat") inside a sentence ("om skat").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
