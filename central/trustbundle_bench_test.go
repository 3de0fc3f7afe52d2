package central_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// BenchmarkTrustBundle loads BK_BENCH_REVOKED (1,000,000) revocations and
// BK_BENCH_KIOSKS (1,000) enrolled kiosks into each store, then per op revokes 10 more cards through central and builds,
// signs and encodes the bundle a kiosk at the version before them fetches
// (the delta) and, in the same loop, the full bundle (the baseline: what
// every kiosk fetched before). It reports sizes, times and their ratios.
func BenchmarkTrustBundle(b *testing.B) {
	n := revokedCount()
	kiosks := benchSize("BK_BENCH_KIOSKS", 1000)
	list := benchRevocations(n)
	iss := fixture.NewIssuer()
	ctx := context.Background()
	for _, sc := range benchStores {
		st := sc.open(b)
		start := time.Now()
		for from := 0; from < n; from += 100_000 {
			part := list[from:min(from+100_000, n)]
			var err error
			switch s := st.(type) {
			case *badgerstore.Store:
				err = s.LoadRevocations(part)
			case *postgres.Store:
				err = s.LoadRevocations(ctx, part)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		err := st.Update(ctx, func(tx central.Tx) error {
			for i := range kiosks {
				pub, _, _ := ed25519.GenerateKey(nil)
				if err := tx.PutKiosk(&central.Kiosk{ID: fmt.Sprintf("kiosk-%04d", i), Site: "bench", PublicKey: pub, EnrolledAt: time.Now()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: loaded %d revocations and %d kiosks in %v", sc.name, n, kiosks, time.Since(start).Round(time.Millisecond))
		srv := ingestServer(b, st, iss)
		build := func(since *bk.RevocationVersion, kiosks []byte) (int, time.Duration, *bk.TrustBundle) {
			t0 := time.Now()
			sb, err := srv.TrustBundle(ctx, since, kiosks)
			if err != nil {
				b.Fatal(err)
			}
			raw, err := json.Marshal(sb)
			d := time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
			tb, err := sb.Verify(srv.PublicKey())
			if err != nil {
				b.Fatal(err)
			}
			return len(raw), d, tb
		}
		_, _, cur := build(nil, nil)
		next := n
		b.Run(sc.name, func(b *testing.B) {
			var tRevoke, tDelta, tFull time.Duration
			var deltaBytes, withKiosksBytes, fullBytes int
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				for range 10 {
					if _, err := srv.Revoke(ctx, fmt.Sprintf("R%09d", next)); err != nil {
						b.Fatal(err)
					}
					next++
				}
				tRevoke += time.Since(t0)
				since := cur.Revocations
				size, d, delta := build(&since, bk.KiosksDigest(cur.Kiosks))
				tDelta += d
				deltaBytes = size
				if delta.DeltaFrom == nil || len(delta.Revoked) != 10 || !delta.KiosksUnchanged {
					b.Fatalf("delta = %d serials from %v, kiosks kept %v; want 10 from the kiosk's version, kiosks kept", len(delta.Revoked), delta.DeltaFrom, delta.KiosksUnchanged)
				}
				withKiosksBytes, _, _ = build(&since, nil) // a kiosk that sends no digest
				size, d, cur = build(nil, nil)
				tFull += d
				fullBytes = size
			}
			b.ReportMetric(float64(deltaBytes), "delta-bytes")
			b.ReportMetric(float64(withKiosksBytes), "delta-with-kiosks-bytes")
			b.ReportMetric(float64(fullBytes), "full-bytes")
			b.ReportMetric(float64(tDelta.Microseconds())/float64(b.N)/1000, "delta-ms")
			b.ReportMetric(float64(tFull.Microseconds())/float64(b.N)/1000, "full-ms")
			b.ReportMetric(tFull.Seconds()/tDelta.Seconds(), "full/delta")
			b.ReportMetric(float64(tRevoke.Microseconds())/float64(b.N*10)/1000, "revoke-ms")
		})
		st.Close()
	}
}
