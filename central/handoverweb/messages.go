package handoverweb

import (
	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

// texts holds every string of the pages, in Danish and English.
var texts = map[string][2]string{ // key → {da, en}
	"page_title":            {"Fuldmagt til dig", "Power of attorney for you"},
	"offer":                 {"vil give dig fuldmagt", "wants to give you power of attorney"},
	"intro":                 {"Siger du ja, kan du ordne disse ting for %s:", "If you say yes, you can deal with these things for %s:"},
	"intro_closed":          {"gav dig fuldmagt til dette:", "gave you power of attorney for this:"},
	"scopes":                {"Fuldmagten dækker", "What it covers"},
	"until":                 {"til", "until"},
	"through":               {"til og med", "through"},
	"period":                {"Periode", "Period"},
	"from_to":               {"fra %s til %s", "from %s to %s"},
	"code_expires":          {"Koden kan bruges %s.", "The code can be used %s."},
	"signin_first":          {"Log først ind. Så kan du sige ja eller nej, og du ser hele navnet.", "Sign in first. Then you can say yes or no, and you see the full name."},
	"signin_oidc":           {"Log ind med MitID for at svare", "Sign in with MitID to answer"},
	"signin_dev":            {"Log ind (udvikling) for at svare", "Sign in (development) to answer"},
	"signin_none":           {"Log ind er ikke sat op på denne tjeneste, så koden kan ikke besvares her. Tag koden med til en Borgerkiosk.", "Signing in is not set up on this service, so the code cannot be answered here. Take the code to a Borgerkiosk."},
	"demo_notice":           {"Demo: den centrale tjeneste kører i demo-tilstand med udviklings-login.", "Demo: the central service runs in demo mode with development sign-in."},
	"signed_in_as":          {"Du er logget ind som", "You are signed in as"},
	"answer_now":            {"Vil du tage imod fuldmagten?", "Do you want to accept the power of attorney?"},
	"accept":                {"Ja, jeg tager imod fuldmagten", "Yes, I accept the power of attorney"},
	"decline":               {"Nej tak", "No, thank you"},
	"decline_title":         {"Sig nej tak til fuldmagten", "Decline the power of attorney"},
	"decline_ask":           {"Vil du sige nej tak til fuldmagten fra %s?", "Do you want to decline the power of attorney from %s?"},
	"decline_means":         {"Hvis du siger nej tak", "If you decline"},
	"decline_means_intro":   {"Du kan ikke ordne disse ting for %s:", "You cannot deal with these things for %s:"},
	"decline_final":         {"Det kan ikke fortrydes. Vil du have fuldmagten alligevel, må %s give dig en ny.", "This cannot be undone. If you want it after all, %s must give you a new one."},
	"decline_confirm":       {"Ja, sig nej tak", "Yes, decline"},
	"decline_cancel":        {"Nej, gå tilbage", "No, go back"},
	"sign_out":              {"Log ud", "Sign out"},
	"switch_lang":           {"English", "Dansk"},
	"accepted_title":        {"Du har taget imod fuldmagten", "You have accepted the power of attorney"},
	"what_now":              {"Hvad sker der nu?", "What happens now?"},
	"accepted_now":          {"Fuldmagten gælder nu. Du kan ordne disse ting for %s indtil %s:", "The power of attorney applies now. You can deal with these things for %s until %s:"},
	"accepted_stop":         {"%s kan stoppe fuldmagten når som helst.", "%s can stop the power of attorney at any time."},
	"accepted_renounce":     {"Vil du ikke have fuldmagten mere, kan du stoppe den ved en Borgerkiosk eller under Dine fuldmagter på denne side.", "If you no longer want it, you can stop it at a Borgerkiosk or under Your powers of attorney on this site."},
	"declined_title":        {"Du har sagt nej tak", "You have declined"},
	"declined_now":          {"Fuldmagten gælder ikke, så du kan ikke ordne noget for %s nu.", "The power of attorney does not apply, so you cannot deal with anything for %s now."},
	"declined_seen":         {"%s kan se dit svar, næste gang %s logger ind.", "%s will see your answer the next time %s signs in."},
	"declined_mistake":      {"Sagde du nej ved en fejl, må %s give dig en ny fuldmagt.", "If you said no by mistake, %s must give you a new power of attorney."},
	"close_page":            {"Du kan lukke siden nu.", "You can close this page now."},
	"error_title":           {"Koden kan ikke bruges", "The code cannot be used"},
	"typed_title":           {"Skriv koden fra sedlen", "Type the code from the slip"},
	"typed_intro":           {"Står der en kode som K7M4-XQ9-P2R på sedlen fra Borgerkiosken? Skriv den her.", "Does the slip from the Borgerkiosk show a code like K7M4-XQ9-P2R? Type it here."},
	"typed_label":           {"Koden på sedlen", "The code on the slip"},
	"typed_hint":            {"Store eller små bogstaver. Du kan skrive den med eller uden streger.", "Capital or small letters. You can type it with or without the dashes."},
	"typed_submit":          {"Vis fuldmagten", "Show the power of attorney"},
	"signed_out_title":      {"Du er logget ud", "You are signed out"},
	"mine_title":            {"Dine fuldmagter", "Your powers of attorney"},
	"mine_intro":            {"Log ind, så kan du se de fuldmagter, du har fået, og dem, du er blevet tilbudt.", "Sign in to see the powers of attorney you hold and the ones you have been offered."},
	"mine_signin_oidc":      {"Log ind med MitID", "Sign in with MitID"},
	"mine_signin_dev":       {"Log ind (udvikling)", "Sign in (development)"},
	"mine_signin_none":      {"Log ind er ikke sat op på denne tjeneste. Du kan se dine fuldmagter ved en Borgerkiosk.", "Signing in is not set up on this service. You can see your powers of attorney at a Borgerkiosk."},
	"mine_held":             {"Fuldmagter du har", "Powers of attorney you hold"},
	"mine_held_none":        {"Du har ingen fuldmagter lige nu.", "You hold no powers of attorney right now."},
	"mine_for":              {"Du kan ordne ting for %s", "You can deal with things for %s"},
	"mine_offered":          {"Tilbudt til dig", "Offered to you"},
	"mine_offered_none":     {"Ingen venter på dit svar.", "No one is waiting for your answer."},
	"mine_from":             {"%s vil give dig fuldmagt", "%s wants to give you power of attorney"},
	"mine_offered_how":      {"Svar med koden på sedlen fra Borgerkiosken.", "Answer with the code on the slip from the Borgerkiosk."},
	"mine_back":             {"Tilbage til dine fuldmagter", "Back to your powers of attorney"},
	"mine_error_title":      {"Det kunne ikke lade sig gøre", "That could not be done"},
	"renounce":              {"Stop fuldmagten", "Stop this power of attorney"},
	"renounce_title":        {"Stop fuldmagten", "Stop the power of attorney"},
	"renounce_ask":          {"Vil du stoppe fuldmagten fra %s?", "Do you want to stop the power of attorney from %s?"},
	"renounce_stops":        {"Det stopper", "What stops"},
	"renounce_stops_intro":  {"Du kan ikke længere ordne disse ting for %s:", "You can no longer deal with these things for %s:"},
	"renounce_final":        {"Det kan ikke fortrydes. Vil du have fuldmagten igen, må %s give dig en ny.", "This cannot be undone. If you want it again, %s must give you a new one."},
	"renounce_confirm":      {"Ja, stop fuldmagten", "Yes, stop it"},
	"renounce_cancel":       {"Nej, gå tilbage", "No, go back"},
	"renounced_title":       {"Du har stoppet fuldmagten", "You have stopped the power of attorney"},
	"renounced_now":         {"Fuldmagten gælder ikke mere. Du kan ikke længere ordne ting for %s.", "The power of attorney no longer applies. You can no longer deal with things for %s."},
	"renounced_seen":        {"%s kan se det, næste gang der logges ind ved en Borgerkiosk.", "%s will see this at the next sign-in at a Borgerkiosk."},
	"proof_current_title":   {"Papiret er ægte og gælder stadig", "The paper is genuine and still current"},
	"proof_changed_title":   {"Papiret er ægte, men noget er ændret", "The paper is genuine, but something has changed"},
	"proof_false_title":     {"Papiret kan ikke bekræftes", "The paper cannot be confirmed"},
	"proof_false":           {"Koden er ikke lavet af den centrale tjeneste, eller den er ændret. Stol ikke på papiret.", "The code was not made by the central service, or it has been altered. Do not rely on the paper."},
	"proof_current":         {"Alt på papiret gælder stadig, som det står.", "Everything on the paper still holds as it says."},
	"proof_changed":         {"Noget på papiret gælder ikke længere, som det står. Se linjerne herunder.", "Something on the paper no longer holds as it says. See the lines below."},
	"proof_printed":         {"Papiret blev skrevet ud", "The paper was printed"},
	"proof_lines":           {"Linjerne på papiret", "The lines on the paper"},
	"proof_line":            {"Linje %d (%s)", "Line %d (%s)"},
	"proof_delegation":      {"fuldmagt", "power of attorney"},
	"proof_consent":         {"samtykke", "consent"},
	"proof_line_current":    {"gælder stadig", "still holds"},
	"proof_line_changed":    {"er ændret:", "has changed:"},
	"proof_state_":          {"findes ikke længere.", "no longer exists."},
	"proof_state_pending":   {"venter nu på svar.", "now awaits an answer."},
	"proof_state_active":    {"gælder nu, men med andre vilkår.", "applies now, but on other terms."},
	"proof_state_revoked":   {"er stoppet af den, der gav den.", "has been stopped by the person who gave it."},
	"proof_state_renounced": {"er stoppet af den, der fik den.", "has been stopped by the person who got it."},
	"proof_state_declined":  {"er der sagt nej til.", "was declined."},
	"proof_state_expired":   {"er udløbet.", "has expired."},
	"proof_state_given":     {"er givet, men med andre vilkår.", "is given, but on other terms."},
	"proof_state_withdrawn": {"er trukket tilbage.", "has been withdrawn."},
	"proof_state_refused":   {"er der sagt nej til.", "was refused."},
	"help":                  {"Har du brug for hjælp, så spørg personalet på biblioteket eller i Borgerservice.", "If you need help, ask the staff at the library or at Borgerservice."},
}

// messages for refusal codes, in the person's language.
var refusals = map[string][2]string{
	handover.EMalformed:      {"Dette er ikke en gyldig overdragelseskode, eller den er beskadiget. Scan koden igen.", "This is not a valid handover code, or it is damaged. Scan the code again."},
	handover.EUnknownKey:     {"Koden er lavet af en kiosk, vi ikke kender.", "The code was made by a kiosk we do not recognise."},
	handover.EBadSignature:   {"Koden er blevet ændret eller er ikke ægte.", "The code has been altered or is not genuine."},
	handover.EExpired:        {"Koden er udløbet. Bed om en ny.", "The code has expired. Ask for a new one."},
	handover.ENotYetValid:    {"Koden er ikke gyldig endnu. Kioskens ur går forkert.", "The code is not valid yet. The kiosk's clock is wrong."},
	handover.ETypedMalformed: {"En kode har 10 bogstaver og tal, fx K7M4-XQ9-P2R. Se efter på sedlen, og prøv igen.", "A code has 10 letters and digits, like K7M4-XQ9-P2R. Look at the slip and try again."},
	handover.ETypedUnknown:   {"Vi kender ikke koden endnu. Er fuldmagten lige lavet, er den måske ikke sendt fra kiosken endnu. Prøv igen om lidt. Se også efter, om koden er skrevet rigtigt.", "We do not know this code yet. If the power of attorney was made just now, the kiosk may not have sent it yet. Try again later. Also check that the code is typed right."},
	handover.ECodeUsed:       {"Koden er allerede brugt. Hver kode kan kun bruges én gang.", "The code has already been used. Each code can be used only once."},
	handover.ECodeSuperseded: {"Der er lavet en nyere kode til denne fuldmagt. Brug den nyeste.", "A newer code was made for this power of attorney. Use the newest one."},
	handover.ECodeMismatch:   {"Koden passer ikke med fuldmagten, som den er registreret hos den centrale tjeneste, så den kan ikke bruges. Intet er ændret. Bed om en ny kode ved en Borgerkiosk, og fortæl personalet om det.", "The code does not match the power of attorney as the central service has it recorded, so it cannot be used. Nothing has been changed. Ask for a new code at a Borgerkiosk, and tell the staff."},
	EWrongDelegate:           {"Koden er lavet til en anden person end den, der er logget ind.", "The code was made for someone other than the person signed in."},
	handover.EStateAccepted:  {"Fuldmagten er allerede taget imod, så koden kan ikke bruges igen.", "The power of attorney has already been accepted, so the code cannot be used again."},
	handover.EStateDeclined:  {"Der er sagt nej tak til fuldmagten, så den er ikke trådt i kraft, og koden kan ikke bruges igen.", "The power of attorney was declined, so it has not taken effect, and the code cannot be used again."},
	handover.EStateRenounced: {"Fuldmagten er stoppet af den, der fik den. Den gælder ikke længere.", "The power of attorney was stopped by the person who got it. It no longer applies."},
	bk.EAlreadyRevoked:       {"Fuldmagten er stoppet og kan ikke længere tages imod.", "The power of attorney has been stopped and can no longer be accepted."},
	bk.EAlreadyDeclined:      {"Der er sagt nej tak til fuldmagten, og det kan ikke laves om. Den, der gav fuldmagten, må lave en ny.", "The power of attorney was declined, and that cannot be undone. The person who gave it must make a new one."},
	bk.EExpired:              {"Fuldmagten er udløbet.", "The power of attorney has expired."},
	bk.ENotPermitted:         {"Fuldmagten er givet til en anden person.", "The power of attorney was given to someone else."},
	bk.EUnknownSubject:       {"Fuldmagten er ikke nået frem til den centrale tjeneste endnu. Prøv igen senere.", "The power of attorney has not reached the central service yet. Try again later."},
	bk.ENotFound:             {"Fuldmagten findes ikke.", "The power of attorney does not exist."},
	bk.EAgeRule:              {"Man skal være mindst 18 år for at ordne ting for andre.", "You must be at least 18 to act for someone else."},
	bk.EConflict:             {"Fuldmagten er allerede besvaret.", "The power of attorney has already been answered."},
	bk.EInvalidState:         {"Fuldmagten er ikke længere i kraft.", "The power of attorney is no longer in force."},
	"signin_required":        {"Du skal logge ind, før du kan svare.", "You must sign in before you can answer."},
	"signin_expired":         {"Login tog for lang tid. Start forfra fra koden.", "Signing in took too long. Start again from the code."},
	"signin_browser":         {"Dette login blev ikke startet i denne browser. Har du ikke selv startet det, så luk siden. Ellers start forfra fra koden.", "This sign-in was not started in this browser. If you did not start it yourself, close the page. Otherwise start again from the code."},
	"signin_failed":          {"Login mislykkedes. Prøv igen.", "Signing in failed. Please try again."},
	"signin_no_cpr":          {"Login gav ikke et CPR-nummer.", "Signing in did not give a CPR number."},
	"signin_unavailable":     {"Login er ikke tilgængeligt lige nu. Prøv igen senere.", "Signing in is not available right now. Try again later."},
	"signin_none":            {"Log ind er ikke sat op på denne tjeneste, så koden kan ikke besvares her. Tag koden med til en Borgerkiosk.", "Signing in is not set up on this service, so the code cannot be answered here. Take the code to a Borgerkiosk."},
	"busy":                   {"Mange logger ind lige nu, så det kan ikke lade sig gøre i øjeblikket. Prøv igen om et minut.", "Many people are signing in right now, so it cannot be done at the moment. Try again in a minute."},
	"csrf":                   {"Formularen er udløbet. Gå tilbage og prøv igen.", "The form has expired. Go back and try again."},
	"bad_request":            {"Forespørgslen kunne ikke forstås.", "The request could not be understood."},
}

func pick(pair [2]string, lang string) string {
	if lang == "en" {
		return pair[1]
	}
	return pair[0]
}

func translate(lang, key string) string {
	if p, ok := texts[key]; ok {
		return pick(p, lang)
	}
	return key
}

func message(lang, code string) string {
	if p, ok := refusals[code]; ok {
		return pick(p, lang)
	}
	return pick([2]string{"Noget gik galt. Prøv igen senere, eller spørg personalet.", "Something went wrong. Try again later, or ask the staff."}, lang)
}
