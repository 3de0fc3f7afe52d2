package tokenexchange_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/central/tokenexchange"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// benchLoad is what the store holds besides the benchmark's own people:
// the 100,000 delegations and 1,000,000 consents (a hundredth
// under -short; BK_BENCH_DELEGATIONS and BK_BENCH_CONSENTS change them).
func benchLoad() (consents, delegations int) {
	return centraltest.BenchSize("BK_BENCH_CONSENTS", 1_000_000), centraltest.BenchSize("BK_BENCH_DELEGATIONS", 100_000)
}

// benchPairs is how many loaded delegations the exchanges pick from, each
// delegate signed in at the broker once beforehand.
const benchPairs = 64

// BenchmarkExchangeVsLookup measures, interleaved in one run (the order
// rotating every iteration), the store's point lookup of a delegation by
// id, central's delegation check, a whole token exchange (subject token
// verification, the check, signing, the usage record queued) and the two
// signatures alone, on Badger and on PostgreSQL (internal/pgtest) with
// benchLoad's delegations and consents loaded. Each iteration picks one of
// benchPairs loaded delegations at random. It reports each step's mean and
// the ratios to the lookup; the usage records still queued at the end are
// flushed and that time counted in the check and the exchange.
func BenchmarkExchangeVsLookup(b *testing.B) {
	// One load per store, then several rounds (a sub-benchmark runs its
	// function more than once, and -count would load again).
	rounds := centraltest.BenchSize("BK_BENCH_ROUNDS", 3)
	if testing.Short() {
		rounds = 1
	}
	for _, store := range []string{"badger", "postgres"} {
		var configure func(*central.Config)
		if store == "postgres" {
			configure = func(cfg *central.Config) {
				st, err := postgres.Open(context.Background(), pgtest.NewSchema(b), postgres.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { st.Close() })
				cfg.Store = st
			}
		}
		w := newWorldWith(b, configure)
		pairs := loadPairs(b, w)
		for round := 1; round <= rounds; round++ {
			b.Run(fmt.Sprintf("%s/round-%d", store, round), func(b *testing.B) { benchExchangeVsLookup(b, w, pairs) })
		}
	}
}

// benchPair is a loaded delegation and the parsed exchange request of a
// service its delegate signed in to.
type benchPair struct {
	d   *bk.Delegation
	req *tokenexchange.Request
}

// loadPairs loads benchLoad's consents and delegations into w's store and
// signs the delegates of benchPairs of the delegations in at the broker.
func loadPairs(b *testing.B, w *world) []benchPair {
	consents, delegations := benchLoad()
	data := centraltest.LoadBench(b, w.h.Server.Store(), consents, delegations, w.clock.Now())
	rng := mrand.New(mrand.NewPCG(1, 2))
	var pairs []benchPair
	for i := range benchPairs {
		d := data.Delegations[rng.IntN(len(data.Delegations))]
		f := form(w.signIn(b, w.idp, d.Delegate.Full(), fmt.Sprintf("nonce-bench-%d", i)), "housing")
		f.Set("principal", d.Principal.Full())
		req, err := tokenexchange.ParseRequest("application/x-www-form-urlencoded", []byte(f.Encode()))
		if err != nil {
			b.Fatal(err)
		}
		pairs = append(pairs, benchPair{d: d, req: req})
	}
	return pairs
}

func benchExchangeVsLookup(b *testing.B, w *world, pairs []benchPair) {
	store, srv, svc := w.h.Server.Store(), w.h.Server, w.h.TokenService
	first := pairs[0]
	idToken := first.req.SubjectToken
	ctx := context.Background()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, nil)
	a, err := svc.Exchange(ctx, "kobenhavn", first.req)
	if err != nil {
		b.Fatal(err)
	}
	payload := mustPayload(b, a.AccessToken)
	var p benchPair
	steps := []func() error{
		func() error {
			return store.View(ctx, func(tx central.Tx) error { _, err := tx.Delegation(p.d.ID); return err })
		},
		func() error {
			res, err := srv.CheckDelegation(ctx, "kobenhavn", &central.DelegationCheck{Principal: p.d.Principal, Delegate: p.d.Delegate, Scope: "housing", Purpose: "benchmark"})
			if err == nil && !res.Allowed {
				err = fmt.Errorf("check of %s refused", p.d.ID)
			}
			return err
		},
		func() error { _, err := svc.Exchange(ctx, "kobenhavn", p.req); return err },
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
	rng := mrand.New(mrand.NewPCG(uint64(b.N), 3))
	var total [4]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p = pairs[rng.IntN(len(pairs))]
		for k := range steps {
			j := (i + k) % len(steps)
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
	lookup, crypto := float64(total[0])/n, float64(total[3])/n
	check := (float64(total[1]) + float64(flush)/2) / n
	exchange := (float64(total[2]) + float64(flush)/2) / n
	b.ReportMetric(crypto, "ns/crypto")
	b.ReportMetric((exchange-crypto)/lookup, "(exchange-crypto)/lookup")
	b.ReportMetric(lookup, "ns/lookup")
	b.ReportMetric(check, "ns/check")
	b.ReportMetric(exchange, "ns/exchange")
	b.ReportMetric(exchange/lookup, "exchange/lookup")
	b.ReportMetric(check/lookup, "check/lookup")
}
