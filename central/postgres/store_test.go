package postgres_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/jackc/pgx/v5"

	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/central/storetest"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
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

var ctx = context.Background()

var t0 = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func consent(cpr string, purpose string) *bk.Consent {
	return bk.NewConsent(bk.NewID(t0), "sundhed", &bk.ConsentRequest{
		CPR: bk.MustParseCPR(cpr), Purpose: bk.Text{DA: purpose, EN: purpose}, DataCategories: []string{"health"},
		LegalBasis: bk.Text{DA: "Samtykke", EN: "Consent"}, ValidDays: 365,
	}, t0)
}

// Reopening finds the tables, the records and the same CPR index key (a
// new key would lose every CPR lookup), and applies no migration twice.
func TestReopen(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	c := consent("010190-1234", "Formål")
	for i := range 2 {
		s, err := postgres.Open(ctx, dsn, postgres.Options{})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if i == 0 {
			if err := s.Update(ctx, func(tx central.Tx) error { return tx.PutConsent(c) }); err != nil {
				t.Fatal(err)
			}
		}
		err = s.View(ctx, func(tx central.Tx) error {
			cs, err := tx.ConsentsByCPR(c.CPR)
			if err != nil {
				return err
			}
			if len(cs) != 1 || cs[0].ID != c.ID {
				t.Errorf("open %d: ConsentsByCPR = %d consents; want the one stored", i, len(cs))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	conn := connect(t, dsn)
	var versions int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM schema_version").Scan(&versions); err != nil || versions != postgres.SchemaVersions {
		t.Errorf("schema_version rows after two opens = %d, %v; want %d", versions, err, postgres.SchemaVersions)
	}
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

// Central processes starting at once on a new database all get the same
// schema and index key.
func TestConcurrentOpen(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	const n = 4
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(ctx, dsn, postgres.Options{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	c := consent("010190-1234", "Formål")
	if err := stores[0].Update(ctx, func(tx central.Tx) error { return tx.PutConsent(c) }); err != nil {
		t.Fatal(err)
	}
	for i, s := range stores {
		s.View(ctx, func(tx central.Tx) error {
			cs, err := tx.ConsentsByCPR(c.CPR)
			if err != nil || len(cs) != 1 {
				t.Errorf("store %d: ConsentsByCPR = %d, %v; want 1 consent (same index key)", i, len(cs), err)
			}
			return nil
		})
	}
}

// A database from a newer central is refused, not written to.
func TestNewerSchemaRefused(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	s := MustOpenDSN(t, dsn)
	s.Close()
	if _, err := connect(t, dsn).Exec(ctx, "INSERT INTO schema_version VALUES (99)"); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.Open(ctx, dsn, postgres.Options{})
	if err == nil || !strings.Contains(err.Error(), "schema version 99") {
		t.Errorf("Open of a version 99 schema = %v; want a refusal naming the version", err)
	}
}

func MustOpenDSN(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(ctx, dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Bad DSNs and unreachable servers give errors that say so, never a panic,
// and never echo the password.
func TestOpenErrors(t *testing.T) {
	for _, c := range []struct{ name, dsn, want string }{
		{"syntax", "host=127.0.0.1 port=notaport password=hunter2", "bad DSN"},
		{"bad url", "postgres://u:hunter2@[::1", "bad DSN"},
		{"refused", "host=127.0.0.1 port=1 user=x password=hunter2 dbname=bk connect_timeout=5", "connect to database \"bk\" on 127.0.0.1:1"},
	} {
		s, err := postgres.Open(ctx, c.dsn, postgres.Options{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%s) = %v; want an error with %q and no password", c.name, err, c.want)
		}
	}
}

// The index columns hold no CPR number, not even its plain SHA-256 (which
// anyone could compute for every date and serial).
func TestIndexHidesCPR(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	s := MustOpenDSN(t, dsn)
	c := consent("010190-1234", "Formål")
	d := &bk.Delegation{ID: bk.NewID(t0), Principal: c.CPR, Delegate: bk.MustParseCPR("020285-4321"),
		Scopes: []bk.ScopeGrant{{ScopeID: "tax"}}, ValidFrom: t0, ValidTo: t0.AddDate(1, 0, 0), CreatedAt: t0, ChangedAt: t0}
	err := s.Update(ctx, func(tx central.Tx) error {
		if err := tx.PutConsent(c); err != nil {
			return err
		}
		return tx.PutDelegation(d)
	})
	if err != nil {
		t.Fatal(err)
	}
	var dump string
	err = connect(t, dsn).QueryRow(ctx, `SELECT c.id || c.authority_id || encode(c.cpr_hash, 'hex') || encode(d.principal_hash, 'hex') || encode(d.delegate_hash, 'hex')
		FROM consents c, delegations d`).Scan(&dump)
	if err != nil {
		t.Fatal(err)
	}
	for _, cpr := range []bk.CPR{d.Principal, d.Delegate} {
		plain := sha256.Sum256([]byte(cpr.Digits()))
		if strings.Contains(dump, cpr.Digits()) || strings.Contains(dump, hex.EncodeToString(plain[:])) {
			t.Errorf("index columns reveal %s", cpr.Masked())
		}
	}
}

// Text the jsonb type refuses (a NUL character) is kept as it was given.
func TestNULInText(t *testing.T) {
	s := MustOpen(t, postgres.Options{})
	c := consent("010190-1234", "før\x00efter")
	if err := s.Update(ctx, func(tx central.Tx) error { return tx.PutConsent(c) }); err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx central.Tx) error {
		got, err := tx.Consent(c.ID)
		if err != nil || got.Purpose.DA != c.Purpose.DA {
			t.Errorf("Consent purpose = %q, %v; want %q", got.Purpose.DA, err, c.Purpose.DA)
		}
		return nil
	})
}

// Sequence numbers above the bigint column's range are refused clearly.
func TestHugeSeq(t *testing.T) {
	s := MustOpen(t, postgres.Options{})
	err := s.Update(ctx, func(tx central.Tx) error { return tx.SetPushCursor("k", "i", math.MaxUint64) })
	if bk.ErrorCode(err) != bk.EInvalid {
		t.Errorf("SetPushCursor(2^64-1) = %v; want %s", err, bk.EInvalid)
	}
	s.View(ctx, func(tx central.Tx) error {
		if _, err := tx.ActionAt("k", "i", math.MaxUint64); bk.ErrorCode(err) != bk.ENotFound {
			t.Errorf("ActionAt(2^64-1) = %v; want %s", err, bk.ENotFound)
		}
		return nil
	})
}

// Update returns fn's own error value, and re-runs fn (only) when
// PostgreSQL reports a serialization failure, even one fn swallowed.
func TestUpdateErrorsAndRetries(t *testing.T) {
	s := MustOpen(t, postgres.Options{})
	boom := errors.New("boom")
	calls := 0
	if err := s.Update(ctx, func(central.Tx) error { calls++; return boom }); err != boom || calls != 1 {
		t.Errorf("Update(fn returning boom) = %v after %d calls; want boom after 1", err, calls)
	}

	// Two transactions each read the cursor the other writes: PostgreSQL
	// must fail one of them; Update re-runs it and both increments land.
	if err := s.Update(ctx, func(tx central.Tx) error { return tx.SetPushCursor("k", "a", 1) }); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	runs := 0
	inside := make(chan struct{}, 2)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for _, pair := range [][2]string{{"a", "b"}, {"b", "a"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			err := s.Update(ctx, func(tx central.Tx) error {
				mu.Lock()
				runs++
				mu.Unlock()
				n, err := tx.PushCursor("k", pair[0])
				if err != nil {
					return err
				}
				if first {
					first = false
					inside <- struct{}{}
					<-release
				}
				tx.SetPushCursor("k", pair[1], n+10) // error swallowed on purpose
				return nil
			})
			if err != nil {
				t.Errorf("Update: %v", err)
			}
		}()
	}
	<-inside
	<-inside
	close(release)
	wg.Wait()
	if runs < 3 {
		t.Errorf("fn ran %d times for two write-skewed transactions; want a re-run", runs)
	}
	s.View(ctx, func(tx central.Tx) error {
		a, _ := tx.PushCursor("k", "a")
		b, _ := tx.PushCursor("k", "b")
		// From a=1, b=0, the two serial orders give (21, 11) or (10, 20).
		if !(a == 21 && b == 11) && !(a == 10 && b == 20) {
			t.Errorf("cursors a=%d b=%d; want (21, 11) or (10, 20), the result of a serial order", a, b)
		}
		return nil
	})
}

// A nonce is forgotten a minute after it expires, as in badgerstore, and
// the sweeper deletes such rows.
func TestNonceExpiry(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	s, err := postgres.Open(ctx, dsn, postgres.Options{NonceSweep: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := &central.Nonce{Value: []byte("old"), Kiosk: "k", ExpiresAt: time.Now().Add(-2 * time.Minute).UTC()}
	live := &central.Nonce{Value: []byte("live"), Kiosk: "k", ExpiresAt: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
	err = s.Update(ctx, func(tx central.Tx) error {
		if err := tx.PutNonce(old); err != nil {
			return err
		}
		return tx.PutNonce(live)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx central.Tx) error {
		if _, err := tx.Nonce(old.Value); bk.ErrorCode(err) != bk.ENotFound {
			t.Errorf("Nonce(expired 2 minutes ago) = %v; want %s", err, bk.ENotFound)
		}
		if err := tx.DeleteNonce(old.Value); bk.ErrorCode(err) != bk.ENotFound {
			t.Errorf("DeleteNonce(expired 2 minutes ago) = %v; want %s", err, bk.ENotFound)
		}
		// An expired value may be stored again.
		return tx.PutNonce(old)
	})
	if err != nil {
		t.Errorf("PutNonce over an expired nonce: %v", err)
	}
	conn := connect(t, dsn)
	testtool.Until(t, "the sweep to delete the expired nonce", func() bool {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM nonces WHERE value = 'old'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
	s.View(ctx, func(tx central.Tx) error {
		if got, err := tx.Nonce(live.Value); err != nil || got.Kiosk != "k" {
			t.Errorf("Nonce(live) after sweeps = %+v, %v; want it kept", got, err)
		}
		return nil
	})
}

// After Close every use is an error, not a panic or a hang.
func TestClosed(t *testing.T) {
	s := MustOpen(t, postgres.Options{})
	s.Close()
	if err := s.Update(ctx, func(central.Tx) error { return nil }); err == nil {
		t.Error("Update after Close = nil; want an error")
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping after Close = nil; want an error")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// The usage log's rows hold no CPR number, neither in the key column nor
// in the document.
func TestUsageHidesCPR(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	s := MustOpenDSN(t, dsn)
	rec := &bk.UsageRecord{ID: bk.NewID(t0), At: t0, Kind: bk.UsageDelegationCheck, Authority: "skat", Scope: "tax",
		Purpose: "marker-7f3a", Answer: bk.UsageAllowed, DelegateName: "Bo Berg"}
	principal, delegate := bk.MustParseCPR("010190-1234"), bk.MustParseCPR("020285-4321")
	err := s.Update(ctx, func(tx central.Tx) error {
		return tx.PutUsage([]central.UsageEntry{{Record: rec, Principal: principal, Delegate: delegate}})
	})
	if err != nil {
		t.Fatal(err)
	}
	var dump string
	err = connect(t, dsn).QueryRow(ctx, `SELECT string_agg(encode(cpr_hash, 'hex') || id || doc::text, ' ') FROM usage_log`).Scan(&dump)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(dump, "marker-7f3a") != 2 {
		t.Fatalf("usage_log rows = %q; want the record twice (principal and delegate)", dump)
	}
	for _, cpr := range []bk.CPR{principal, delegate} {
		plain := sha256.Sum256([]byte(cpr.Digits()))
		if strings.Contains(dump, cpr.Digits()) || strings.Contains(dump, cpr.Digits()[:6]+"-") || strings.Contains(dump, hex.EncodeToString(plain[:])) {
			t.Errorf("usage_log reveals %s", cpr.Masked())
		}
	}
}
