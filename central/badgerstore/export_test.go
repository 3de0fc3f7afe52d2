package badgerstore

import (
	"context"

	"github.com/borgerkiosk/borgerkiosk/central"
)

// OpenSharedUsage opens a store with the usage log in the main database,
// as before it had its own: the baseline BenchmarkLookupWhileRecording
// compares with.
func OpenSharedUsage(dir string) (*Store, error) { return Open(dir, Options{sharedUsage: true}) }

// ForgetConsentPages removes the consent-auth-id index and its mark, as in
// a store from before paging.
func ForgetConsentPages(s *Store) error {
	if err := s.db.DropPrefix(key("consent-auth-id")); err != nil {
		return err
	}
	return s.db.DropPrefix(metaConsentPages)
}

// UnnumberRevocations makes s's revocations as a store from before they
// were numbered kept them: without Seq and Chain, no revoked-seq index.
func UnnumberRevocations(s *Store) error {
	var rs []central.Revocation
	err := s.View(context.Background(), func(tx central.Tx) error {
		var err error
		rs, err = tx.Revocations()
		return err
	})
	if err != nil {
		return err
	}
	if err := s.db.DropPrefix(key("revoked-seq"), metaRevokedLast); err != nil {
		return err
	}
	return s.Update(context.Background(), func(in central.Tx) error {
		t := in.(*tx)
		for _, r := range rs {
			r.Seq, r.Chain = 0, nil
			if err := t.put(key("revoked", []byte(r.Serial)), r); err != nil {
				return err
			}
		}
		return nil
	})
}
