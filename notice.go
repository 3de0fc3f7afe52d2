package borgerkiosk

import (
	"strings"
)

// NoticeKind names something a person must hear about: a change another
// person made to a delegation or consent that concerns them, or an end
// coming near. Central derives notices from the changes the rules make and
// from the passing of time; the kiosk shows the same things at sign-in.
type NoticeKind string

const (
	NoticeOffered        NoticeKind = "delegation_offered"   // to the delegate
	NoticeAccepted       NoticeKind = "delegation_accepted"  // to the principal
	NoticeDeclined       NoticeKind = "delegation_declined"  // to the principal
	NoticeRevoked        NoticeKind = "delegation_revoked"   // to the delegate
	NoticeRenounced      NoticeKind = "delegation_renounced" // to the principal
	NoticeRenewed        NoticeKind = "delegation_renewed"   // to the delegate
	NoticeEnding         NoticeKind = "delegation_ending"    // to both, some days before
	NoticeEnded          NoticeKind = "delegation_ended"     // to both
	NoticeLapsed         NoticeKind = "delegation_lapsed"    // to both: an offer ended unanswered
	NoticeScopeEnding    NoticeKind = "scope_ending"         // to both: one area ends before the rest
	NoticeScopeEnded     NoticeKind = "scope_ended"          // to both
	NoticeConsentWaiting NoticeKind = "consent_waiting"      // to the citizen: a request to answer
	NoticeConsentEnding  NoticeKind = "consent_ending"       // to the citizen, some days before
	NoticeConsentEnded   NoticeKind = "consent_ended"        // to the citizen
)

// NoticeKinds lists every kind, in a stable order.
var NoticeKinds = []NoticeKind{
	NoticeOffered, NoticeAccepted, NoticeDeclined, NoticeRevoked, NoticeRenounced, NoticeRenewed,
	NoticeEnding, NoticeEnded, NoticeLapsed, NoticeScopeEnding, NoticeScopeEnded,
	NoticeConsentWaiting, NoticeConsentEnding, NoticeConsentEnded,
}

// Reminder reports whether the kind warns of an end still to come: the
// messages a citizen turns off with Contact.EmailReminders. News of a
// change (offered, revoked, ended …) still comes.
func (k NoticeKind) Reminder() bool {
	return k == NoticeEnding || k == NoticeScopeEnding || k == NoticeConsentEnding
}

// NoticeRole is whom, of the people an object concerns, a notice is for.
type NoticeRole string

const (
	ToPrincipal NoticeRole = "principal" // who gave the delegation
	ToDelegate  NoticeRole = "delegate"  // who holds it
	ToCitizen   NoticeRole = "citizen"   // whose consent it is
)

// NoticeFacts are what a notice message says, all of it things the person
// sees at the kiosk too: never a CPR number.
type NoticeFacts struct {
	Kind NoticeKind
	Role NoticeRole
	// Other is the other person's name (for a consent: the authority's).
	Other string
	// Areas are the scope names of a delegation (for a scope notice the one
	// that ends), or the data categories of a consent, in lang.
	Areas []string
	// Period is how long until the end, as PeriodText says it ("1 uge").
	Period string
	// Date is the end date as a person reads it (timefmt), "" if none.
	Date string
}

// Message returns the subject and body of the notice in lang ("da" or
// "en"; anything else is Danish). The Danish text keeps the kiosk's LIX
// rule (TestNoticeTextsArePlain).
func (f NoticeFacts) Message(lang string) (subject, body string) {
	w, ok := noticeTexts[noticeKey{f.Kind, f.Role}]
	if !ok {
		w = noticeTexts[noticeKey{"", ""}]
	}
	i := 0
	if lang == LangEnglish {
		i = 1
	}
	other := f.Other
	if other == "" {
		other = [2]string{"en anden person", "another person"}[i]
	}
	r := strings.NewReplacer("%O", other, "%S", JoinAnd(f.Areas, lang), "%P", f.Period, "%T", f.Date)
	body = upperFirst(r.Replace(w.body[i])) + "\n\n" + noticeFooter[i]
	return w.subject[i], body
}

// JoinAnd joins names as a person says them: "skat, pension og bolig"
// (in English with " and "); notices and printed reminders both use it.
func JoinAnd(names []string, lang string) string {
	and := " og "
	if lang == LangEnglish {
		and = " and "
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + and + names[len(names)-1]
}

type noticeKey struct {
	kind NoticeKind
	role NoticeRole
}

type noticeWords struct{ subject, body [2]string }

// The texts: %O the other person, %S the areas, %P the time left, %T the
// end date. Short words and short sentences, as on the kiosk's screens.
var noticeTexts = map[noticeKey]noticeWords{
	{NoticeOffered, ToDelegate}: {
		[2]string{"Du har fået en fuldmagt", "You have been given a power of attorney"},
		[2]string{"%O vil give dig en fuldmagt om %S. Den gælder først, når du siger ja. Du kan svare ved en kiosk.",
			"%O wants to give you a power of attorney for %S. It only applies once you say yes. You can answer at a kiosk."}},
	{NoticeAccepted, ToPrincipal}: {
		[2]string{"Din fuldmagt gælder nu", "Your power of attorney now applies"},
		[2]string{"%O har sagt ja til din fuldmagt om %S. Nu kan %O handle for dig.",
			"%O has said yes to your power of attorney for %S. %O can now act for you."}},
	{NoticeDeclined, ToPrincipal}: {
		[2]string{"Nej tak til din fuldmagt", "Your power of attorney was declined"},
		[2]string{"%O har sagt nej til din fuldmagt om %S. Den gælder ikke. Du kan give en ny ved en kiosk.",
			"%O has said no to your power of attorney for %S. It does not apply. You can give a new one at a kiosk."}},
	{NoticeRevoked, ToDelegate}: {
		[2]string{"En fuldmagt er trukket tilbage", "A power of attorney was revoked"},
		[2]string{"%O har trukket sin fuldmagt til dig om %S tilbage. Du kan ikke mere handle for %O.",
			"%O has taken back the power of attorney for %S they gave you. You can no longer act for %O."}},
	{NoticeRenounced, ToPrincipal}: {
		[2]string{"En fuldmagt er opsagt", "A power of attorney was given up"},
		[2]string{"%O vil ikke mere have din fuldmagt om %S. Den gælder ikke mere. Du kan give en ny ved en kiosk.",
			"%O no longer wants your power of attorney for %S. It no longer applies. You can give a new one at a kiosk."}},
	{NoticeRenewed, ToDelegate}: {
		[2]string{"En fuldmagt er fornyet", "A power of attorney was renewed"},
		[2]string{"%O har fornyet sin fuldmagt til dig om %S. Den gælder nu til og med den %T.",
			"%O has renewed the power of attorney for %S they gave you. It now applies up to and including %T."}},
	{NoticeEnding, ToPrincipal}: {
		[2]string{"Din fuldmagt slutter snart", "Your power of attorney ends soon"},
		[2]string{"Din fuldmagt til %O om %S slutter om %P, den %T. Skal den gælde længere? Så tryk på Forny ved en kiosk.",
			"Your power of attorney to %O for %S ends in %P, on %T. Should it last longer? Then tap Renew at a kiosk."}},
	{NoticeEnding, ToDelegate}: {
		[2]string{"En fuldmagt slutter snart", "A power of attorney ends soon"},
		[2]string{"Din fuldmagt fra %O om %S slutter om %P, den %T. Kun %O kan forny den.",
			"Your power of attorney from %O for %S ends in %P, on %T. Only %O can renew it."}},
	{NoticeEnded, ToPrincipal}: {
		[2]string{"Din fuldmagt er slut", "Your power of attorney has ended"},
		[2]string{"Din fuldmagt til %O om %S er slut. %O kan ikke mere handle for dig. Du kan give en ny ved en kiosk.",
			"Your power of attorney to %O for %S has ended. %O can no longer act for you. You can give a new one at a kiosk."}},
	{NoticeEnded, ToDelegate}: {
		[2]string{"En fuldmagt er slut", "A power of attorney has ended"},
		[2]string{"Din fuldmagt fra %O om %S er slut. Du kan ikke mere handle for %O.",
			"Your power of attorney from %O for %S has ended. You can no longer act for %O."}},
	{NoticeLapsed, ToPrincipal}: {
		[2]string{"Din fuldmagt blev ikke til noget", "Your power of attorney never applied"},
		[2]string{"%O sagde aldrig ja til din fuldmagt om %S. Nu er tiden gået, og den gælder ikke. Du kan give en ny ved en kiosk.",
			"%O never said yes to your power of attorney for %S. The time is up now, and it does not apply. You can give a new one at a kiosk."}},
	{NoticeLapsed, ToDelegate}: {
		[2]string{"En fuldmagt blev ikke til noget", "A power of attorney never applied"},
		[2]string{"Du svarede ikke på fuldmagten fra %O om %S. Nu er tiden gået, og den gælder ikke. Du kan ikke handle for %O.",
			"You did not answer the power of attorney from %O for %S. The time is up now, and it does not apply. You cannot act for %O."}},
	{NoticeScopeEnding, ToPrincipal}: {
		[2]string{"En del af din fuldmagt slutter snart", "Part of your power of attorney ends soon"},
		[2]string{"Din fuldmagt til %O slutter for %S om %P, den %T. Resten gælder stadig.",
			"Your power of attorney to %O ends for %S in %P, on %T. The rest still applies."}},
	{NoticeScopeEnding, ToDelegate}: {
		[2]string{"En del af en fuldmagt slutter snart", "Part of a power of attorney ends soon"},
		[2]string{"Din fuldmagt fra %O slutter for %S om %P, den %T. Resten gælder stadig.",
			"Your power of attorney from %O ends for %S in %P, on %T. The rest still applies."}},
	{NoticeScopeEnded, ToPrincipal}: {
		[2]string{"En del af din fuldmagt er slut", "Part of your power of attorney has ended"},
		[2]string{"Din fuldmagt til %O gælder ikke mere for %S. Resten gælder stadig.",
			"Your power of attorney to %O no longer covers %S. The rest still applies."}},
	{NoticeScopeEnded, ToDelegate}: {
		[2]string{"En del af en fuldmagt er slut", "Part of a power of attorney has ended"},
		[2]string{"Din fuldmagt fra %O gælder ikke mere for %S. Du kan ikke mere handle for %O om det.",
			"Your power of attorney from %O no longer covers %S. You can no longer act for %O on that."}},
	{NoticeConsentWaiting, ToCitizen}: {
		[2]string{"Du har fået et spørgsmål", "You have a question to answer"},
		[2]string{"%O spørger, om de må bruge disse oplysninger om dig: %S. Du kan svare ja eller nej ved en kiosk.",
			"%O asks whether they may use this information about you: %S. You can answer yes or no at a kiosk."}},
	{NoticeConsentEnding, ToCitizen}: {
		[2]string{"Dit samtykke slutter snart", "Your consent ends soon"},
		[2]string{"Dit ja til %O slutter om %P, den %T. Det gælder disse oplysninger: %S. Vil de bruge dem efter det, så spørger de igen.",
			"Your consent to %O ends in %P, on %T. It covers this information: %S. If they want to use it after that, they will ask again."}},
	{NoticeConsentEnded, ToCitizen}: {
		[2]string{"Dit samtykke er slut", "Your consent has ended"},
		[2]string{"Dit ja til %O er slut. De må ikke mere bruge disse oplysninger om dig: %S.",
			"Your consent to %O has ended. They may no longer use this information about you: %S."}},
	// A kind or role without words of its own (a newer central's): say
	// little, and send them to the kiosk.
	{"", ""}: {
		[2]string{"Nyt fra Borgerkiosken", "News from Borgerkiosken"},
		[2]string{"Der er nyt om dine fuldmagter eller dit samtykke. Du kan se det ved en kiosk.",
			"There is news about your powers of attorney or your consent. You can see it at a kiosk."}},
}

// noticeFooter ends every message: why it came, and how to stop it.
var noticeFooter = [2]string{
	"Du får denne mail, fordi du gav os din mail ved en kiosk. Ved en kiosk kan du slå mails om frister fra, eller slette din mail. Svar ikke på denne mail.",
	"You get this e-mail because you gave us your address at a kiosk. At a kiosk you can turn off reminders or remove your address. Please do not reply to this e-mail.",
}
