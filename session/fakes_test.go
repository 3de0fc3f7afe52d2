package session_test

import (
	"context"
	"crypto/ed25519"
	"sync"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/session"
)

// The fakes below are small working implementations of the service's
// dependencies, kept in memory. They check what the real parts check (PINs,
// signatures, single-use nonces) so that the tests see the same refusals.

var (
	_ bk.CardReader   = (*fakeReader)(nil)
	_ session.Outbox  = (*fakeOutbox)(nil)
	_ session.Central = (*fakeCentral)(nil)
	_ session.Trust   = (*fakeTrust)(nil)
	_ session.Printer = (*fakePrinter)(nil)
	_ session.Sync    = (*fakeSync)(nil)
)

// maxPINTries is how many wrong PINs lock a card.
const maxPINTries = 3

// fakeReader is a card reader with one slot holding a software card and its
// PIN. Wrong tries are remembered per card serial, across insertions, as a
// real card remembers them.
type fakeReader struct {
	events chan bk.CardEvent

	mu     sync.Mutex
	card   *fixture.Card
	pin    string
	authed bool
	wrong  map[string]int // serial → wrong PINs in a row
	signs  int            // successful Sign calls
}

func newFakeReader() *fakeReader {
	return &fakeReader{events: make(chan bk.CardEvent, 16), wrong: map[string]int{}}
}

// Insert puts c (with PIN pin) into the slot and reports it.
func (r *fakeReader) Insert(c *fixture.Card, pin string) {
	r.mu.Lock()
	r.card, r.pin, r.authed = c, pin, false
	r.mu.Unlock()
	r.events <- bk.CardInserted
}

// Remove takes the card out and reports it.
func (r *fakeReader) Remove() {
	r.mu.Lock()
	r.card, r.pin, r.authed = nil, "", false
	r.mu.Unlock()
	r.events <- bk.CardRemoved
}

func (r *fakeReader) Signs() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.signs
}

func (r *fakeReader) Events() <-chan bk.CardEvent { return r.events }

func errNoCard() error { return bk.Errorf(bk.ENoCard, "No card in the reader.") }

func (r *fakeReader) Certificate(ctx context.Context) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.card == nil {
		return nil, errNoCard()
	}
	return r.card.Cert.Encode(), nil
}

func (r *fakeReader) Authenticate(ctx context.Context, pin string, nonce []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.card == nil {
		return nil, errNoCard()
	}
	serial := r.card.Cert.Serial
	if r.wrong[serial] >= maxPINTries {
		return nil, bk.Errorf(bk.ECardLocked, "The card is locked.")
	}
	if pin != r.pin {
		r.wrong[serial]++
		r.authed = false
		if left := maxPINTries - r.wrong[serial]; left > 0 {
			return nil, &bk.PINError{TriesLeft: left}
		}
		return nil, bk.Errorf(bk.ECardLocked, "The card is locked.")
	}
	r.wrong[serial] = 0
	r.authed = true
	return ed25519.Sign(r.card.Key, nonce), nil
}

func (r *fakeReader) Sign(ctx context.Context, digest []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.card == nil {
		return nil, errNoCard()
	}
	if !r.authed {
		return nil, bk.Errorf(bk.ENotAuthed, "Enter the PIN first.")
	}
	r.signs++
	return ed25519.Sign(r.card.Key, digest), nil
}

// signWrongly makes the card in the slot sign with a key its certificate
// does not hold, as a faulty or forged card would.
func (r *fakeReader) signWrongly() {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := *r.card
	_, c.Key, _ = ed25519.GenerateKey(nil)
	r.card = &c
}

// fakeOutbox records enqueued actions; with fail set it stores nothing and
// returns fail.
type fakeOutbox struct {
	mu        sync.Mutex
	actions   []*bk.Action
	fail      error
	onEnqueue func() // called after an action is stored, outside the lock
}

func (o *fakeOutbox) Enqueue(ctx context.Context, a *bk.Action) (uint64, error) {
	o.mu.Lock()
	if o.fail != nil {
		err := o.fail
		o.mu.Unlock()
		return 0, err
	}
	o.actions = append(o.actions, a)
	seq := uint64(len(o.actions))
	hook := o.onEnqueue
	o.mu.Unlock()
	if hook != nil {
		hook()
	}
	return seq, nil
}

func (o *fakeOutbox) Fail(err error) {
	o.mu.Lock()
	o.fail = err
	o.mu.Unlock()
}

func (o *fakeOutbox) Actions() []*bk.Action {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*bk.Action(nil), o.actions...)
}

// fakeCentral hands out single-use nonces and serves a citizen state to a
// card that signed one of them.
type fakeCentral struct {
	mu      sync.Mutex
	offline bool
	nonces  map[string]bool // issued, not yet used
	issued  int
	fetches int
	state   *bk.CitizenState
	seq     byte
	usage   []*bk.UsageRecord // newest first, served to every card
}

func newFakeCentral() *fakeCentral {
	return &fakeCentral{nonces: map[string]bool{}, state: &bk.CitizenState{}}
}

func errOffline() error {
	return bk.Errorf(bk.EUnavailable, "The central service cannot be reached.")
}

func (c *fakeCentral) SetOffline(off bool) {
	c.mu.Lock()
	c.offline = off
	c.mu.Unlock()
}

func (c *fakeCentral) SetState(st *bk.CitizenState) {
	c.mu.Lock()
	c.state = st
	c.mu.Unlock()
}

func (c *fakeCentral) Counts() (issued, fetches int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.issued, c.fetches
}

func (c *fakeCentral) Nonce(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.offline {
		return nil, errOffline()
	}
	c.seq++
	n := make([]byte, 32)
	copy(n, "central-nonce")
	n[31] = c.seq
	c.nonces[string(n)] = true
	c.issued++
	return n, nil
}

// checkLocked checks a proof of presence as central does.
func (c *fakeCentral) checkLocked(auth bk.CitizenAuth) error {
	if c.offline {
		return errOffline()
	}
	if !c.nonces[string(auth.Nonce)] {
		return bk.Errorf(bk.EUnauthorized, "Unknown or used nonce.")
	}
	delete(c.nonces, string(auth.Nonce)) // single use, even when the signature is bad
	cert, err := bk.DecodeCertificate(auth.Cert)
	if err != nil {
		return bk.Errorf(bk.EUnauthorized, "Bad certificate.")
	}
	if !ed25519.Verify(cert.CardKey, bk.AuthChallenge(auth.Nonce), auth.Signature) {
		return bk.Errorf(bk.EUnauthorized, "Bad signature.")
	}
	return nil
}

// UsageLog serves c.usage, paged as central pages it, to a card that
// signed a nonce; the usage contract runs against the real central
// (cmd/kiosk).
func (c *fakeCentral) UsageLog(ctx context.Context, auth bk.CitizenAuth, before string, limit int) (*bk.UsageLog, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkLocked(auth); err != nil {
		return nil, err
	}
	l := &bk.UsageLog{FetchedAt: c.state.FetchedAt}
	for _, r := range c.usage {
		if before == "" || r.ID < before {
			l.Records = append(l.Records, r)
		}
	}
	if len(l.Records) > limit {
		l.Records = l.Records[:limit]
		l.Next = l.Records[limit-1].ID
	}
	return l, nil
}

// OverviewToken gives a card that signed a nonce a fixed proof path; the
// real token is checked against the real central (cmd/kiosk).
func (c *fakeCentral) OverviewToken(ctx context.Context, auth bk.CitizenAuth) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkLocked(auth); err != nil {
		return "", err
	}
	return "/O/FAKE", nil
}

func (c *fakeCentral) CitizenState(ctx context.Context, auth bk.CitizenAuth) (*bk.CitizenState, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkLocked(auth); err != nil {
		return nil, err
	}
	c.fetches++
	// A copy, as a fresh decode from the wire would be.
	st := &bk.CitizenState{FetchedAt: c.state.FetchedAt}
	for _, x := range c.state.Consents {
		cp := *x
		st.Consents = append(st.Consents, &cp)
	}
	for _, x := range c.state.GivenByMe {
		cp := *x
		st.GivenByMe = append(st.GivenByMe, &cp)
	}
	for _, x := range c.state.GivenToMe {
		cp := *x
		st.GivenToMe = append(st.GivenToMe, &cp)
	}
	return st, nil
}

// fakeTrust serves a settable bundle.
type fakeTrust struct {
	mu sync.Mutex
	b  *bk.TrustBundle
}

func (t *fakeTrust) Bundle() *bk.TrustBundle {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.b
}

func (t *fakeTrust) Set(b *bk.TrustBundle) {
	t.mu.Lock()
	t.b = b
	t.mu.Unlock()
}

// fakePrinter records jobs, or fails as a printer out of paper does.
type fakePrinter struct {
	mu   sync.Mutex
	jobs [][]byte
	fail bool
}

func (p *fakePrinter) Print(ctx context.Context, job []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return bk.Errorf(bk.EUnavailable, "the printer is out of paper")
	}
	p.jobs = append(p.jobs, append([]byte(nil), job...))
	return nil
}

func (p *fakePrinter) SetFail(f bool) {
	p.mu.Lock()
	p.fail = f
	p.mu.Unlock()
}

func (p *fakePrinter) Jobs() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.jobs...)
}

// fakeSync serves a settable status and attention list.
type fakeSync struct {
	mu          sync.Mutex
	status      bk.Status
	attention   []bk.AttentionItem
	syncs       int
	dismissedBy []string // the staff ids Dismiss recorded
	syncErr     error
}

func (s *fakeSync) Status() bk.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *fakeSync) SetOnline(on bool) {
	s.mu.Lock()
	s.status.Online = on
	s.mu.Unlock()
}

func (s *fakeSync) Attention(ctx context.Context) ([]bk.AttentionItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bk.AttentionItem(nil), s.attention...), nil
}

func (s *fakeSync) Dismiss(ctx context.Context, actionID, by string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, a := range s.attention {
		if a.ActionID == actionID {
			s.attention = append(s.attention[:i], s.attention[i+1:]...)
			s.dismissedBy = append(s.dismissedBy, by)
			return nil
		}
	}
	return bk.Errorf(bk.ENotFound, "That action is not on the attention list.")
}

func (s *fakeSync) SyncNow(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncs++
	return s.syncErr
}

// fakeConfirmer plays central: with a verdict set it answers at once;
// without one it gives up at once, as if central had not answered in time.
type fakeConfirmer struct {
	mu      sync.Mutex
	verdict *bk.Verdict
	asked   []uint64
}

func (c *fakeConfirmer) Answer(v *bk.Verdict) {
	c.mu.Lock()
	c.verdict = v
	c.mu.Unlock()
}

func (c *fakeConfirmer) AwaitVerdict(ctx context.Context, seq uint64) (bk.Verdict, bool) {
	c.mu.Lock()
	v := c.verdict
	c.asked = append(c.asked, seq)
	c.mu.Unlock()
	if v == nil {
		return bk.Verdict{}, false
	}
	return *v, true
}
