package sync

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// BenchmarkBundleDelta is the kiosk's side of a trust bundle refresh with
// BK_BENCH_REVOKED (1,000,000) revoked cards: per op, Bundles.Update with a
// delta of 10 new serials (verify, apply, save the list and the bundle)
// and, as the baseline in the same loop, Update with the full bundle (what
// every refresh was before); then LoadBundles (a restart: the saved list
// checked against the signed version).
func BenchmarkBundleDelta(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("BK_BENCH_REVOKED")); err == nil && v > 0 {
		n = v
	} else if testing.Short() {
		n = 10_000
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	pub := key.Public().(ed25519.PublicKey)
	iss := fixture.NewIssuer()
	base := bk.TrustBundle{IssuedAt: time.Now().UTC(), MaxAgeSecs: 3600, Issuers: []bk.IssuerKey{iss.PublicKey()}, Catalogue: *fixture.Catalogue()}
	serials := make([]string, n)
	for i := range serials {
		serials[i] = fmt.Sprintf("R%09d", i)
	}
	sign := func(tb bk.TrustBundle) *bk.SignedBundle {
		sb, err := bk.SignBundle(&tb, key)
		if err != nil {
			b.Fatal(err)
		}
		return sb
	}
	dir := b.TempDir()
	bs := LoadBundles(dir, pub, quietLogger())
	full := base
	full.Revoked = serials
	if _, err := bs.Update(sign(full)); err != nil {
		b.Fatal(err)
	}
	var tDelta, tFull time.Duration
	for i := 0; i < b.N; i++ {
		cur := bs.Bundle()
		added := make([]string, 10)
		for j := range added {
			added[j] = fmt.Sprintf("N%05d-%d", i, j)
		}
		d := base
		d.IssuedAt = cur.IssuedAt.Add(time.Second)
		from := cur.Revocations
		d.Revoked, d.DeltaFrom, d.Revocations = added, &from, from.Add(added)
		sb := sign(d)
		t0 := time.Now()
		if _, err := bs.Update(sb); err != nil {
			b.Fatal(err)
		}
		tDelta += time.Since(t0)

		f := base
		f.IssuedAt = d.IssuedAt.Add(time.Second)
		f.Revoked = bs.Bundle().Revoked
		sb = sign(f)
		other := LoadBundles(b.TempDir(), pub, quietLogger())
		t0 = time.Now()
		if _, err := other.Update(sb); err != nil {
			b.Fatal(err)
		}
		tFull += time.Since(t0)
	}
	t0 := time.Now()
	if got := LoadBundles(dir, pub, quietLogger()).Bundle(); got == nil || len(got.Revoked) != n+10*b.N {
		b.Fatalf("after a restart: %v", got != nil)
	}
	b.ReportMetric(float64(tDelta.Microseconds())/float64(b.N)/1000, "delta-update-ms")
	b.ReportMetric(float64(tFull.Microseconds())/float64(b.N)/1000, "full-update-ms")
	b.ReportMetric(tFull.Seconds()/tDelta.Seconds(), "full/delta")
	b.ReportMetric(float64(time.Since(t0).Milliseconds()), "load-ms")
}
