package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sort"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// ForkError reports that a kiosk incarnation sent a sequence number again
// with different content: two devices share an incarnation, or a kiosk's
// outbox was tampered with. Nothing of the batch is kept.
type ForkError struct {
	Kiosk, Incarnation string
	Seq                uint64
}

func (e *ForkError) Error() string {
	return fmt.Sprintf("fork: kiosk %s incarnation %s sent sequence number %d again with different content", e.Kiosk, e.Incarnation, e.Seq)
}

// trust returns the card trust in force for the signature checks: the
// configured issuers and the cache of verified certificates. Revocations
// are not in it: revoked looks each serial up in the store, inside the
// transaction that acts on the verdict.
func (s *Server) trust() *bk.Trust {
	return &bk.Trust{Issuers: s.cfg.Issuers, Verified: s.certs}
}

// revoked returns a lookup of card serials on tx's revocation list.
func revoked(tx Tx) func(serial string) (bool, error) {
	return func(serial string) (bool, error) {
		_, err := tx.Revocation(serial)
		if bk.ErrorCode(err) == bk.ENotFound {
			return false, nil
		}
		return err == nil, err
	}
}

// precheck makes the signature checks of the items of req that may be new
// (after the cursor as a snapshot read finds it), outside the store
// transaction, so that a transaction that runs again does not redo them.
// An item missing from the map is checked inside (the cursor only rises,
// so that does not happen unless the snapshot read fails).
func (s *Server) precheck(ctx context.Context, kioskID string, req *bk.PushRequest) map[uint64]*bk.Checked {
	var last uint64
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		last, err = tx.PushCursor(kioskID, req.Incarnation)
		return err
	})
	if err != nil {
		return nil
	}
	trust := s.trust()
	out := make(map[uint64]*bk.Checked, len(req.Actions))
	for _, it := range req.Actions {
		if it.Seq > last && it.Action != nil && it.Action.Kiosk == kioskID {
			out[it.Seq] = trust.CheckAction(it.Action)
		}
	}
	return out
}

// Push applies a batch from kioskID (already authenticated) exactly once, in
// one store transaction. Items at or below the incarnation's cursor are
// duplicates when their content is what was stored, else the whole batch is
// refused with a *ForkError. The item right after the cursor is verified,
// run through the rules, stored with its verdict, and moves the cursor. A
// gap stops the batch; the answer's LastSeq tells the kiosk where to resume.
func (s *Server) Push(ctx context.Context, kioskID string, req *bk.PushRequest) (*bk.PushResponse, error) {
	if req.Kiosk != kioskID {
		return nil, bk.Errorf(bk.EForbidden, "The batch names another kiosk than the one that signed the request.")
	}
	now := s.now().UTC()
	checked := s.precheck(ctx, kioskID, req)
	var resp *bk.PushResponse
	err := s.store.Update(ctx, func(tx Tx) error {
		resp = &bk.PushResponse{Verdicts: []bk.Verdict{}} // fn may run again
		last, err := tx.PushCursor(kioskID, req.Incarnation)
		if err != nil {
			return err
		}
		start := last
	items:
		for _, it := range req.Actions {
			hash := it.Action.ContentHash()
			switch {
			case it.Seq <= last:
				rec, err := tx.ActionAt(kioskID, req.Incarnation, it.Seq)
				if err != nil {
					return fmt.Errorf("push cursor at %d but no record of %d: %w", last, it.Seq, err)
				}
				if !bytes.Equal(rec.Hash, hash) {
					return &ForkError{Kiosk: kioskID, Incarnation: req.Incarnation, Seq: it.Seq}
				}
				first := rec.Verdict
				first.First = nil
				resp.Verdicts = append(resp.Verdicts, bk.Verdict{
					ActionID: rec.Action.ID, Seq: it.Seq, Outcome: bk.Duplicate,
					Message: "Already received; its first verdict was " + string(rec.Verdict.Outcome) + ".",
					First:   &first,
				})
			case it.Seq == last+1:
				v, err := s.apply(tx, checked[it.Seq], kioskID, it, hash, now)
				if err != nil {
					return err
				}
				v.Seq = it.Seq
				err = tx.PutAction(&ActionRecord{
					Kiosk: kioskID, Incarnation: req.Incarnation, Seq: it.Seq, Hash: hash,
					Action: it.Action, Verdict: v, ReceivedAt: now,
				})
				if err != nil {
					return err
				}
				resp.Verdicts = append(resp.Verdicts, v)
				last = it.Seq
			default:
				break items // a gap: the kiosk resends from LastSeq+1
			}
		}
		resp.LastSeq = last
		if last == start {
			return nil
		}
		return tx.SetPushCursor(kioskID, req.Incarnation, last)
	})
	if fe, ok := err.(*ForkError); ok {
		s.metrics.forks.Inc()
		s.log.Error("fork alarm: a kiosk sent different content for a sequence number it sent before",
			"kiosk", fe.Kiosk, "incarnation", fe.Incarnation, "seq", fe.Seq)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	for _, v := range resp.Verdicts {
		s.metrics.pushActions.WithLabelValues(string(v.Outcome)).Inc()
		if v.NeedsAttention() {
			s.log.Info("action not applied", "kiosk", kioskID, "action", v.ActionID, "seq", v.Seq, "outcome", v.Outcome, "reason", v.Reason)
		}
	}
	s.log.Info("push", "kiosk", kioskID, "incarnation", req.Incarnation, "items", len(req.Actions), "last_seq", resp.LastSeq)
	return resp, nil
}

// apply decides one new action pushed by kioskID. Refusals are verdicts;
// only store faults are errors.
// checked is it's precheck, or nil to make the checks here.
func (s *Server) apply(tx Tx, checked *bk.Checked, kioskID string, it bk.PushItem, hash []byte, now time.Time) (bk.Verdict, error) {
	a := it.Action
	if err := a.Validate(); err != nil {
		return bk.Refuse(a.ID, err), nil
	}
	// The kiosk field is signed by the card and binds a staff grant to its
	// kiosk; an action another kiosk pushes was copied (a stolen kiosk key
	// replaying a grant meant for elsewhere). Checked before the duplicate
	// check, so a kiosk cannot probe which actions exist elsewhere.
	if a.Kiosk != kioskID {
		return bk.Refuse(a.ID, bk.Errorf(ECodeWrongKiosk, "The action was made at kiosk %q, not at the kiosk that sent it.", a.Kiosk)), nil
	}
	if !bytes.Equal(it.Hash, hash) {
		return bk.Refuse(a.ID, bk.Errorf(bk.EInvalid, "The hash sent with the action does not match its content.")), nil
	}
	if _, err := tx.ActionByID(a.ID); err == nil {
		return bk.Verdict{ActionID: a.ID, Outcome: bk.Duplicate, Message: "This action was already received."}, nil
	} else if bk.ErrorCode(err) != bk.ENotFound {
		return bk.Verdict{}, err
	}
	if checked == nil {
		checked = s.trust().CheckAction(a)
	}
	actor, staff, refusal, err := checked.Decide(revoked(tx))
	if err != nil {
		return bk.Verdict{}, err
	}
	if refusal != nil {
		return bk.Refuse(a.ID, refusal), nil
	}
	subject, err := a.Subject()
	if err != nil {
		return bk.Refuse(a.ID, err), nil
	}
	// A handover code answers once, wherever it is answered.
	if a.Kind == bk.AcceptDelegation || a.Kind == bk.DeclineDelegation {
		p, _ := a.DecodePayload() // Subject decoded it already
		if token := handoverToken(p); token != "" {
			rec, err := tx.HandoverCodes(subject)
			if err != nil {
				return bk.Verdict{}, err
			}
			if refusal := rec.CheckUnused(token); refusal != nil {
				return bk.Refuse(a.ID, refusal), nil
			}
		}
	}
	var target bk.Target
	if a.Kind.OnConsent() {
		target.Consent, err = tx.Consent(subject)
	} else {
		target.Delegation, err = tx.Delegation(subject)
	}
	if err != nil && bk.ErrorCode(err) != bk.ENotFound {
		return bk.Verdict{}, err
	}
	v, changed := s.rules.Apply(target, a, actor, staff, now)
	if v.Outcome != bk.Applied {
		return v, nil
	}
	switch {
	case changed.Consent != nil:
		err = tx.PutConsent(changed.Consent)
	case changed.Delegation != nil:
		err = tx.PutDelegation(changed.Delegation)
	}
	if err != nil {
		return v, err
	}
	// An answer given at a kiosk uses up the handover code it answered, so
	// the same code cannot be redeemed again on the web.
	if a.Kind == bk.AcceptDelegation || a.Kind == bk.DeclineDelegation {
		p, _ := a.DecodePayload() // the rules decoded it already
		if token := handoverToken(p); token != "" {
			err = markTokenUsed(tx, subject, token)
		}
	}
	if a.Kind == bk.CreateDelegation && err == nil {
		err = s.indexTypedCode(tx, a, changed.Delegation)
	}
	return v, err
}

// TrustBundle returns the trust bundle as of now, signed with central's key.
func (s *Server) TrustBundle(ctx context.Context) (*bk.SignedBundle, error) {
	b := &bk.TrustBundle{
		IssuedAt:   s.now().UTC(),
		MaxAgeSecs: int64(s.cfg.BundleMaxAge / time.Second),
		Issuers:    append([]bk.IssuerKey{}, s.cfg.Issuers...),
		Revoked:    []string{},
		Kiosks:     []bk.KioskKey{},
		Catalogue:  *s.cfg.Catalogue,
	}
	err := s.store.View(ctx, func(tx Tx) error {
		revs, err := tx.Revocations()
		if err != nil {
			return err
		}
		for _, r := range revs {
			b.Revoked = append(b.Revoked, r.Serial)
		}
		ks, err := tx.Kiosks()
		for _, k := range ks {
			b.Kiosks = append(b.Kiosks, bk.KioskKey{ID: k.ID, PublicKey: k.PublicKey})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return bk.SignBundle(b, s.cfg.Key)
}

// maxEnrollTTL bounds how long an enrolment token may live.
const maxEnrollTTL = 30 * 24 * time.Hour

// CreateEnrollToken makes a one-time enrolment token valid for ttl (0: the
// configured default). Only its hash is stored.
func (s *Server) CreateEnrollToken(ctx context.Context, ttl time.Duration) (string, time.Time, error) {
	if ttl == 0 {
		ttl = s.cfg.EnrollTokenTTL
	}
	if ttl < time.Minute || ttl > maxEnrollTTL {
		return "", time.Time{}, bk.Errorf(bk.EInvalid, "An enrolment token must live between a minute and 30 days.")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", time.Time{}, err
	}
	token := "bke_" + base64.RawURLEncoding.EncodeToString(raw)
	now := s.now().UTC()
	e := &EnrollToken{Hash: bk.TokenHash(token), CreatedAt: now, ExpiresAt: now.Add(ttl).Truncate(time.Second)}
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.PutEnrollToken(e) }); err != nil {
		return "", time.Time{}, err
	}
	s.log.Info("enrolment token created", "expires_at", e.ExpiresAt)
	return token, e.ExpiresAt, nil
}

// Enroll registers a kiosk's key, using up the enrolment token.
func (s *Server) Enroll(ctx context.Context, req *bk.EnrollRequest) (*bk.EnrollResponse, error) {
	if !validName(req.KioskID, 64) {
		return nil, bk.Errorf(bk.EInvalid, "kiosk_id must be 1 to 64 letters, digits, '-', '_' or '.'")
	}
	if len(req.PublicKey) != ed25519.PublicKeySize {
		return nil, bk.Errorf(bk.EInvalid, "public_key must be a 32-byte Ed25519 public key")
	}
	if len(req.Site) > 200 {
		return nil, bk.Errorf(bk.EInvalid, "site may be at most 200 characters")
	}
	now := s.now().UTC()
	badToken := bk.Errorf(bk.EUnauthorized, "The enrolment token is unknown, expired or already used.")
	err := s.store.Update(ctx, func(tx Tx) error {
		h := bk.TokenHash(req.Token)
		e, err := tx.EnrollToken(h)
		if bk.ErrorCode(err) == bk.ENotFound {
			return badToken
		}
		if err != nil {
			return err
		}
		if !now.Before(e.ExpiresAt) {
			return badToken
		}
		if err := tx.DeleteEnrollToken(h); err != nil {
			return err
		}
		return tx.PutKiosk(&Kiosk{ID: req.KioskID, Site: req.Site, PublicKey: req.PublicKey, EnrolledAt: now})
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("kiosk enrolled", "kiosk", req.KioskID, "site", req.Site)
	return &bk.EnrollResponse{KioskID: req.KioskID, CentralKey: s.PublicKey()}, nil
}

// Revoke puts a card serial on the revocation list; from then on actions
// signed with it are rejected and the next trust bundle lists it.
func (s *Server) Revoke(ctx context.Context, serial string) (Revocation, error) {
	if serial == "" || len(serial) > 128 {
		return Revocation{}, bk.Errorf(bk.EInvalid, "serial must be 1 to 128 characters")
	}
	r := Revocation{Serial: serial, RevokedAt: s.now().UTC()}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := tx.Revoke(r); err != nil {
			return err
		}
		var err error
		r, err = tx.Revocation(serial) // the first record, if revoked before
		return err
	})
	if err == nil {
		s.log.Info("card revoked", "serial", serial)
	}
	return r, err
}

// NewNonce issues a single-use citizen sign-in challenge for a kiosk.
func (s *Server) NewNonce(ctx context.Context, kioskID string) (*bk.NonceResponse, error) {
	n := &Nonce{Value: make([]byte, 32), Kiosk: kioskID, ExpiresAt: s.now().UTC().Add(s.cfg.NonceTTL)}
	if _, err := rand.Read(n.Value); err != nil {
		return nil, err
	}
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.PutNonce(n) }); err != nil {
		return nil, err
	}
	return &bk.NonceResponse{Nonce: n.Value, ExpiresAt: n.ExpiresAt}, nil
}

// signIn checks that the card holder is present: their card signed
// bk.AuthChallenge of a fresh nonce this kiosk got, and it is a valid,
// unrevoked citizen card. The nonce is used up even when a check fails.
func (s *Server) signIn(ctx context.Context, kioskID string, auth *bk.CitizenAuth) (*bk.Certificate, error) {
	if len(auth.Nonce) != 32 || len(auth.Cert) == 0 || len(auth.Signature) != 64 {
		return nil, bk.Errorf(bk.EInvalid, "nonce (32 bytes), cert and signature (64 bytes) are required")
	}
	now := s.now().UTC()
	// The signature checks come first, outside the transaction; the
	// refusals keep their order (the nonce's come first).
	cert, certRefusal := bk.DecodeCertificate(auth.Cert)
	var checked *bk.Checked
	var challengeOK bool
	if certRefusal == nil {
		checked = s.trust().CheckCertificate(cert, now)
		challengeOK = ed25519.Verify(cert.CardKey, bk.AuthChallenge(auth.Nonce), auth.Signature)
	}
	var refusal error
	err := s.store.Update(ctx, func(tx Tx) error {
		refusal = nil
		n, err := tx.Nonce(auth.Nonce)
		if bk.ErrorCode(err) == bk.ENotFound {
			refusal = bk.Errorf(bk.EUnauthorized, "The sign-in challenge is unknown or was already used.")
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteNonce(auth.Nonce); err != nil {
			return err
		}
		if n.Kiosk != kioskID || !now.Before(n.ExpiresAt) {
			refusal = bk.Errorf(bk.EUnauthorized, "The sign-in challenge has expired or belongs to another kiosk.")
			return nil
		}
		if refusal = certRefusal; refusal != nil {
			return nil
		}
		if _, _, refusal, err = checked.Decide(revoked(tx)); err != nil || refusal != nil {
			return err
		}
		if cert.Role != bk.RoleCitizen {
			refusal = bk.Errorf(bk.EWrongRole, "Only a citizen card can sign in as a citizen.")
			return nil
		}
		if !challengeOK {
			refusal = bk.Errorf(bk.EBadSignature, "The card's answer to the sign-in challenge is not valid.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		s.log.Info("citizen sign-in refused", "kiosk", kioskID, "reason", bk.ErrorCode(refusal))
		return nil, refusal
	}
	return cert, nil
}

// CitizenState checks that the card holder is present (signIn) and returns
// their consents and delegations.
func (s *Server) CitizenState(ctx context.Context, kioskID string, auth *bk.CitizenAuth) (*bk.CitizenState, error) {
	cert, err := s.signIn(ctx, kioskID, auth)
	if err != nil {
		return nil, err
	}
	st := &bk.CitizenState{FetchedAt: s.now().UTC()}
	err = s.store.View(ctx, func(tx Tx) error {
		var err error
		if st.Consents, err = tx.ConsentsByCPR(cert.CPR); err != nil {
			return err
		}
		if st.GivenByMe, err = tx.DelegationsByPrincipal(cert.CPR); err != nil {
			return err
		}
		st.GivenToMe, err = tx.DelegationsByDelegate(cert.CPR)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("citizen state fetched", "kiosk", kioskID, "cpr", cert.CPR)
	return st, nil
}

// RequestConsent records an authority's consent request for a citizen.
func (s *Server) RequestConsent(ctx context.Context, authorityID string, req *bk.ConsentRequest) (*bk.Consent, error) {
	now := s.now()
	if err := req.Validate(s.cfg.Catalogue, authorityID, now); err != nil {
		return nil, err
	}
	c := bk.NewConsent(bk.NewID(now), authorityID, req, now)
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.PutConsent(c) }); err != nil {
		return nil, err
	}
	s.log.Info("consent requested", "authority", authorityID, "consent", c.ID, "cpr", c.CPR)
	return c, nil
}

// AuthorityConsents lists an authority's own consents, for one citizen when
// cpr is not zero.
func (s *Server) AuthorityConsents(ctx context.Context, authorityID string, cpr bk.CPR) ([]*bk.Consent, error) {
	var list []*bk.Consent
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		list, err = tx.ConsentsByAuthority(authorityID, cpr)
		return err
	})
	return list, err
}

// AuthorityConsent returns one of the authority's own consents; another
// authority's consent is ENotFound, as if it did not exist.
func (s *Server) AuthorityConsent(ctx context.Context, authorityID, id string) (*bk.Consent, error) {
	var c *bk.Consent
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		c, err = tx.Consent(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.AuthorityID != authorityID {
		return nil, bk.Errorf(bk.ENotFound, "consent not found")
	}
	return c, nil
}

// CheckConsent tells an authority whether one of its consents allows it to
// use a category of a citizen's data now.
func (s *Server) CheckConsent(ctx context.Context, authorityID string, q *bk.ConsentCheck) (*bk.ConsentCheckResult, error) {
	if q.CPR.IsZero() {
		return nil, bk.Errorf(bk.EInvalid, "cpr is required")
	}
	if err := q.CPR.CheckBorn(s.now()); err != nil {
		return nil, err
	}
	if _, ok := s.cfg.Catalogue.DataCategory(q.DataCategory); !ok {
		return nil, bk.Errorf(bk.EInvalid, "unknown data category %q", q.DataCategory)
	}
	if q.Purpose == "" || len(q.Purpose) > 500 {
		return nil, bk.Errorf(bk.EInvalid, "purpose is required (at most 500 characters)")
	}
	list, err := s.AuthorityConsents(ctx, authorityID, q.CPR)
	if err != nil {
		return nil, err
	}
	now := s.now()
	res := &bk.ConsentCheckResult{}
	for _, c := range list {
		if c.Covers(authorityID, q.DataCategory, now) {
			res.Allowed, res.ConsentID = true, c.ID
			break
		}
	}
	rec := &bk.UsageRecord{Kind: bk.UsageConsentCheck, Authority: authorityID, DataCategory: q.DataCategory,
		Purpose: q.Purpose, Answer: answer(res.Allowed), ConsentID: res.ConsentID}
	if err := s.usage.Record(UsageEntry{Record: rec, Principal: q.CPR}); err != nil {
		return nil, err
	}
	s.log.Info("consent check", "authority", authorityID, "cpr", q.CPR, "category", q.DataCategory, "purpose", q.Purpose, "allowed", res.Allowed)
	return res, nil
}

// answer is the usage log's word for a yes or no.
func answer(allowed bool) bk.UsageAnswer {
	if allowed {
		return bk.UsageAllowed
	}
	return bk.UsageDenied
}

// Delegation returns the delegation with id (for the handover pages).
func (s *Server) Delegation(ctx context.Context, id string) (*bk.Delegation, error) {
	var d *bk.Delegation
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		d, err = tx.Delegation(id)
		return err
	})
	return d, err
}

// KioskKey returns the public key of an enrolled kiosk (handover codes are
// signed with it).
func (s *Server) KioskKey(id string) (ed25519.PublicKey, bool) {
	var k *Kiosk
	err := s.store.View(context.Background(), func(tx Tx) error {
		var err error
		k, err = tx.Kiosk(id)
		return err
	})
	if err != nil {
		return nil, false
	}
	return k.PublicKey, true
}

// Kiosks lists the enrolled kiosks by id.
func (s *Server) Kiosks(ctx context.Context) ([]*Kiosk, error) {
	var ks []*Kiosk
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		ks, err = tx.Kiosks()
		return err
	})
	sort.Slice(ks, func(i, j int) bool { return ks[i].ID < ks[j].ID })
	return ks, err
}
