package postgres_test

import (
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/storetest"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
)

// TestRevocationsNumberedOnOpen: the revocations of a database from before
// they were numbered (seq NULL, no seq or chain in doc) are numbered on the
// next Open, in serial order, each with the digest of the list up to it,
// and new ones follow on.
func TestRevocationsNumberedOnOpen(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	s := MustOpenDSN(t, dsn)
	at := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx central.Tx) error {
		for _, serial := range []string{"S2", "S3", "S1"} {
			if err := tx.Revoke(central.Revocation{Serial: serial, RevokedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	conn := connect(t, dsn)
	for _, sql := range []string{
		`UPDATE revocations SET seq = NULL, doc = json_build_object('serial', serial, 'revoked_at', '2025-03-14T09:30:00Z')`,
		`UPDATE revocation_last SET seq = 0, chain = ''`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	s = MustOpenDSN(t, dsn)
	if err := s.Update(ctx, func(tx central.Tx) error { return tx.Revoke(central.Revocation{Serial: "S0", RevokedAt: at}) }); err != nil {
		t.Fatal(err)
	}
	storetest.CheckNumbered(t, s, "S1", "S2", "S3", "S0") // serial order, then the new one
}
