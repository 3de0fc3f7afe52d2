package postgres_test

import (
	"context"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/central/storetest"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
)

// TestMain stops the private PostgreSQL cluster that pgtest starts for
// these tests when BK_POSTGRES_DSN is not set (see internal/pgtest).
func TestMain(m *testing.M) { pgtest.Main(m) }

// MustOpen opens a store in a fresh schema, closed at cleanup.
func MustOpen(tb testing.TB, opt postgres.Options) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), pgtest.NewSchema(tb), opt)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store { return MustOpen(t, postgres.Options{}) })
}
