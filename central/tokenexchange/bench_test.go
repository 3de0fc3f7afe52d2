package tokenexchange_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/central/tokenexchange"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// benchDelegations is how many other people's delegations the store holds.
const benchDelegations = 10_000

// BenchmarkExchangeVsLookup measures, interleaved in one run (the order
// rotating every iteration), the store's point lookup of a delegation by
// id, central's delegation check, and a whole token exchange (subject
// token verification, the check, signing), on Badger and on PostgreSQL
// (internal/pgtest) with benchDelegations other delegations loaded. It reports each one's mean
// and the exchange's ratio to the lookup.
func BenchmarkExchangeVsLookup(b *testing.B) {
	b.Run("badger", func(b *testing.B) { benchExchangeVsLookup(b, newWorld(b)) })
	b.Run("postgres", func(b *testing.B) {
		w := newWorldWith(b, func(cfg *central.Config) {
			st, err := postgres.Open(context.Background(), pgtest.NewSchema(b), postgres.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			cfg.Store = st
		})
		benchExchangeVsLookup(b, w)
	})
}

func benchExchangeVsLookup(b *testing.B, w *world) {
	store := w.h.Server.Store()
	id := w.delegate(b, bk.ScopeGrant{ScopeID: "housing"})
	loadDelegations(b, store, benchDelegations, w.clock.Now())
	svc := w.h.TokenService
	idToken := w.signIn(b, w.idp, cprBo, "nonce-bench")
	f := form(idToken, "housing")
	req, err := tokenexchange.ParseRequest("application/x-www-form-urlencoded", []byte(f.Encode()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, nil)
	payload := mustPayload(b, w.exchangeToken(b, idToken))
	karen, bo := bk.MustParseCPR(cprKaren), bk.MustParseCPR(cprBo)
	steps := []func() error{
		func() error {
			return store.View(ctx, func(tx central.Tx) error { _, err := tx.Delegation(id); return err })
		},
		func() error {
			res, err := w.h.Server.CheckDelegation(ctx, "kobenhavn", &central.DelegationCheck{Principal: karen, Delegate: bo, Scope: "housing", Purpose: "benchmark"})
			if err == nil && !res.Allowed {
				err = fmt.Errorf("check refused")
			}
			return err
		},
		func() error { _, err := svc.Exchange(ctx, "kobenhavn", req); return err },
		// The two public-key operations an exchange cannot skip: verifying
		// the broker's RS256 signature and making central's ES256 one.
		func() error {
			jws, err := jose.ParseSignedCompact(idToken, []jose.SignatureAlgorithm{jose.RS256})
			if err != nil {
				return err
			}
			if _, err := jws.Verify(w.idp.Keypair.PublicKey); err != nil {
				return err
			}
			_, err = signer.Sign(payload)
			return err
		},
	}
	var total [4]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range steps {
			j := (i + k) % len(steps)
			start := time.Now()
			if err := steps[j](); err != nil {
				b.Fatal(err)
			}
			total[j] += time.Since(start)
		}
	}
	n := float64(b.N)
	lookup, check, exchange, crypto := float64(total[0])/n, float64(total[1])/n, float64(total[2])/n, float64(total[3])/n
	b.ReportMetric(crypto, "ns/crypto")
	b.ReportMetric((exchange-crypto)/lookup, "(exchange-crypto)/lookup")
	b.ReportMetric(lookup, "ns/lookup")
	b.ReportMetric(check, "ns/check")
	b.ReportMetric(exchange, "ns/exchange")
	b.ReportMetric(exchange/lookup, "exchange/lookup")
	b.ReportMetric(check/lookup, "check/lookup")
}

// BenchmarkLookupAlone is the point lookup of BenchmarkExchangeVsLookup
// with no exchange in between: with none, no usage record is being
// written while it reads.
func BenchmarkLookupAlone(b *testing.B) {
	w := newWorld(b)
	store := w.h.Server.Store()
	id := w.delegate(b, bk.ScopeGrant{ScopeID: "housing"})
	loadDelegations(b, store, benchDelegations, w.clock.Now())
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := store.View(ctx, func(tx central.Tx) error { _, err := tx.Delegation(id); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

// loadDelegations stores n active delegations between other people.
func loadDelegations(b *testing.B, st central.Store, n int, now time.Time) {
	b.Helper()
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	for start := 0; start < n; start += 1000 {
		err := st.Update(context.Background(), func(tx central.Tx) error {
			for i := start; i < min(start+1000, n); i++ {
				day := birth.AddDate(0, 0, i/10)
				p := bk.MustParseCPR(day.Format("020106") + fmt.Sprintf("-%04d", 1000+i%10))
				d := bk.MustParseCPR(day.Format("020106") + fmt.Sprintf("-%04d", 2000+i%10))
				if err := tx.PutDelegation(&bk.Delegation{
					ID: bk.NewID(now), Principal: p, PrincipalName: "P", Delegate: d, DelegateName: "D",
					Scopes: []bk.ScopeGrant{{ScopeID: "housing"}}, ValidFrom: now.Add(-time.Hour), ValidTo: now.AddDate(1, 0, 0),
					CreatedVia: bk.ViaSelf, CreatedAt: now, State: bk.DelegationActive, ChangedAt: now,
				}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// exchangeToken is one access token for Karen's housing affairs.
func (w *world) exchangeToken(b testing.TB, idToken string) string {
	b.Helper()
	a := w.exchange(b, "kobenhavn", w.h.AuthorityTokens["kobenhavn"], form(idToken, "housing"))
	if a.AccessToken == "" {
		b.Fatalf("exchange = %d %+v", a.Status, a.Error)
	}
	return a.AccessToken
}
