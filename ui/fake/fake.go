// Package fake is an in-memory kiosk for the ui package's tests and demos:
// a card slot with issuer-signed cards that check PINs and lock after
// three wrong tries, a "central" registry that applies the domain Rules to
// actions signed by those cards, an outbox that waits while offline, a
// printer that can run out of paper, a QR scanner, an attention list and a
// trust bundle that can go stale. It behaves like the real kiosk service
// (same errors, same order of effects) but touches no device or network.
package fake

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// MaxTries is how many wrong PINs lock a card.
const MaxTries = 3

// HandoverPrefix starts every handover code the fake makes: a URL in QR
// alphanumeric characters, like the real codes.
const HandoverPrefix = "HTTPS://BK.EXAMPLE/H/"

// Card is a card that can be put in the fake slot. Its private key never
// leaves it; it signs after a correct PIN, until it is taken out.
type Card struct {
	Cert    *bk.Certificate
	encoded []byte
	key     ed25519.PrivateKey
	pin     string
	tries   int
	authed  bool
}

// TriesLeft returns how many wrong PINs the card still accepts.
func (c *Card) TriesLeft() int { return c.tries }

// Kiosk is the fake kiosk service. Use New; the zero value is not usable.
type Kiosk struct {
	ID  string
	now func() time.Time
	// compact: VerifyHandover answers as for a compact (BK2) code, which
	// names neither scopes nor validity; see SetCompactCodes.
	compact bool

	mu             sync.Mutex
	issuer         ed25519.PrivateKey
	bundle         *bk.TrustBundle
	rules          *bk.Rules
	centralRevoked map[string]bool
	slot           *Card
	current        *Session // the session signed in with the card in the slot
	subs           map[int]bk.Events
	nextSub        int
	online         bool
	clockSkew      time.Duration // what SetClockSkew set
	reader         bk.DeviceState
	scanner        bk.DeviceState
	printer        *Printer
	consents       map[string]*bk.Consent
	delegations    map[string]*bk.Delegation
	outbox         []*bk.Action
	lastSync       time.Time
	attention      []bk.AttentionItem
	handovers      map[string]*handover
	tokenSeq       int
	calls          []string
	serial         int
	usage          usageLog
}

type handover struct {
	delegationID string
	delegate     bk.CPR
	expires      time.Time
	used         bool
}

var _ bk.Kiosk = (*Kiosk)(nil)
var _ bk.Session = (*Session)(nil)

// New returns an online kiosk with a fresh trust bundle, the demo
// catalogue, a reader and scanner that work and a printer with paper.
// now is the clock (time.Now if nil).
func New(now func() time.Time) *Kiosk {
	if now == nil {
		now = time.Now
	}
	_, issuer, _ := ed25519.GenerateKey(rand.Reader)
	cat := DemoCatalogue()
	k := &Kiosk{
		ID:             "kiosk-1",
		now:            now,
		issuer:         issuer,
		rules:          bk.DefaultRules(cat),
		centralRevoked: map[string]bool{},
		subs:           map[int]bk.Events{},
		online:         true,
		reader:         bk.DeviceOK,
		scanner:        bk.DeviceOK,
		consents:       map[string]*bk.Consent{},
		delegations:    map[string]*bk.Delegation{},
		handovers:      map[string]*handover{},
	}
	k.printer = &Printer{k: k, paper: true}
	k.bundle = &bk.TrustBundle{
		IssuedAt:   now(),
		MaxAgeSecs: 24 * 3600,
		Issuers:    []bk.IssuerKey{{ID: bk.KeyID(issuer.Public().(ed25519.PublicKey)), PublicKey: issuer.Public().(ed25519.PublicKey)}},
		Catalogue:  *cat,
	}
	return k
}

// DemoCatalogue returns a small catalogue in Danish and English.
func DemoCatalogue() *bk.Catalogue {
	return &bk.Catalogue{
		Authorities: []bk.Authority{
			{ID: "kommune", Name: bk.Text{DA: "Københavns Kommune", EN: "City of Copenhagen"},
				Description: bk.Text{DA: "Din kommune", EN: "Your municipality"}, DataCategories: []string{"income"}},
			{ID: "region", Name: bk.Text{DA: "Region Hovedstaden", EN: "Capital Region"},
				Description: bk.Text{DA: "Sygehuse og læger", EN: "Hospitals and doctors"}, DataCategories: []string{"health"}},
		},
		DataCategories: []bk.DataCategory{
			{ID: "income", Name: bk.Text{DA: "Indkomst", EN: "Income"}, Description: bk.Text{DA: "Løn og pension", EN: "Wages and pension"}},
			{ID: "health", Name: bk.Text{DA: "Helbred", EN: "Health"}, Description: bk.Text{DA: "Journaler", EN: "Medical records"}},
		},
		Scopes: []bk.Scope{
			{ID: "tax", Name: bk.Text{DA: "Skat", EN: "Tax"},
				Description: bk.Text{DA: "Se og ændre årsopgørelse og forskudsopgørelse.", EN: "See and change the tax return and tax assessment."}},
			{ID: "health", Name: bk.Text{DA: "Sundhed", EN: "Health"},
				Description: bk.Text{DA: "Bestille tid hos lægen og se svar på prøver.", EN: "Book appointments with the doctor and see test results."}},
			{ID: "housing", Name: bk.Text{DA: "Bolig", EN: "Housing"},
				Description: bk.Text{DA: "Søge boligstøtte og melde flytning.", EN: "Apply for housing benefit and report a move."}},
		},
	}
}

// Rules returns the rules the fake central applies.
func (k *Kiosk) Rules() *bk.Rules { return k.rules }

// ---- cards ----------------------------------------------------------------

// NewCard issues a citizen card (staffID "") or a staff card, valid for a
// year either side of now, with the given PIN.
func (k *Kiosk) NewCard(name, cpr, staffID, pin string) *Card {
	now := k.now()
	return k.issue(name, cpr, staffID, pin, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), k.issuer)
}

// NewExpiredCard issues a card whose validity ended yesterday.
func (k *Kiosk) NewExpiredCard(name, cpr, pin string) *Card {
	now := k.now()
	return k.issue(name, cpr, "", pin, now.AddDate(-3, 0, 0), now.AddDate(0, 0, -1), k.issuer)
}

// NewForeignCard issues a card from an issuer the kiosk does not trust.
func (k *Kiosk) NewForeignCard(name, cpr, pin string) *Card {
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	now := k.now()
	return k.issue(name, cpr, "", pin, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), other)
}

func (k *Kiosk) issue(name, cpr, staffID, pin string, from, to time.Time, issuer ed25519.PrivateKey) *Card {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	k.mu.Lock()
	k.serial++
	serial := fmt.Sprintf("CARD-%04d", k.serial)
	k.mu.Unlock()
	role := bk.RoleCitizen
	if staffID != "" {
		role = bk.RoleStaff
	}
	c := &bk.Certificate{Serial: serial, CPR: bk.MustParseCPR(cpr), Name: name, Role: role, StaffID: staffID,
		NotBefore: from.UTC().Truncate(time.Second), NotAfter: to.UTC().Truncate(time.Second), CardKey: pub}
	bk.SignCertificate(c, issuer)
	return &Card{Cert: c, encoded: c.Encode(), key: key, pin: pin, tries: MaxTries}
}

// RevokeCard puts the card on the revocation list of the kiosk's trust
// bundle and of central.
func (k *Kiosk) RevokeCard(c *Card) {
	k.mu.Lock()
	k.bundle.Revoked = append(k.bundle.Revoked, c.Cert.Serial)
	k.centralRevoked[c.Cert.Serial] = true
	k.mu.Unlock()
}

// RevokeAtCentral revokes the card at central only: the kiosk learns of it
// when actions signed with it are rejected at the next sync.
func (k *Kiosk) RevokeAtCentral(c *Card) {
	k.mu.Lock()
	k.centralRevoked[c.Cert.Serial] = true
	k.mu.Unlock()
}

// Insert puts c in the slot (taking out any card there first).
func (k *Kiosk) Insert(c *Card) {
	k.mu.Lock()
	prev := k.slot
	k.mu.Unlock()
	if prev != nil {
		k.Remove()
	}
	k.mu.Lock()
	k.slot = c
	k.mu.Unlock()
	k.emitCard(bk.CardInserted)
}

// Remove takes the card out; the card forgets its authentication.
func (k *Kiosk) Remove() {
	k.mu.Lock()
	if k.slot == nil {
		k.mu.Unlock()
		return
	}
	k.slot.authed = false
	k.slot = nil
	cur := k.current
	k.current = nil
	k.mu.Unlock()
	// Like the real kiosk service, the session ends before anyone hears of
	// the removal.
	if cur != nil {
		cur.Close()
	}
	k.emitCard(bk.CardRemoved)
}

// Scan delivers code as if read by the QR scanner.
func (k *Kiosk) Scan(code string) {
	for _, e := range k.events() {
		if e.Scan != nil {
			e.Scan(code)
		}
	}
}

func (k *Kiosk) events() []bk.Events {
	k.mu.Lock()
	defer k.mu.Unlock()
	ids := make([]int, 0, len(k.subs))
	for id := range k.subs {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	out := make([]bk.Events, 0, len(ids))
	for _, id := range ids {
		out = append(out, k.subs[id])
	}
	return out
}

func (k *Kiosk) emitCard(e bk.CardEvent) {
	for _, s := range k.events() {
		if s.Card != nil {
			s.Card(e)
		}
	}
}

func (k *Kiosk) emitStatus() {
	st := k.Status()
	for _, s := range k.events() {
		if s.Status != nil {
			s.Status(st)
		}
	}
}

// ---- switches ---------------------------------------------------------------

// SetOnline connects or disconnects central; going online syncs at once.
func (k *Kiosk) SetOnline(on bool) {
	k.mu.Lock()
	k.online = on
	if on {
		k.pushLocked()
	}
	k.mu.Unlock()
	k.emitStatus()
}

// SetStale makes the trust bundle older than its max age (or fresh again).
func (k *Kiosk) SetStale(stale bool) {
	k.mu.Lock()
	if stale {
		k.bundle.IssuedAt = k.now().Add(-2 * k.bundle.MaxAge())
	} else {
		k.bundle.IssuedAt = k.now()
	}
	k.mu.Unlock()
	k.emitStatus()
}

// SetClockSkew reports the kiosk clock as skew ahead of central's (behind
// when negative), as the pusher does when central refuses it; 0 clears it.
func (k *Kiosk) SetClockSkew(skew time.Duration) {
	k.mu.Lock()
	k.clockSkew = skew
	k.mu.Unlock()
	k.emitStatus()
}

// SetReader sets the card reader's health.
func (k *Kiosk) SetReader(s bk.DeviceState) {
	k.mu.Lock()
	k.reader = s
	k.mu.Unlock()
	k.emitStatus()
}

// Printer returns the fake receipt printer.
func (k *Kiosk) Printer() *Printer { return k.printer }

// StaffCalls returns the reasons CallStaff was called with.
func (k *Kiosk) StaffCalls() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.calls...)
}

// ---- registry ---------------------------------------------------------------

// AddConsentRequest makes an authority's request to the citizen with cpr,
// as central would on receiving it, and returns its id.
func (k *Kiosk) AddConsentRequest(cpr, authorityID string, purpose bk.Text, categories []string, days int) string {
	now := k.now()
	r := &bk.ConsentRequest{CPR: bk.MustParseCPR(cpr), Purpose: purpose, DataCategories: categories,
		LegalBasis: bk.Text{DA: "Dit samtykke", EN: "Your consent"}, ValidDays: days}
	if err := r.Validate(&k.bundle.Catalogue, authorityID, now); err != nil {
		panic(err) // a test's own fixture is wrong
	}
	c := bk.NewConsent(bk.NewID(now), authorityID, r, now)
	k.mu.Lock()
	k.consents[c.ID] = c
	k.mu.Unlock()
	return c.ID
}

// Consent returns a copy of central's consent id, or nil.
func (k *Kiosk) Consent(id string) *bk.Consent {
	k.mu.Lock()
	defer k.mu.Unlock()
	if c, ok := k.consents[id]; ok {
		cp := *c
		return &cp
	}
	return nil
}

// Delegation returns a copy of central's delegation id, or nil.
func (k *Kiosk) Delegation(id string) *bk.Delegation {
	k.mu.Lock()
	defer k.mu.Unlock()
	if d, ok := k.delegations[id]; ok {
		cp := *d
		return &cp
	}
	return nil
}

// Delegations returns copies of every delegation central knows, oldest first.
func (k *Kiosk) Delegations() []*bk.Delegation {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*bk.Delegation
	for _, d := range k.delegations {
		cp := *d
		out = append(out, &cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) || out[i].ID < out[j].ID })
	return out
}

// Queued returns the actions waiting in the outbox.
func (k *Kiosk) Queued() []*bk.Action {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]*bk.Action(nil), k.outbox...)
}

// pushLocked plays central: every queued action is verified with central's
// revocation list and applied with the rules; what is not applied goes on
// the attention list.
func (k *Kiosk) pushLocked() {
	now := k.now()
	trust := k.bundle.Trust()
	for s := range k.centralRevoked {
		trust.Revoked[s] = true
	}
	for _, a := range k.outbox {
		var v bk.Verdict
		actor, staff, err := trust.VerifyAction(a)
		if err != nil {
			v = bk.Refuse(a.ID, err)
		} else {
			var next bk.Target
			v, next = k.rules.Apply(k.targetLocked(a), a, actor, staff, now)
			if v.Outcome == bk.Applied {
				if next.Consent != nil {
					k.consents[next.Consent.ID] = next.Consent
				}
				if next.Delegation != nil {
					k.delegations[next.Delegation.ID] = next.Delegation
				}
			}
		}
		if v.NeedsAttention() {
			who := a.ActorSerial
			if actor != nil {
				who = actor.CPR.Masked()
			}
			k.attention = append(k.attention, bk.AttentionItem{ActionID: a.ID, Kind: a.Kind, OccurredAt: a.OccurredAt, Actor: who, Verdict: v})
		}
	}
	k.outbox = nil
	k.lastSync = now
}

func (k *Kiosk) targetLocked(a *bk.Action) bk.Target {
	id, err := a.Subject()
	if err != nil {
		return bk.Target{}
	}
	if a.Kind.OnConsent() {
		if c, ok := k.consents[id]; ok {
			cp := *c
			return bk.Target{Consent: &cp}
		}
		return bk.Target{}
	}
	if d, ok := k.delegations[id]; ok {
		cp := *d
		return bk.Target{Delegation: &cp}
	}
	return bk.Target{}
}

// ---- bk.Kiosk -------------------------------------------------------------

// Subscribe implements bk.Kiosk.
func (k *Kiosk) Subscribe(e bk.Events) func() {
	k.mu.Lock()
	defer k.mu.Unlock()
	id := k.nextSub
	k.nextSub++
	k.subs[id] = e
	return func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		delete(k.subs, id)
	}
}

// CardPresent implements bk.Kiosk.
func (k *Kiosk) CardPresent() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.slot != nil
}

func (k *Kiosk) verifyLocked(c *Card) (*bk.Certificate, error) {
	if k.reader != bk.DeviceOK {
		return nil, bk.Errorf(bk.EUnavailable, "The card reader does not answer.")
	}
	cert, err := bk.DecodeCertificate(c.encoded)
	if err != nil {
		return nil, err
	}
	if err := k.bundle.Trust().VerifyCertificate(cert, k.now()); err != nil {
		return nil, err
	}
	return cert, nil
}

// ReadCard implements bk.Kiosk.
func (k *Kiosk) ReadCard(ctx context.Context) (bk.CardInfo, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.slot == nil {
		return bk.CardInfo{}, bk.Errorf(bk.ENoCard, "No card in the reader.")
	}
	cert, err := k.verifyLocked(k.slot)
	if err != nil {
		return bk.CardInfo{}, err
	}
	return bk.CardInfo{Serial: cert.Serial, Name: cert.Name, CPR: cert.CPR, Role: cert.Role, StaffID: cert.StaffID}, nil
}

// SignIn implements bk.Kiosk.
func (k *Kiosk) SignIn(ctx context.Context, pin string, assist *bk.StaffGrant) (bk.Session, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.slot
	if c == nil {
		return nil, bk.Errorf(bk.ENoCard, "No card in the reader.")
	}
	cert, err := k.verifyLocked(c)
	if err != nil {
		return nil, err
	}
	if c.tries == 0 {
		return nil, bk.Errorf(bk.ECardLocked, "The card is locked.")
	}
	if pin != c.pin {
		c.tries--
		if c.tries == 0 {
			return nil, bk.Errorf(bk.ECardLocked, "The card is locked.")
		}
		return nil, &bk.PINError{TriesLeft: c.tries}
	}
	c.tries = MaxTries
	c.authed = true
	s := &Session{k: k, card: c, cert: cert, lang: "da"}
	if assist != nil {
		if cert.Role != bk.RoleCitizen {
			return nil, bk.Errorf(bk.EWrongRole, "Only a citizen can be assisted.")
		}
		if err := k.checkAssistLocked(assist); err != nil {
			return nil, err
		}
		cp := *assist
		s.assist = &cp
	}
	k.current = s
	return s, nil
}

func (k *Kiosk) checkAssistLocked(a *bk.StaffGrant) error {
	g := a.Grant
	if g == nil {
		return bk.Errorf(bk.EForbidden, "The staff grant is missing.")
	}
	staff, err := bk.DecodeCertificate(g.StaffCert)
	if err != nil {
		return bk.Errorf(bk.EForbidden, "The staff grant cannot be read.")
	}
	now := k.now()
	if err := k.bundle.Trust().VerifyCertificate(staff, now); err != nil {
		return err
	}
	if staff.Role != bk.RoleStaff || !ed25519.Verify(staff.CardKey, g.Digest(), g.Signature) {
		return bk.Errorf(bk.EForbidden, "The staff grant is not valid.")
	}
	if g.Kiosk != k.ID || now.Before(g.NotBefore) || now.After(g.NotAfter) {
		return bk.Errorf(bk.EForbidden, "The staff grant has expired or is for another kiosk.")
	}
	return nil
}

// Status implements bk.Kiosk.
func (k *Kiosk) Status() bk.Status {
	k.mu.Lock()
	defer k.mu.Unlock()
	st := bk.Status{
		Online:     k.online,
		Pending:    len(k.outbox),
		LastSync:   k.lastSync,
		Attention:  len(k.attention),
		Printer:    bk.DeviceOK,
		Reader:     k.reader,
		Scanner:    k.scanner,
		TrustStale: k.bundle.Stale(k.now()),
		ClockSkew:  k.clockSkew,
	}
	if len(k.outbox) > 0 {
		st.OldestPending = k.outbox[0].OccurredAt
	}
	k.printer.mu.Lock()
	if !k.printer.paper {
		st.Printer = bk.DevicePaperOut
	}
	k.printer.mu.Unlock()
	return st
}

// Attention implements bk.Kiosk.
func (k *Kiosk) Attention(ctx context.Context) ([]bk.AttentionItem, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]bk.AttentionItem, len(k.attention))
	for i, a := range k.attention {
		out[len(out)-1-i] = a
	}
	return out, nil
}

// SyncNow implements bk.Kiosk.
func (k *Kiosk) SyncNow(ctx context.Context) error {
	k.mu.Lock()
	if !k.online {
		k.mu.Unlock()
		return bk.Errorf(bk.EUnavailable, "The central service cannot be reached.")
	}
	k.pushLocked()
	k.mu.Unlock()
	k.emitStatus()
	return nil
}

// Catalogue implements bk.Kiosk.
func (k *Kiosk) Catalogue() *bk.Catalogue {
	k.mu.Lock()
	defer k.mu.Unlock()
	return &k.bundle.Catalogue
}

// VerifyHandover implements bk.Kiosk.
func (k *Kiosk) VerifyHandover(ctx context.Context, code string) (bk.HandoverInfo, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	h, d, err := k.handoverLocked(code)
	if err != nil {
		return bk.HandoverInfo{}, err
	}
	if k.compact {
		return bk.HandoverInfo{Code: code, DelegationID: d.ID, PrincipalName: partName(d.PrincipalName), CodeExpires: h.expires}, nil
	}
	// Like a real code, it names the principal by a masked name only.
	return bk.HandoverInfo{
		Code: code, DelegationID: d.ID, PrincipalName: partName(d.PrincipalName),
		Scopes: d.Scopes, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, CodeExpires: h.expires,
	}, nil
}

// SetCompactCodes makes VerifyHandover answer as the real kiosk does for
// a compact (BK2) code: the masked name and the code's expiry only.
func (k *Kiosk) SetCompactCodes(on bool) {
	k.mu.Lock()
	k.compact = on
	k.mu.Unlock()
}

func (k *Kiosk) handoverLocked(code string) (*handover, *bk.Delegation, error) {
	h, ok := k.handovers[code]
	if !ok {
		return nil, nil, bk.Errorf(bk.EInvalid, "This is not a handover code.")
	}
	if h.used {
		return nil, nil, bk.Errorf(bk.EInvalid, "This handover code has already been used.")
	}
	now := k.now()
	if !now.Before(h.expires) {
		return nil, nil, bk.Errorf(bk.EExpired, "The handover code has expired.")
	}
	d := k.delegationLocked(h.delegationID)
	if d == nil {
		return nil, nil, bk.Errorf(bk.EUnknownSubject, "The power of attorney is not known.")
	}
	switch d.StateAt(now) {
	case bk.DelegationRevoked:
		return nil, nil, bk.Errorf(bk.EAlreadyRevoked, "The power of attorney was revoked.")
	case bk.DelegationExpired:
		return nil, nil, bk.Errorf(bk.EExpired, "The power of attorney has expired.")
	case bk.DelegationPending:
	default:
		return nil, nil, bk.Errorf(bk.EInvalid, "This handover code has already been used.")
	}
	return h, d, nil
}

// delegationLocked finds a delegation at central or, made offline, in the
// outbox (the handover code is signed by the kiosk and works offline).
func (k *Kiosk) delegationLocked(id string) *bk.Delegation {
	if d, ok := k.delegations[id]; ok {
		cp := *d
		return &cp
	}
	for _, a := range k.outbox {
		if a.Kind != bk.CreateDelegation {
			continue
		}
		p, err := a.DecodePayload()
		if err != nil || p.DelegationID != id {
			continue
		}
		actor, _ := bk.DecodeCertificate(a.ActorCert)
		if actor == nil {
			continue
		}
		return &bk.Delegation{ID: id, Principal: actor.CPR, PrincipalName: p.PrincipalName, Delegate: *p.Delegate, DelegateNameTyped: p.DelegateName,
			Scopes: p.Scopes, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, State: bk.DelegationPending, CreatedAt: a.OccurredAt}
	}
	return nil
}

// partName shows a first name and the initial of the last: "Karen H.".
func partName(name string) string {
	f := strings.Fields(name)
	switch len(f) {
	case 0:
		return ""
	case 1:
		return f[0]
	}
	last := []rune(f[len(f)-1])
	return f[0] + " " + string(last[0]) + "."
}

// CallStaff implements bk.Kiosk.
func (k *Kiosk) CallStaff(ctx context.Context, reason string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, reason)
	return nil
}
