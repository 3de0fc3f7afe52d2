package receipt

import (
	"fmt"
	"strings"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// phrase is one text in both languages.
type phrase struct{ da, en string }

func (p phrase) in(lang string) string {
	if lang == "en" {
		return p.en
	}
	return p.da
}

// f is in with fmt.Sprintf.
func (p phrase) f(lang string, args ...any) string { return fmt.Sprintf(p.in(lang), args...) }

var (
	brand = phrase{"Borgerkiosk", "Borgerkiosk"}

	titles = map[bk.ActionKind]phrase{
		bk.GiveConsent:        {"Samtykke givet", "Consent given"},
		bk.DeclineConsent:     {"Samtykke afslået", "Consent declined"},
		bk.WithdrawConsent:    {"Samtykke trukket tilbage", "Consent withdrawn"},
		bk.CreateDelegation:   {"Fuldmagt oprettet", "Power of attorney created"},
		bk.RevokeDelegation:   {"Fuldmagt stoppet", "Power of attorney stopped"},
		bk.AcceptDelegation:   {"Fuldmagt modtaget", "Power of attorney accepted"},
		bk.DeclineDelegation:  {"Fuldmagt afslået", "Power of attorney declined"},
		bk.RenounceDelegation: {"Fuldmagt til dig stoppet", "Power of attorney to you stopped"},
		bk.RenewDelegation:    {"Fuldmagt fornyet", "Power of attorney renewed"},
		bk.SetContact:         {"E-mail til påmindelser", "E-mail for reminders"},
	}

	// Summaries: %s is the authority or the other person.
	summaries = map[bk.ActionKind]phrase{
		bk.GiveConsent: {"Du har givet %s lov til at bruge disse oplysninger om dig:",
			"You have allowed %s to use this information about you:"},
		bk.DeclineConsent: {"Du har sagt nej til, at %s må bruge disse oplysninger om dig:",
			"You have said no to %s using this information about you:"},
		bk.WithdrawConsent: {"Du har trukket dit samtykke tilbage. %s må ikke længere bruge disse oplysninger om dig:",
			"You have withdrawn your consent. %s may no longer use this information about you:"},
		bk.CreateDelegation: {"Du har givet %s fuldmagt til at handle for dig på disse områder:",
			"You have given %s power of attorney to act for you in these areas:"},
		bk.RevokeDelegation: {"Du har stoppet den fuldmagt, du gav %s. Personen kan ikke længere handle for dig på disse områder:",
			"You have stopped the power of attorney you gave %s. They can no longer act for you in these areas:"},
		bk.AcceptDelegation: {"Du har taget imod en fuldmagt fra %s. Du kan nu handle for personen på disse områder:",
			"You have accepted a power of attorney from %s. You can now act for them in these areas:"},
		bk.DeclineDelegation: {"Du har sagt nej til en fuldmagt fra %s på disse områder:",
			"You have declined a power of attorney from %s for these areas:"},
		bk.RenounceDelegation: {"Du har stoppet den fuldmagt, du havde fra %s. Du kan ikke længere handle for personen på disse områder:",
			"You have stopped the power of attorney from %s. You can no longer act for them in these areas:"},
		bk.RenewDelegation: {"Du har fornyet den fuldmagt, du gav %s. Personen kan handle for dig på disse områder:",
			"You have renewed the power of attorney you gave %s. They can act for you in these areas:"},
	}

	createNote     = phrase{"Fuldmagten gælder, når den er taget imod.", "It takes effect once it has been accepted."}
	contactOn      = phrase{"Du får en e-mail, før noget udløber.", "You will get an e-mail before something ends."}
	contactOff     = phrase{"Du får ikke påmindelser på e-mail.", "You will not get reminders by e-mail."}
	contactRemoved = phrase{"Din e-mail er fjernet. Du får ikke e-mails fra os.", "Your e-mail address is removed. You will get no e-mails from us."}
	emailLabel     = phrase{"E-mail", "E-mail"}
	languageLabel  = phrase{"Sprog", "Language"}
	languageNames  = map[string]phrase{bk.LangDanish: {"dansk", "Danish"}, bk.LangEnglish: {"engelsk", "English"}}
	renewNote      = phrase{"Der er nye områder. Fuldmagten gælder, når den er taget imod igen.", "There are new areas. It takes effect once it has been accepted again."}
	somePerson     = phrase{"personen med CPR-nummer %s", "the person with CPR number %s"}
	unknownPerson  = phrase{"ukendt person", "unknown person"}
	purposeLabel   = phrase{"Formål:", "Purpose:"}
	authorityLbl   = phrase{"Myndighed", "Authority"}
	fromLabel      = phrase{"Gælder fra", "Valid from"}
	toLabel        = phrase{"Gælder til", "Valid until"}
	throughLabel   = phrase{"Gælder til og med", "Valid through"}
	periodLabel    = phrase{"Ønsket periode", "Period asked for"}
	givenLabel     = phrase{"Givet", "Given"}
	stoppedLabel   = phrase{"Stoppet", "Ended"}
	scopeUntil     = phrase{"%s (til %s)", "%s (until %s)"}
	scopeThrough   = phrase{"%s (til og med %s)", "%s (through %s)"}
	nameLabel      = phrase{"Navn", "Name"}
	cprLabel       = phrase{"CPR", "CPR"}
	timeLabel      = phrase{"Tidspunkt", "Time"}
	kioskLabel     = phrase{"Kiosk", "Kiosk"}
	siteLabel      = phrase{"Sted", "Place"}
	actionLabel    = phrase{"Handlings-id", "Action id"}
	assistedBy     = phrase{"Hjulpet af %s", "Assisted by %s"}
	keepThis       = phrase{"Gem kvitteringen. Har du spørgsmål, så vis den til personalet.", "Keep this receipt. If you have questions, show it to staff."}
	confirmed      = phrase{"Status: Bekræftet", "Status: Confirmed"}
	confirmedNote  = phrase{"Registreret i det centrale system.", "Recorded by the central service."}
	pending        = phrase{"Afventer — sendes når forbindelsen er tilbage", "Pending — sent when the connection returns"}
	pendingNote    = phrase{"Ændringen er gemt på kiosken.", "The change is saved at the kiosk."}
	refused        = phrase{"Afvist: %s", "Refused: %s"}
	refusedNote    = phrase{"Intet er ændret.", "Nothing was changed."}

	slipTitle   = phrase{"Fuldmagt til dig", "Power of attorney for you"}
	slipSummary = phrase{"%s vil give dig fuldmagt. Så kan du handle for personen på disse områder:",
		"%s wants to give you power of attorney. You can then act for them in these areas:"}
	// unknownTerms says an answer given at an offline kiosk to a compact
	// code, which names neither scopes nor validity.
	unknownTerms = map[bk.ActionKind]phrase{
		bk.AcceptDelegation: {"Du har taget imod en fuldmagt fra %s. Kiosken havde ikke forbindelse, så den kan ikke vise, hvad fuldmagten gælder. Det ser du, næste gang du logger ind.",
			"You have accepted a power of attorney from %s. The kiosk had no connection, so it cannot show what the power of attorney covers. You will see that the next time you sign in."},
		bk.DeclineDelegation: {"Du har sagt nej til en fuldmagt fra %s.", "You have declined a power of attorney from %s."},
	}
	slipTo    = phrase{"Til", "For"}
	slipTyped = phrase{"Kan du ikke scanne, så skriv koden på %s:", "If you cannot scan, type the code at %s:"}
	slipHelp  = phrase{"Scan koden med din telefons kamera eller ved en Borgerkiosk for at tage imod. Koden kan bruges én gang, indtil %s.",
		"Scan the code with your phone's camera, or at a Borgerkiosk, to accept. The code can be used once, until %s."}

	overviewTitle    = phrase{"Overblik", "Overview"}
	overviewSub      = phrase{"Dine samtykker og fuldmagter", "Your consents and powers of attorney"}
	consentsHead     = phrase{"Samtykker", "Consents"}
	givenByMeHead    = phrase{"Fuldmagter du har givet", "Powers of attorney you have given"}
	givenToMeHead    = phrase{"Fuldmagter du har fået", "Powers of attorney you have received"}
	none             = phrase{"Ingen.", "None."}
	toPerson         = phrase{"Til %s", "To %s"}
	fromPerson       = phrase{"Fra %s", "From %s"}
	overviewOnline   = phrase{"Hentet fra det centrale system.", "Fetched from the central service."}
	proofScan        = phrase{"Scan koden med en telefon for at se, at papiret er ægte og stadig gælder.", "Scan the code with a phone to see that this paper is genuine and still current."}
	proofOffline     = phrase{"Uden QR-kode: kiosken kunne ikke spørge det centrale system, så papiret kan ikke bevises. Skriv det ud igen, når der er forbindelse.", "No QR code: the kiosk could not ask the central service, so this paper cannot be proved. Print it again when there is a connection."}
	proofNotSigned   = phrase{"Uden QR-kode: det centrale system kunne ikke bevise papiret lige nu.", "No QR code: the central service could not prove this paper right now."}
	overviewOffline  = phrase{"Uden forbindelse: viser det, kiosken kender. Ændringer, der afventer, er måske ikke med.", "Offline: shows what the kiosk knows. Changes still pending may be missing."}
	overviewRefused  = phrase{"Kunne ikke hentes: %s", "Could not be fetched: %s"}
	consentGivenTill = phrase{"Givet, gælder til %s", "Given, valid until %s"}
	delegationPeriod = phrase{"%s – %s", "%s – %s"}

	usageTitle = phrase{"Hvem har brugt dine oplysninger", "Who has used your information"}
	usageSub   = phrase{"Hvem der har spurgt om dine oplysninger og fuldmagter, og hvad svaret var. Det nyeste står først.",
		"Who has asked about your information and powers of attorney, and what the answer was. Newest first."}
	usagePeriod = phrase{"Periode", "Period"}
	usageNone   = phrase{"Ingen har spurgt om dine oplysninger eller fuldmagter.", "Nobody has asked about your information or powers of attorney."}
	// Staff cannot read a citizen's log (only their own card can), so the
	// rest is on the kiosk's screen, not with staff.
	usageMore = phrase{"Her står kun de nyeste %d. Du kan se de ældre på skærmen i Borgerkiosken.", "Only the newest %d are shown here. You can see the older ones on the screen of the Borgerkiosk."}
)

var consentStates = map[bk.ConsentState]phrase{
	bk.ConsentRequested: {"Venter på dit svar", "Waiting for your answer"},
	bk.ConsentGiven:     {"Givet", "Given"},
	bk.ConsentDeclined:  {"Afslået", "Declined"},
	bk.ConsentWithdrawn: {"Trukket tilbage", "Withdrawn"},
	bk.ConsentExpired:   {"Udløbet", "Expired"},
	bk.ConsentRevoked:   {"Stoppet af myndigheden", "Ended by the authority"},
}

var delegationStates = map[bk.DelegationState]phrase{
	bk.DelegationPending:   {"Venter på at blive taget imod", "Waiting to be accepted"},
	bk.DelegationActive:    {"Aktiv", "Active"},
	bk.DelegationDeclined:  {"Afslået", "Declined"},
	bk.DelegationExpired:   {"Udløbet", "Expired"},
	bk.DelegationRevoked:   {"Stoppet af den, der gav den", "Stopped by the person who gave it"},
	bk.DelegationRenounced: {"Stoppet af den, der fik den", "Stopped by the person who got it"},
}

// reasons are the plain words for central's refusal codes.
var reasons = map[string]phrase{
	bk.ECardRevoked:    {"Dit kort er spærret.", "Your card has been blocked."},
	bk.ECardExpired:    {"Dit kort er udløbet.", "Your card has expired."},
	bk.ECardNotYet:     {"Dit kort er ikke gyldigt endnu.", "Your card is not valid yet."},
	bk.EUnknownIssuer:  {"Kortet kendes ikke.", "The card is not recognised."},
	bk.EBadSignature:   {"Underskriften kunne ikke godkendes.", "The signature could not be verified."},
	bk.EUnknownSubject: {"Samtykket eller fuldmagten findes ikke.", "The consent or power of attorney was not found."},
	bk.EAlreadyRevoked: {"Det er allerede stoppet.", "It had already been ended."},
	bk.EAgeRule: {"Man skal være mindst 15 år for at give en fuldmagt og 18 år for at få en.",
		"You must be at least 15 to give a power of attorney and 18 to receive one."},
	bk.EExpired:           {"Det er udløbet.", "It has expired."},
	bk.EInvalidState:      {"Det kan ikke ændres på den måde nu.", "It cannot be changed that way now."},
	bk.ENotPermitted:      {"Du har ikke ret til at ændre dette.", "You are not allowed to change this."},
	bk.EUnknownScope:      {"Et af områderne findes ikke længere.", "One of the areas no longer exists."},
	bk.EBadValidity:       {"Datoerne er ikke gyldige.", "The dates are not valid."},
	bk.EClockSkew:         {"Kioskens ur gik forkert.", "The kiosk's clock was wrong."},
	bk.EStaleTrust:        {"Kiosken mangler de nyeste oplysninger. Prøv igen senere.", "The kiosk lacks the latest information. Please try again later."},
	string(bk.Superseded): {"En anden ændring kom først.", "Another change came first."},
}

var unknownReason = phrase{"Handlingen blev afvist. Spørg personalet.", "The action was refused. Please ask staff."}

// reasonText is the plain reason for a refusal: our own words for a known
// code, else the verdict's message in English (domain messages are English),
// else a general sentence.
func reasonText(s Status, lang string) string {
	if p, ok := reasons[s.Code]; ok {
		return p.in(lang)
	}
	if lang == "en" && strings.TrimSpace(s.Message) != "" {
		return s.Message
	}
	return unknownReason.in(lang)
}
