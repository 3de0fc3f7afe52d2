// Package session is the kiosk's application service: it implements the
// bk.Kiosk and bk.Session ports on top of the card reader, the outbox, the
// central client, the printer and the trust bundle, and applies the domain
// rules to show a person the likely outcome before central decides.
//
// It imports no Badger, serial or HTTP code: cmd/kiosk hands it those parts
// through the small interfaces below.
package session

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/receipt"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
)

// Outbox stores signed actions durably (sync.Outbox).
type Outbox interface {
	// Enqueue returns only when a is on disk; any error means it is not.
	Enqueue(ctx context.Context, a *bk.Action) (uint64, error)
}

// Central is the live part of central's API (sync.Client).
type Central interface {
	Nonce(ctx context.Context) ([]byte, error)
	CitizenState(ctx context.Context, auth bk.CitizenAuth) (*bk.CitizenState, error)
	UsageLog(ctx context.Context, auth bk.CitizenAuth, before string, limit int) (*bk.UsageLog, error)
	OverviewToken(ctx context.Context, auth bk.CitizenAuth) (path string, err error)
}

// Trust gives the current trust bundle (sync.Bundles); nil before the
// first one arrives.
type Trust interface {
	Bundle() *bk.TrustBundle
}

// Printer prints an ESC/POS job (escpos.Printer); errors say why not.
type Printer interface {
	Print(ctx context.Context, job []byte) error
}

// Sync is what the staff screen shows and does about the queue.
type Sync interface {
	Status() bk.Status // Online, Pending, OldestPending, LastSync, Attention
	Attention(ctx context.Context) ([]bk.AttentionItem, error)
	SyncNow(ctx context.Context) error
	// Dismiss takes actionID off the attention list and records that staff
	// member by (a staff id) did. Errors: ENotFound when it is not on it.
	Dismiss(ctx context.Context, actionID, by string) error
}

// Confirmer waits for central's verdict on a queued action (the pusher sends
// it as soon as it is queued). ok is false when no verdict came before ctx
// ended: the action stays queued and is reported as pending.
type Confirmer interface {
	AwaitVerdict(ctx context.Context, seq uint64) (v bk.Verdict, ok bool)
}

// Config holds the kiosk's own settings.
type Config struct {
	KioskID          string
	Site             string
	KioskKey         ed25519.PrivateKey // signs handover codes
	HandoverBaseURL  string             // central's public URL, for handover codes
	HandoverValidity time.Duration
	MaxDelegation    time.Duration
	Printer          receipt.Printer
	Zone             timefmt.Zone // receipts' times; the zero Zone is Danish time
	// StateTimeout bounds each live request to central during a session, so
	// an unreachable central turns into "offline" quickly.
	StateTimeout time.Duration
	// ConfirmTimeout is how long Do waits, when online, for central's verdict
	// before telling the person the action is pending (default 3 s).
	ConfirmTimeout time.Duration
	Now            func() time.Time
	Logger         *slog.Logger
}

// Deps are the parts the service drives.
type Deps struct {
	Reader  bk.CardReader
	Outbox  Outbox
	Central Central
	Trust   Trust
	Printer Printer
	Sync    Sync
	Confirm Confirmer // optional: without it every action is reported pending
}

// Service implements bk.Kiosk.
type Service struct {
	cfg  Config
	deps Deps
	log  *slog.Logger

	mu          sync.Mutex
	subs        map[int]bk.Events
	nextSub     int
	cardPresent bool
	devices     map[string]bk.DeviceState // "printer", "reader", "scanner"
	current     *Session
	scanned     map[string]*handover.Claims // verified handover codes by delegation id
}

var _ bk.Kiosk = (*Service)(nil)

// New makes the service and starts following the card reader's events.
func New(cfg Config, deps Deps) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.HandoverValidity == 0 {
		cfg.HandoverValidity = handover.DefaultLifetime
	}
	if cfg.StateTimeout == 0 {
		cfg.StateTimeout = 5 * time.Second
	}
	if cfg.ConfirmTimeout == 0 {
		cfg.ConfirmTimeout = 3 * time.Second
	}
	s := &Service{
		cfg: cfg, deps: deps, log: cfg.Logger,
		subs:    map[int]bk.Events{},
		devices: map[string]bk.DeviceState{"printer": bk.DeviceOK, "reader": bk.DeviceOK, "scanner": bk.DeviceOK},
	}
	go s.followCards()
	return s
}

func (s *Service) followCards() {
	for ev := range s.deps.Reader.Events() {
		s.mu.Lock()
		s.cardPresent = ev == bk.CardInserted
		var ended *Session
		if ev == bk.CardRemoved {
			ended = s.current
		}
		subs := s.subscribers()
		s.mu.Unlock()
		if ended != nil {
			// The card left: the session ends now, whatever the UI does.
			// Close takes s.mu itself, so it runs after the unlock.
			ended.Close()
		}
		for _, e := range subs {
			if e.Card != nil {
				e.Card(ev)
			}
		}
	}
}

func (s *Service) subscribers() []bk.Events {
	out := make([]bk.Events, 0, len(s.subs))
	for _, e := range s.subs {
		out = append(out, e)
	}
	return out
}

// Subscribe implements bk.Kiosk.
func (s *Service) Subscribe(e bk.Events) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = e
	return func() {
		s.mu.Lock()
		delete(s.subs, id)
		s.mu.Unlock()
	}
}

// Scanned is called by the QR scanner driver with each code it reads.
func (s *Service) Scanned(code string) {
	s.mu.Lock()
	subs := s.subscribers()
	s.mu.Unlock()
	for _, e := range subs {
		if e.Scan != nil {
			e.Scan(code)
		}
	}
}

// SetDevice records a device's state ("printer", "reader", "scanner") and
// tells subscribers.
func (s *Service) SetDevice(name string, st bk.DeviceState) {
	s.mu.Lock()
	changed := s.devices[name] != st
	s.devices[name] = st
	s.mu.Unlock()
	if changed {
		s.StatusChanged()
	}
}

// StatusChanged tells subscribers the status changed (sync or devices).
func (s *Service) StatusChanged() {
	st := s.Status()
	s.mu.Lock()
	subs := s.subscribers()
	s.mu.Unlock()
	for _, e := range subs {
		if e.Status != nil {
			e.Status(st)
		}
	}
}

// CardPresent implements bk.Kiosk.
func (s *Service) CardPresent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cardPresent
}

func (s *Service) bundle() (*bk.TrustBundle, error) {
	b := s.deps.Trust.Bundle()
	if b == nil {
		return nil, bk.Errorf(bk.EUnavailable, "The kiosk has not yet received its list of trusted cards from the central service. Please ask staff.")
	}
	return b, nil
}

// readCard reads and verifies the certificate of the card in the slot.
func (s *Service) readCard(ctx context.Context) (*bk.Certificate, error) {
	raw, err := s.deps.Reader.Certificate(ctx)
	if err != nil {
		return nil, err
	}
	cert, err := bk.DecodeCertificate(raw)
	if err != nil {
		return nil, err
	}
	b, err := s.bundle()
	if err != nil {
		return nil, err
	}
	if err := b.Trust().VerifyCertificate(cert, s.cfg.Now()); err != nil {
		s.log.Info("card refused", "serial", cert.Serial, "reason", bk.ErrorCode(err))
		return nil, err
	}
	return cert, nil
}

func cardInfo(c *bk.Certificate) bk.CardInfo {
	return bk.CardInfo{Serial: c.Serial, Name: c.Name, CPR: c.CPR, Role: c.Role, StaffID: c.StaffID}
}

// ReadCard implements bk.Kiosk.
func (s *Service) ReadCard(ctx context.Context) (bk.CardInfo, error) {
	c, err := s.readCard(ctx)
	if err != nil {
		return bk.CardInfo{}, err
	}
	return cardInfo(c), nil
}

// SignIn implements bk.Kiosk. When central answers quickly, the card signs a
// fresh central nonce, so the same PIN entry also authorises fetching the
// person's state; offline, a local nonce proves the card holder is present.
func (s *Service) SignIn(ctx context.Context, pin string, assist *bk.StaffGrant) (bk.Session, error) {
	cert, err := s.readCard(ctx)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	if assist != nil {
		if cert.Role != bk.RoleCitizen {
			return nil, bk.Errorf(bk.EWrongRole, "Staff help is for citizen cards; sign in with your own card.")
		}
		g := assist.Grant
		if g == nil || g.Kiosk != s.cfg.KioskID || now.Before(g.NotBefore) || !now.Before(g.NotAfter) {
			return nil, bk.Errorf(bk.EForbidden, "The staff member's help has timed out. Staff must sign in again.")
		}
		if err := s.checkGrant(g, now); err != nil {
			return nil, err
		}
	}
	nonce, fromCentral := s.nonce(ctx)
	sig, err := s.deps.Reader.Authenticate(ctx, pin, bk.AuthChallenge(nonce))
	if err != nil {
		return nil, err
	}
	if !ed25519.Verify(cert.CardKey, bk.AuthChallenge(nonce), sig) {
		return nil, bk.Errorf(bk.EBadSignature, "The card did not prove its identity. Please ask staff.")
	}
	sess := &Session{svc: s, cert: cert, lang: "da", assist: assist}
	if fromCentral {
		sess.auth = &bk.CitizenAuth{Nonce: nonce, Cert: cert.Encode(), Signature: sig}
	}
	s.mu.Lock()
	old := s.current
	s.mu.Unlock()
	if old != nil {
		old.Close() // takes s.mu itself
	}
	s.mu.Lock()
	s.current = sess
	s.mu.Unlock()
	s.log.Info("signed in", "serial", cert.Serial, "role", cert.Role, "assisted", assist != nil)
	return sess, nil
}

// checkGrant verifies a staff grant here rather than leaving it to central,
// so a forged grant never reaches a receipt or the outbox.
func (s *Service) checkGrant(g *bk.Assist, now time.Time) error {
	refused := bk.Errorf(bk.EForbidden, "The staff member's help could not be confirmed. Staff must sign in again.")
	staff, err := bk.DecodeCertificate(g.StaffCert)
	if err != nil || staff.Role != bk.RoleStaff {
		return refused
	}
	b, err := s.bundle()
	if err != nil {
		return err
	}
	if err := b.Trust().VerifyCertificate(staff, now); err != nil {
		return err
	}
	if len(g.Signature) != ed25519.SignatureSize || !ed25519.Verify(staff.CardKey, g.Digest(), g.Signature) {
		return refused
	}
	return nil
}

// nonce asks central for a fresh nonce and falls back to a local one.
func (s *Service) nonce(ctx context.Context) ([]byte, bool) {
	if s.deps.Central != nil && s.Status().Online {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.StateTimeout)
		defer cancel()
		if n, err := s.deps.Central.Nonce(ctx); err == nil {
			return n, true
		}
	}
	n := make([]byte, 32)
	rand.Read(n)
	return n, false
}

// Status implements bk.Kiosk.
func (s *Service) Status() bk.Status {
	var st bk.Status
	if s.deps.Sync != nil {
		st = s.deps.Sync.Status()
	}
	s.mu.Lock()
	st.Printer, st.Reader, st.Scanner = s.devices["printer"], s.devices["reader"], s.devices["scanner"]
	s.mu.Unlock()
	b := s.deps.Trust.Bundle()
	st.TrustStale = b == nil || b.Stale(s.cfg.Now())
	return st
}

// Attention implements bk.Kiosk.
func (s *Service) Attention(ctx context.Context) ([]bk.AttentionItem, error) {
	return s.deps.Sync.Attention(ctx)
}

// SyncNow implements bk.Kiosk.
func (s *Service) SyncNow(ctx context.Context) error { return s.deps.Sync.SyncNow(ctx) }

// Catalogue implements bk.Kiosk.
func (s *Service) Catalogue() *bk.Catalogue {
	if b := s.deps.Trust.Bundle(); b != nil {
		return &b.Catalogue
	}
	return &bk.Catalogue{}
}

// VerifyHandover implements bk.Kiosk: the code is checked offline against
// the kiosk keys in the trust bundle.
func (s *Service) VerifyHandover(ctx context.Context, code string) (bk.HandoverInfo, error) {
	b, err := s.bundle()
	if err != nil {
		return bk.HandoverInfo{}, err
	}
	c, err := handover.Verify(code, b.KioskKey, s.cfg.Now())
	if err != nil {
		return bk.HandoverInfo{}, handoverError(err)
	}
	bare, _ := handover.Parse(code)
	info := bk.HandoverInfo{
		Code: bare, DelegationID: c.DelegationID, PrincipalName: c.PrincipalName,
		ValidFrom: c.ValidFrom, ValidTo: c.ValidTo, CodeExpires: c.ExpiresAt,
	}
	for _, id := range c.Scopes {
		info.Scopes = append(info.Scopes, bk.ScopeGrant{ScopeID: id})
	}
	s.mu.Lock()
	if s.scanned == nil {
		s.scanned = map[string]*handover.Claims{}
	}
	s.scanned[c.DelegationID] = c
	s.mu.Unlock()
	return info, nil
}

// handoverError maps the codec's refusals onto the codes the screens know.
func handoverError(err error) error {
	msg := bk.ErrorMessage(err)
	switch bk.ErrorCode(err) {
	case handover.EExpired:
		return bk.Errorf(bk.EExpired, "%s", msg)
	case handover.EBadSignature, handover.EUnknownKey:
		return bk.Errorf(bk.EBadSignature, "%s", msg)
	default:
		return bk.Errorf(bk.EInvalid, "%s", msg)
	}
}

// CallStaff implements bk.Kiosk. Kiosks have no staff pager yet; the call
// goes to the log that site staff watch (journald) at warning level.
func (s *Service) CallStaff(ctx context.Context, reason string) error {
	s.log.Warn("help requested at kiosk", "kiosk", s.cfg.KioskID, "reason", reason)
	return nil
}

var errClosed = bk.Errorf(bk.ENotAuthed, "The session has ended. Please insert your card again.")
