package central_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/demo"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
)

// TestMain stops the private PostgreSQL cluster the benchmarks may start.
func TestMain(m *testing.M) { pgtest.Main(m) }

// The benchmarks' sizes and people, shared with central/tokenexchange's.
var benchSize, benchCPR = centraltest.BenchSize, centraltest.BenchCPR

// benchStores open a fresh store of each kind, closed by the benchmark.
var benchStores = []struct {
	name string
	open func(b *testing.B) central.Store
}{
	{"badger", func(b *testing.B) central.Store {
		s, err := badgerstore.Open(b.TempDir(), badgerstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}},
	{"postgres", func(b *testing.B) central.Store {
		s, err := postgres.Open(context.Background(), pgtest.NewSchema(b), postgres.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}},
}

// BenchmarkChecks measures the consent check and the delegation check (the
// registry methods the HTTP handlers call, usage recording included) on
// both stores with 100,000 delegations and 1,000,000 consents, against the
// store's own point lookup of one record in the same run. Each iteration
// runs every step once, in an order that rotates, on random loaded
// records, so drifting load hits all alike. The ratios are the figures;
// docs/benchmarks.md has the command and the results.
//
// "sync-record" is what recording synchronously would cost instead: one
// Update that writes one usage record. The queued records still being
// written when the loop ends are flushed, and that time is counted in the
// checks.
func BenchmarkChecks(b *testing.B) {
	consents := benchSize("BK_BENCH_CONSENTS", 1_000_000)
	delegations := benchSize("BK_BENCH_DELEGATIONS", 100_000)
	stores := benchStores
	rounds := benchSize("BK_BENCH_ROUNDS", 3)
	if testing.Short() {
		rounds = 1
	}
	cat, err := demo.Catalogue()
	if err != nil {
		b.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	// One load per store, then several rounds of the interleaved loop (a
	// sub-benchmark runs its function more than once, and -count would
	// load again).
	for _, sc := range stores {
		st := sc.open(b)
		now := time.Now()
		data := centraltest.LoadBench(b, st, consents, delegations, now)
		srv, err := central.New(central.Config{Store: st, Key: key, Catalogue: cat, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		for round := 1; round <= rounds; round++ {
			b.Run(fmt.Sprintf("%s/round-%d", sc.name, round), func(b *testing.B) {
				benchRound(b, st, srv, data, now)
			})
		}
		srv.Close()
		st.Close()
	}
}

// benchRound is one interleaved run of the steps BenchmarkChecks measures.
func benchRound(b *testing.B, st central.Store, srv *central.Server, data *centraltest.BenchData, now time.Time) {
	ctx := context.Background()
	rng := mrand.New(mrand.NewPCG(uint64(b.N), 2))
	var consent *bk.Consent
	var deleg *bk.Delegation
	steps := []func() error{
		func() error { // point lookup of a consent
			return st.View(ctx, func(tx central.Tx) error { _, err := tx.Consent(consent.ID); return err })
		},
		func() error { // point lookup of a delegation
			return st.View(ctx, func(tx central.Tx) error { _, err := tx.Delegation(deleg.ID); return err })
		},
		func() error {
			res, err := srv.CheckConsent(ctx, consent.AuthorityID, &bk.ConsentCheck{CPR: consent.CPR, DataCategory: consent.DataCategories[0], Purpose: "Benchmark"})
			if err == nil && !res.Allowed {
				err = fmt.Errorf("consent check of %s refused", consent.ID)
			}
			return err
		},
		func() error {
			res, err := srv.CheckDelegation(ctx, "skat", &central.DelegationCheck{Principal: deleg.Principal, Delegate: deleg.Delegate, Scope: "tax", Purpose: "Benchmark"})
			if err == nil && !res.Allowed {
				err = fmt.Errorf("delegation check of %s refused", deleg.ID)
			}
			return err
		},
		func() error { // the consent lookup again, with no usage write in flight (see below)
			return st.View(ctx, func(tx central.Tx) error { _, err := tx.Consent(consent.ID); return err })
		},
		func() error { // what a synchronous usage record would add
			r := &bk.UsageRecord{ID: bk.NewID(now), At: now, Kind: bk.UsageConsentCheck, Authority: "skat", DataCategory: "tax", Purpose: "Benchmark", Answer: bk.UsageAllowed}
			return st.Update(ctx, func(tx central.Tx) error {
				return tx.PutUsage([]central.UsageEntry{{Record: r, Principal: consent.CPR}})
			})
		},
	}
	const quiet, syncStep = 4, 5
	var total [6]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		consent = data.Consents[rng.IntN(len(data.Consents))]
		deleg = data.Delegations[rng.IntN(len(data.Delegations))]
		for k := range steps {
			j := (i + k) % len(steps)
			if j == quiet {
				// Badger's read transactions wait for commits in flight
				// (oracle.readTs: txnMark.WaitForMark), so a lookup right
				// after a check can wait for that check's group commit;
				// this one is taken with none in flight.
				if err := srv.FlushUsage(ctx); err != nil {
					b.Fatal(err)
				}
			}
			start := time.Now()
			if err := steps[j](); err != nil {
				b.Fatal(err)
			}
			total[j] += time.Since(start)
		}
	}
	start := time.Now()
	if err := srv.FlushUsage(ctx); err != nil {
		b.Fatal(err)
	}
	flush := time.Since(start)
	b.StopTimer()
	n := float64(b.N)
	lookupC, lookupD := float64(total[0])/n, float64(total[1])/n
	checkC := (float64(total[2]) + float64(flush)/2) / n
	checkD := (float64(total[3]) + float64(flush)/2) / n
	quietC := float64(total[quiet]) / n
	syncRec := float64(total[syncStep]) / n
	b.ReportMetric(lookupC, "ns/consent-lookup")
	b.ReportMetric(lookupD, "ns/delegation-lookup")
	b.ReportMetric(checkC, "ns/consent-check")
	b.ReportMetric(checkD, "ns/delegation-check")
	b.ReportMetric(syncRec, "ns/sync-record")
	b.ReportMetric(quietC, "ns/quiet-consent-lookup")
	b.ReportMetric(checkC/quietC, "consent-check/quiet-lookup")
	b.ReportMetric(checkD/quietC, "delegation-check/quiet-lookup")
	b.ReportMetric(checkC/lookupC, "consent-check/lookup")
	b.ReportMetric(checkD/lookupD, "delegation-check/lookup")
	b.ReportMetric((quietC+syncRec)/quietC, "sync-recorded-lookup/quiet-lookup")
}
