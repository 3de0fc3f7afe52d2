package central

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"sort"
	"strings"
	"time"
	"unicode"

	bk "github.com/borgerkiosk/borgerkiosk"
)

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
	if serial == "" || len(serial) > 128 || strings.ContainsFunc(serial, unicode.IsControl) {
		return Revocation{}, bk.Errorf(bk.EInvalid, "serial must be 1 to 128 characters, none of them control characters")
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
		if st.GivenToMe, err = tx.DelegationsByDelegate(cert.CPR); err != nil {
			return err
		}
		st.Contact, err = tx.Contact(cert.CPR)
		if bk.ErrorCode(err) == bk.ENotFound {
			st.Contact, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.ensureTimers(ctx, st)
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
	waiting := changeNotice(bk.NoticeConsentWaiting, bk.ToCitizen, c.ID, "", now.UTC())
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := tx.PutConsent(c); err != nil {
			return err
		}
		_, err := tx.AddNotice(waiting)
		return err
	})
	if err != nil {
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
	defer observeSince(s.metrics.checkTime.WithLabelValues(string(bk.UsageConsentCheck)), time.Now())
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
