// Package fake is an in-memory kiosk for the ui package's tests and demos:
// a card slot with issuer-signed cards that check PINs and lock after
// three wrong tries, a "central" registry that applies the domain Rules to
// actions signed by those cards, an outbox that waits while offline, a
// printer that can run out of paper, a QR scanner, an attention list and a
// trust bundle that can go stale. It touches no device or network. The
// contract suite in ui/sessiontest checks, method by method of the ports,
// that it answers as the real session service does.
package fake

import (
	"crypto/ed25519"
	"crypto/rand"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/demo"
)

// maxTries is how many wrong PINs lock a card.
const maxTries = 3

// HandoverPrefix starts every handover code the fake makes: a URL in QR
// alphanumeric characters, like the real codes.
const HandoverPrefix = "HTTPS://BK.EXAMPLE/H/"

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
	contacts       map[bk.CPR]*bk.Contact // each citizen's own, set by set_contact
	outbox         []*bk.Action
	lastSync       time.Time
	attention      []bk.AttentionItem
	dismissals     []Dismissal
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
	cat := demoCatalogue()
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
		contacts:       map[bk.CPR]*bk.Contact{},
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

// demoCatalogue returns the demo catalogue, the one of tests and demos, so
// the screens' tests see what `make run` and central --demo show.
func demoCatalogue() *bk.Catalogue {
	cat, err := demo.Catalogue()
	if err != nil {
		panic(err) // embedded and checked by demo's tests
	}
	return cat
}

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

// Printer returns the fake receipt printer.
func (k *Kiosk) Printer() *Printer { return k.printer }

// StaffCalls returns the reasons CallStaff was called with.
func (k *Kiosk) StaffCalls() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.calls...)
}
