// Package receipt lays out the printed receipts of Borgerkiosk: one per
// action kind, the handover slip with its QR code, and the overview of a
// person's consents and delegations, in Danish or English.
//
// A layout is built once as a Doc (a list of lines) from a Receipt; the Doc
// renders to ESC/POS bytes for the printer and to plain text for reading
// aloud before printing, so the two say the same thing. Every receipt names
// the kiosk, the time (in the configured zone, Danish time by default), whether central has confirmed the
// action, refused it (with the reason) or it is still pending, who helped,
// and a short action id for support. CPR numbers appear only masked.
package receipt

import (
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
)

// State says where an action stands with central.
type State int

const (
	// Pending: stored at the kiosk, not yet confirmed by central. The zero
	// value, because a kiosk never claims more than it knows.
	Pending State = iota
	// Confirmed: central applied the action (or had already applied it).
	Confirmed
	// Refused: central (or the kiosk's preview) refused the action.
	Refused
)

// Status is an action's standing, with the reason when refused.
type Status struct {
	State   State
	Code    string // refusal reason code, e.g. bk.EAgeRule
	Message string // the verdict's person-safe message, used when Code is not one we word ourselves
}

// StatusOf turns central's verdict into a Status: applied and duplicate are
// confirmed, superseded and rejected refused, no verdict yet pending.
func StatusOf(v bk.Verdict) Status {
	switch v.Outcome {
	case bk.Applied, bk.Duplicate:
		return Status{State: Confirmed}
	case bk.Superseded:
		return Status{State: Refused, Code: string(bk.Superseded), Message: v.Message}
	case bk.Rejected:
		return Status{State: Refused, Code: v.Reason, Message: v.Message}
	}
	return Status{State: Pending}
}

// Person is the card holder the receipt is for.
type Person struct {
	Name string
	CPR  bk.CPR // printed masked, DDMMYY-xxxx
}

// Handover is a handover code to print on a slip.
type Handover struct {
	URL     string    // what the QR code holds (handover.URL)
	Expires time.Time // when the code stops working
	// Typed is the code to type where scanning fails, grouped, at
	// TypedAddress; both optional.
	Typed, TypedAddress string
}

// Proof is the QR of a printed overview that any phone can open to check
// at central that the paper is genuine and still current.
type Proof struct {
	URL string // what the QR holds; "" when there is none
	// Offline says why there is none: the kiosk could not ask central
	// (true), or central could not sign this overview (false).
	Offline bool
}

// Receipt is what a receipt is about. Which fields a layout needs is said on
// each layout function.
type Receipt struct {
	Kind       bk.ActionKind // Action only
	Lang       string        // "da" (default when empty) or "en"
	Kiosk      string        // kiosk id; required
	Site       string        // where the kiosk stands, e.g. "Hovedbiblioteket, København"
	At         time.Time     // when the action happened; required
	Status     Status
	AssistedBy string // staff member's name when staff helped
	Person     Person
	ActionID   string // Action and HandoverSlip: printed in short form

	Consent    *bk.Consent    // consent kinds
	Delegation *bk.Delegation // delegation kinds and HandoverSlip
	Catalogue  *bk.Catalogue  // plain names; ids are printed when missing

	Handover     *Handover        // HandoverSlip
	Proof        *Proof           // Overview: its QR, or why there is none
	Arrangements *bk.CitizenState // Overview
	Usage        *bk.UsageLog     // UsageStatement: a page of the usage log, newest first
	Reminder     *bk.Reminder     // Reminder: what ends or waits
	Contact      *bk.Contact      // set_contact: the contact details set

	// Zone is the time zone every time is printed in (the kiosk's config;
	// the zero Zone is timefmt.DefaultZone, Danish time).
	Zone timefmt.Zone
}

// ShortID is the form of an action id printed for support: its last eight
// hex digits, the random part of a UUIDv7 (the first digits are a
// timestamp, the same for actions minutes apart).
func ShortID(id string) string {
	s := strings.ReplaceAll(id, "-", "")
	if len(s) > 8 {
		s = s[len(s)-8:]
	}
	return s
}

func invalid(format string, args ...any) error {
	return bk.Errorf(bk.EInvalid, "receipt: "+format, args...)
}

// check validates what every layout needs and returns the language.
func (r *Receipt) check() (string, error) {
	lang := r.Lang
	if lang == "" {
		lang = "da"
	}
	if lang != "da" && lang != "en" {
		return "", invalid("language %q is neither da nor en", r.Lang)
	}
	if strings.TrimSpace(r.Kiosk) == "" {
		return "", invalid("kiosk id is required")
	}
	if r.At.IsZero() {
		return "", invalid("time is required")
	}
	if r.Status.State < Pending || r.Status.State > Refused {
		return "", invalid("unknown status %d", r.Status.State)
	}
	return lang, nil
}

// Action returns the ESC/POS job of the receipt for an action.
// Needs Kind, Kiosk, At, ActionID, and Consent (consent kinds) or Delegation
// (delegation kinds).
func Action(r Receipt, p Printer) ([]byte, error) { return render(ActionDoc, r, p) }

// ActionText returns the receipt for an action as plain text.
func ActionText(r Receipt) (string, error) { return text(ActionDoc, r) }

// HandoverSlip returns the ESC/POS job of a handover slip: what the
// delegation grants and the code, big and centred, with how to use it.
// Needs Kiosk, At, Delegation and Handover.
func HandoverSlip(r Receipt, p Printer) ([]byte, error) { return render(HandoverDoc, r, p) }

// HandoverSlipText returns the handover slip as plain text.
func HandoverSlipText(r Receipt) (string, error) { return text(HandoverDoc, r) }

// Overview returns the ESC/POS job of an overview of all of a person's
// consents and delegations. Needs Kiosk, At and Arrangements; Status says
// whether the state was fetched from central (Confirmed) or is only what
// the kiosk knows (Pending).
func Overview(r Receipt, p Printer) ([]byte, error) { return render(OverviewDoc, r, p) }

// UsageStatement returns the ESC/POS job of a statement of a person's
// usage log: who asked about their data and delegations, when, and the
// answer. Needs Kiosk, At, Person and Usage; a Usage with a Next says
// that older records were left out.
func UsageStatement(r Receipt, p Printer) ([]byte, error) { return render(UsageDoc, r, p) }

// UsageStatementText returns the usage statement as plain text.
func UsageStatementText(r Receipt) (string, error) { return text(UsageDoc, r) }

// OverviewText returns the overview as plain text.
func OverviewText(r Receipt) (string, error) { return text(OverviewDoc, r) }

func render(layout func(Receipt) (*Doc, error), r Receipt, p Printer) ([]byte, error) {
	d, err := layout(r)
	if err != nil {
		return nil, err
	}
	return d.ESCPOS(p)
}

func text(layout func(Receipt) (*Doc, error), r Receipt) (string, error) {
	d, err := layout(r)
	if err != nil {
		return "", err
	}
	return d.Text(), nil
}

// ActionDoc lays out the receipt for an action.
func ActionDoc(r Receipt) (*Doc, error) {
	lang, err := r.check()
	if err != nil {
		return nil, err
	}
	title, ok := titles[r.Kind]
	if !ok {
		return nil, invalid("unknown action kind %q", r.Kind)
	}
	if strings.TrimSpace(r.ActionID) == "" {
		return nil, invalid("action id is required")
	}
	d := &Doc{}
	d.title(brand.in(lang))
	d.heading(title.in(lang))
	d.rule()
	switch {
	case r.Kind.OnContact():
		if err := contactBody(d, r, lang); err != nil {
			return nil, err
		}
	case r.Kind.OnConsent():
		if err := consentBody(d, r, lang); err != nil {
			return nil, err
		}
	default:
		if err := delegationBody(d, r, lang); err != nil {
			return nil, err
		}
	}
	d.rule()
	statusLines(d, r.Status, lang)
	d.rule()
	d.field(nameLabel.in(lang), r.Person.Name)
	d.field(cprLabel.in(lang), r.Person.CPR.Masked())
	footer(d, r, lang)
	d.support(actionLabel.in(lang), ShortID(r.ActionID))
	d.blank()
	d.para(keepThis.in(lang))
	return d, nil
}

// contactBody says what the person chose: the address (in full: it is
// their own, and the paper is for checking it), whether reminders come by
// e-mail, and in which language.
func contactBody(d *Doc, r Receipt, lang string) error {
	c := r.Contact
	if c == nil {
		return invalid("%s needs the contact details", r.Kind)
	}
	switch {
	case c.Email == "":
		d.para(contactRemoved.in(lang))
		return nil
	case c.EmailReminders:
		d.para(contactOn.in(lang))
	default:
		d.para(contactOff.in(lang))
	}
	d.field(emailLabel.in(lang), c.Email)
	d.field(languageLabel.in(lang), languageNames[c.Language].in(lang))
	return nil
}

func consentBody(d *Doc, r Receipt, lang string) error {
	c := r.Consent
	if c == nil {
		return invalid("%s needs the consent", r.Kind)
	}
	if strings.TrimSpace(c.AuthorityID) == "" || len(c.DataCategories) == 0 {
		return invalid("%s needs the consent's authority and data categories", r.Kind)
	}
	auth := authorityName(r, c.AuthorityID, lang)
	d.para(summaries[r.Kind].f(lang, auth))
	for _, id := range c.DataCategories {
		d.item(categoryName(r.Catalogue, id, lang))
	}
	d.blank()
	d.field(authorityLbl.in(lang), auth)
	if p := c.Purpose.In(lang); strings.TrimSpace(p) != "" {
		d.para(purposeLabel.in(lang) + " " + p)
	}
	switch r.Kind {
	case bk.GiveConsent:
		from, until := c.GivenAt, c.ValidUntil
		if from.IsZero() {
			from = r.At
		}
		if until.IsZero() && c.ValidDays > 0 { // the rules set it once applied
			until = from.AddDate(0, 0, c.ValidDays)
		}
		d.field(fromLabel.in(lang), r.Zone.Date(from, lang))
		if !until.IsZero() {
			endField(d, r.Zone, until, lang)
		}
	case bk.DeclineConsent:
		if c.ValidDays > 0 {
			d.field(periodLabel.in(lang), bk.PeriodText(c.ValidDays, lang))
		}
	case bk.WithdrawConsent:
		if !c.GivenAt.IsZero() {
			d.field(givenLabel.in(lang), r.Zone.Date(c.GivenAt, lang))
		}
		d.field(stoppedLabel.in(lang), r.Zone.Date(r.At, lang))
	}
	return nil
}

func delegationBody(d *Doc, r Receipt, lang string) error {
	g := r.Delegation
	if g == nil {
		return invalid("%s needs the delegation", r.Kind)
	}
	// The other person: the delegate for the principal's own actions, the
	// principal for the delegate's.
	other := personName(g.PrincipalName, g.Principal, lang)
	if r.Kind == bk.CreateDelegation || r.Kind == bk.RevokeDelegation || r.Kind == bk.RenewDelegation {
		other = personName(g.DelegateShown(), g.Delegate, lang)
	}
	if p, ok := unknownTerms[r.Kind]; ok && len(g.Scopes) == 0 && g.ValidTo.IsZero() && other != "" {
		d.para(endSentence(p.f(lang, other), other))
		return nil
	}
	if err := complete(g, other); err != nil {
		return err
	}
	d.para(endSentence(summaries[r.Kind].f(lang, other), other))
	scopeItems(d, r, g, lang)
	d.blank()
	d.field(fromLabel.in(lang), r.Zone.Date(g.ValidFrom, lang))
	endField(d, r.Zone, g.ValidTo, lang)
	if r.Kind == bk.CreateDelegation {
		d.para(createNote.in(lang))
	}
	// A renewal with an area more waits for the delegate again.
	if r.Kind == bk.RenewDelegation && g.State == bk.DelegationPending {
		d.para(renewNote.in(lang))
	}
	return nil
}

// endSentence keeps a masked name, "Karen H.", from ending a sentence
// twice in summary.
func endSentence(summary, name string) string {
	if strings.HasSuffix(name, ".") {
		return strings.Replace(summary, name+".", name, 1)
	}
	return summary
}

// HandoverDoc lays out a handover slip.
func HandoverDoc(r Receipt) (*Doc, error) {
	lang, err := r.check()
	if err != nil {
		return nil, err
	}
	g, h := r.Delegation, r.Handover
	if g == nil {
		return nil, invalid("a handover slip needs the delegation")
	}
	if h == nil || strings.TrimSpace(h.URL) == "" {
		return nil, invalid("a handover slip needs the handover code")
	}
	if h.Expires.IsZero() {
		return nil, invalid("a handover slip needs the code's expiry")
	}
	// Kept short: the slip must stay within about 1,200 bytes so that it
	// prints in about a second at 9600 baud.
	principal := personName(g.PrincipalName, g.Principal, lang)
	if err := complete(g, principal); err != nil {
		return nil, err
	}
	d := &Doc{compact: true}
	d.title(brand.in(lang))
	d.heading(slipTitle.in(lang))
	d.rule()
	d.para(slipSummary.f(lang, principal))
	scopeItems(d, r, g, lang)
	to := strings.TrimSpace(g.DelegateShown() + " " + g.Delegate.Masked())
	d.field(slipTo.in(lang), to)
	d.field(fromLabel.in(lang), r.Zone.Date(g.ValidFrom, lang))
	endField(d, r.Zone, g.ValidTo, lang)
	d.qr(h.URL)
	d.para(slipHelp.f(lang, r.Zone.DateTime(h.Expires, lang)))
	if h.Typed != "" && h.TypedAddress != "" {
		d.para(slipTyped.f(lang, h.TypedAddress))
		d.title(h.Typed)
	}
	d.rule()
	statusLines(d, r.Status, lang)
	footer(d, r, lang)
	if r.ActionID != "" {
		d.support(actionLabel.in(lang), ShortID(r.ActionID))
	}
	return d, nil
}

// OverviewDoc lays out the overview of a person's arrangements.
func OverviewDoc(r Receipt) (*Doc, error) {
	lang, err := r.check()
	if err != nil {
		return nil, err
	}
	s := r.Arrangements
	if s == nil {
		return nil, invalid("an overview needs the person's consents and delegations")
	}
	d := &Doc{}
	d.title(brand.in(lang))
	d.heading(overviewTitle.in(lang))
	d.para(overviewSub.in(lang))
	d.rule()
	d.field(nameLabel.in(lang), r.Person.Name)
	d.field(cprLabel.in(lang), r.Person.CPR.Masked())
	switch r.Status.State {
	case Confirmed:
		d.para(overviewOnline.in(lang))
	case Pending:
		d.strong(overviewOffline.in(lang))
	case Refused:
		d.strong(overviewRefused.f(lang, reasonText(r.Status, lang)))
	}

	d.rule()
	d.section(consentsHead.in(lang))
	if len(s.Consents) == 0 {
		d.para(none.in(lang))
	}
	for _, c := range s.Consents {
		if c == nil {
			continue
		}
		d.item(authorityName(r, c.AuthorityID, lang))
		st := c.StateAt(r.At)
		if st == bk.ConsentGiven && !c.ValidUntil.IsZero() {
			d.detail(consentGivenTill.f(lang, r.Zone.LastDay(c.ValidUntil, lang)))
		} else {
			d.detail(statePhrase(consentStates, st, lang))
		}
		var names []string
		for _, id := range c.DataCategories {
			names = append(names, categoryName(r.Catalogue, id, lang))
		}
		d.detail(strings.Join(names, ", "))
	}
	delegations := func(head phrase, list []*bk.Delegation, given bool) {
		d.rule()
		d.section(head.in(lang))
		if len(list) == 0 {
			d.para(none.in(lang))
		}
		for _, g := range list {
			if g == nil {
				continue
			}
			who := personName(g.PrincipalName, g.Principal, lang)
			if given {
				who = personName(g.DelegateShown(), g.Delegate, lang)
			}
			if who == "" {
				who = unknownPerson.in(lang)
			}
			if given {
				d.item(toPerson.f(lang, who))
			} else {
				d.item(fromPerson.f(lang, who))
			}
			st := statePhrase(delegationStates, g.StateAt(r.At), lang)
			// The period on a line of its own: a date in words is too long
			// to share one with the state, and a date broken over two
			// lines ("2." then "december 2026") is hard to read.
			d.detail(st)
			d.detail(delegationPeriod.f(lang, r.Zone.Date(g.ValidFrom, lang), r.Zone.LastDay(g.ValidTo, lang)))
			var names []string
			for _, sg := range g.Scopes {
				names = append(names, scopeText(r, sg, g, lang))
			}
			d.detail(strings.Join(names, ", "))
		}
	}
	delegations(givenByMeHead, s.GivenByMe, true)
	delegations(givenToMeHead, s.GivenToMe, false)
	d.rule()
	switch p := r.Proof; {
	case p != nil && p.URL != "":
		d.para(proofScan.in(lang))
		d.qr(p.URL)
	case p != nil && !p.Offline:
		d.para(proofNotSigned.in(lang))
	default:
		d.para(proofOffline.in(lang))
	}
	d.rule()
	footer(d, r, lang)
	return d, nil
}

// UsageDoc lays out the statement of a person's usage log.
func UsageDoc(r Receipt) (*Doc, error) {
	lang, err := r.check()
	if err != nil {
		return nil, err
	}
	u := r.Usage
	if u == nil {
		return nil, invalid("a usage statement needs the usage log")
	}
	if strings.TrimSpace(r.Person.Name) == "" || r.Person.CPR.IsZero() {
		return nil, invalid("a usage statement needs the person")
	}
	d := &Doc{}
	d.title(brand.in(lang))
	d.heading(usageTitle.in(lang))
	d.para(usageSub.in(lang))
	d.rule()
	d.field(nameLabel.in(lang), r.Person.Name)
	d.field(cprLabel.in(lang), r.Person.CPR.Masked())
	if n := len(u.Records); n > 0 && u.Records[n-1] != nil && u.Records[0] != nil {
		d.field(usagePeriod.in(lang), r.Zone.Date(u.Records[n-1].At, lang)+" – "+r.Zone.Date(u.Records[0].At, lang))
	}
	d.para(overviewOnline.in(lang))
	d.rule()
	if len(u.Records) == 0 {
		d.para(usageNone.in(lang))
	}
	for _, rec := range u.Records {
		if rec == nil {
			continue
		}
		if rec.At.IsZero() {
			return nil, invalid("usage record %s has no time", rec.ID)
		}
		d.item(r.Zone.DateTime(rec.At, lang))
		d.detail(rec.Sentence(lang, "", r.Catalogue))
		if p := strings.TrimSpace(rec.Purpose); p != "" {
			d.detail(purposeLabel.in(lang) + " " + p)
		}
	}
	if u.Next != "" {
		d.blank()
		d.strong(usageMore.f(lang, len(u.Records)))
	}
	d.rule()
	footer(d, r, lang)
	return d, nil
}

func endField(d *Doc, z timefmt.Zone, t time.Time, lang string) {
	if through, s := z.End(t, lang); through {
		d.field(throughLabel.in(lang), s)
	} else {
		d.field(toLabel.in(lang), s)
	}
}

func statusLines(d *Doc, s Status, lang string) {
	switch s.State {
	case Confirmed:
		d.strong(confirmed.in(lang))
		d.para(confirmedNote.in(lang))
	case Pending:
		d.strong(pending.in(lang))
		d.para(pendingNote.in(lang))
	case Refused:
		d.strong(refused.f(lang, reasonText(s, lang)))
		d.para(refusedNote.in(lang))
	}
}

// footer says when, where and with whose help.
func footer(d *Doc, r Receipt, lang string) {
	d.field(timeLabel.in(lang), r.Zone.DateTime(r.At, lang))
	d.field(kioskLabel.in(lang), r.Kiosk)
	d.field(siteLabel.in(lang), r.Site)
	if strings.TrimSpace(r.AssistedBy) != "" {
		d.para(assistedBy.f(lang, r.AssistedBy))
	}
}

func scopeItems(d *Doc, r Receipt, g *bk.Delegation, lang string) {
	for _, sg := range g.Scopes {
		d.item(scopeText(r, sg, g, lang))
	}
}

// scopeText is the scope's plain name, with its own end date when it ends
// before the delegation.
func scopeText(r Receipt, sg bk.ScopeGrant, g *bk.Delegation, lang string) string {
	name := sg.ScopeID
	if r.Catalogue != nil {
		if s, ok := r.Catalogue.Scope(sg.ScopeID); ok {
			name = s.Name.In(lang)
		}
	}
	if !sg.Until.IsZero() && sg.Until.Before(g.ValidTo) {
		if through, s := r.Zone.End(sg.Until, lang); through {
			return scopeThrough.f(lang, name, s)
		}
		return scopeUntil.f(lang, name, r.Zone.DateTime(sg.Until, lang))
	}
	return name
}

func authorityName(r Receipt, id, lang string) string {
	if r.Catalogue != nil {
		if a, ok := r.Catalogue.Authority(id); ok {
			return a.Name.In(lang)
		}
	}
	if r.Arrangements != nil {
		for _, a := range r.Arrangements.Authorities {
			if a.ID == id {
				return a.Name.In(lang)
			}
		}
	}
	return id
}

func categoryName(cat *bk.Catalogue, id, lang string) string {
	if cat != nil {
		if c, ok := cat.DataCategory(id); ok {
			return c.Name.In(lang)
		}
	}
	return id
}

// complete refuses a delegation receipt that would leave out who, what or
// when: a receipt is a record a person may have to show, and "fuldmagt fra
// ?" or "Gælder fra 01.01.0001" would be a false one.
func complete(g *bk.Delegation, other string) error {
	switch {
	case other == "":
		return invalid("the delegation names no other person")
	case len(g.Scopes) == 0:
		return invalid("the delegation has no scopes")
	case g.ValidFrom.IsZero() || g.ValidTo.IsZero():
		return invalid("the delegation has no validity")
	}
	return nil
}

// personName is "Name (DDMMYY-xxxx)", or words around the masked number
// when the name is not known (a delegate's until they accept); empty when
// neither is known.
func personName(name string, cpr bk.CPR, lang string) string {
	name = strings.TrimSpace(name)
	switch {
	case name != "" && !cpr.IsZero():
		return name + " (" + cpr.Masked() + ")"
	case name != "":
		return name
	case !cpr.IsZero():
		return somePerson.f(lang, cpr.Masked())
	}
	return ""
}

func statePhrase[S ~string](m map[S]phrase, s S, lang string) string {
	if p, ok := m[s]; ok {
		return p.in(lang)
	}
	return string(s)
}
