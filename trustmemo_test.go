package borgerkiosk_test

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// TestTrustBuiltOncePerList: a kiosk asks its bundle for the trust at every
// sign-in; the revoked set is built once per list and reused, and a bundle
// with another list (a delta applied) gets its own set, not the last one.
func TestTrustBuiltOncePerList(t *testing.T) {
	b := testBundle()
	b.Revoked = []string{"A", "B"}
	set := func(tb *bk.TrustBundle) uintptr { return reflect.ValueOf(tb.Trust().Revoked).Pointer() }
	if first := set(b); set(b) != first {
		t.Error("Trust() built the revoked set again for the same list")
	}
	next := *b
	next.Revoked = append(append([]string{}, b.Revoked...), "C")
	if tr := next.Trust(); !tr.Revoked["A"] || !tr.Revoked["C"] || len(tr.Revoked) != 3 {
		t.Errorf("a bundle with another list has revoked %v; want A B C", tr.Revoked)
	}
	if tr := b.Trust(); tr.Revoked["C"] || !tr.Revoked["B"] {
		t.Errorf("the first bundle again has revoked %v; want A B", tr.Revoked)
	}
	if tr := (&bk.TrustBundle{}).Trust(); len(tr.Revoked) != 0 {
		t.Errorf("an empty list gives revoked %v", tr.Revoked)
	}
}

// BenchmarkTrustSignIn is what a kiosk's sign-in asks of the trust bundle
// (Trust, then the card certificate checked), with BK_BENCH_REVOKED
// (1,000,000) revoked serials against an empty list in the same loop, and
// reports the ratio (the goal: ≥ 0.9).
func BenchmarkTrustSignIn(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	iss := fixture.NewIssuer()
	card := iss.Citizen("010150-1234", "Bench")
	at := time.Now()
	empty := &bk.TrustBundle{Issuers: []bk.IssuerKey{iss.PublicKey()}, Revoked: []string{}}
	full := &bk.TrustBundle{Issuers: empty.Issuers, Revoked: make([]string, n)}
	for i := range full.Revoked {
		full.Revoked[i] = fmt.Sprintf("R%09d", i)
	}
	signIn := func(tb *bk.TrustBundle) time.Duration {
		t0 := time.Now()
		if err := tb.Trust().VerifyCertificate(card.Cert, at); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	signIn(full) // the kiosk's first sign-in after a refresh builds the set
	runtime.GC() // not the setup's collection in the loop
	var tEmpty, tFull time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tEmpty += signIn(empty)
		tFull += signIn(full)
	}
	b.ReportMetric(float64(tEmpty.Nanoseconds())/float64(b.N)/1000, "empty-µs")
	b.ReportMetric(float64(tFull.Nanoseconds())/float64(b.N)/1000, "revoked-µs")
	b.ReportMetric(tEmpty.Seconds()/tFull.Seconds(), "empty/revoked")
}
