package badgerstore_test

import (
	"context"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/central/storetest"
)

// TestConsentPagesIndexedOnOpen: a store from before the paging index lists
// its consents in pages after the next Open, which writes the index.
func TestConsentPagesIndexedOnOpen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := badgerstore.Open(dir, badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	req := &bk.ConsentRequest{CPR: bk.MustParseCPR("010190-1234"), Purpose: bk.Text{DA: "Formål", EN: "Purpose"},
		DataCategories: []string{"health"}, LegalBasis: bk.Text{DA: "Samtykke", EN: "Consent"}, ValidDays: 365}
	var want []string
	err = s.Update(ctx, func(tx central.Tx) error {
		for range 3 {
			c := bk.NewConsent(bk.NewID(now), "sundhed", req, now)
			want = append(want, c.ID)
			if err := tx.PutConsent(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := badgerstore.ForgetConsentPages(s); err != nil {
		t.Fatal(err)
	}
	pages := func(s *badgerstore.Store) (n int) {
		t.Helper()
		err := s.View(ctx, func(tx central.Tx) error {
			list, err := tx.ConsentsPage("sundhed", "", 0)
			n = len(list)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := pages(s); n != 0 {
		t.Fatalf("after ForgetConsentPages the index lists %d; want 0 (the test would prove nothing)", n)
	}
	s.Close()
	s, err = badgerstore.Open(dir, badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := pages(s); n != len(want) {
		t.Errorf("after Open the consents' pages list %d; want %d", n, len(want))
	}
}

// TestRevocationsNumberedOnOpen: the revocations of a store from before
// they were numbered are numbered on the next Open, in serial order, each
// with the digest of the list up to it, and new ones follow on.
func TestRevocationsNumberedOnOpen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := badgerstore.Open(dir, badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	err = s.Update(ctx, func(tx central.Tx) error {
		for _, serial := range []string{"S2", "S3", "S1"} {
			if err := tx.Revoke(central.Revocation{Serial: serial, RevokedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = badgerstore.UnnumberRevocations(s)
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = badgerstore.Open(dir, badgerstore.Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Update(ctx, func(tx central.Tx) error { return tx.Revoke(central.Revocation{Serial: "S0", RevokedAt: at}) })
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckNumbered(t, s, "S1", "S2", "S3", "S0") // serial order, then the new one
}
