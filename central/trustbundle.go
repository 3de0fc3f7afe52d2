package central

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// TrustBundle returns the trust bundle as of now, signed with central's key.
// With since (the revocation list version of the kiosk's bundle) it is a
// delta: only the serials revoked after since, so what a kiosk fetches every
// few minutes does not grow with the list. A version central does not have
// (another database, a digest that does not match) or one more than
// Config.BundleMaxDelta revocations behind gets the full bundle. Without
// since it is in the previous release's format (bk.SignBundleV1). A delta
// leaves the kiosk keys out when kiosks is the digest of central's list.
func (s *Server) TrustBundle(ctx context.Context, since *bk.RevocationVersion, kiosks []byte) (*bk.SignedBundle, error) {
	b := &bk.TrustBundle{
		IssuedAt:   s.now().UTC(),
		MaxAgeSecs: int64(s.cfg.BundleMaxAge / time.Second),
		Issuers:    append([]bk.IssuerKey{}, s.cfg.Issuers...),
		Revoked:    []string{},
		Kiosks:     []bk.KioskKey{},
		Catalogue:  *s.cfg.Catalogue,
	}
	err := s.store.View(ctx, func(tx Tx) error {
		last, err := tx.LastRevocation()
		if err != nil {
			return err
		}
		b.Revocations = last.Version()
		from, err := s.deltaFrom(tx, since, last.Seq)
		if err != nil {
			return err
		}
		var revs []Revocation
		if from != nil {
			b.DeltaFrom = from
			revs, err = tx.RevocationsSince(from.Count, 0)
		} else {
			revs, err = tx.RevocationsSince(0, 0)
		}
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
		b.KiosksDigest = bk.KiosksDigest(b.Kiosks)
		if b.DeltaFrom != nil && bytes.Equal(b.KiosksDigest, kiosks) {
			b.Kiosks, b.KiosksUnchanged = nil, true
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if since == nil {
		// A kiosk that does not ask for a delta may run the release before
		// deltas, whose decoder refuses the new fields (docs/operations.md).
		return bk.SignBundleV1(b, s.cfg.Key)
	}
	return bk.SignBundle(b, s.cfg.Key)
}

// deltaFrom returns since when a delta from it can be given with the list
// at last: central has that version and it is at most BundleMaxDelta
// behind. Else nil: the full bundle.
func (s *Server) deltaFrom(tx Tx, since *bk.RevocationVersion, last uint64) (*bk.RevocationVersion, error) {
	if since == nil || since.Count > last || last-since.Count > uint64(s.cfg.BundleMaxDelta) {
		return nil, nil
	}
	if since.Count == 0 {
		return since, nil // the empty list: every central has it
	}
	at, err := tx.RevocationsSince(since.Count-1, 1)
	if err != nil || len(at) != 1 || !at[0].Version().Equal(*since) {
		return nil, err
	}
	return since, nil
}

func (s *Server) handleTrustBundle(w http.ResponseWriter, r *http.Request, _ *Kiosk, _ []byte) {
	var since *bk.RevocationVersion
	if q := r.URL.Query().Get("since"); q != "" {
		v, err := bk.ParseRevocationVersion(q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		since = &v
	}
	var kiosks []byte
	if q := r.URL.Query().Get("kiosks"); q != "" {
		d, err := hex.DecodeString(q)
		if err != nil || len(d) != sha256.Size {
			s.fail(w, r, bk.Errorf(bk.EInvalid, "kiosks must be the kiosks_digest of a trust bundle, in hex"))
			return
		}
		kiosks = d
	}
	b, err := s.TrustBundle(r.Context(), since, kiosks)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}
