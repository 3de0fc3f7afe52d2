package borgerkiosk_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestRevocationVersionString(t *testing.T) {
	for _, v := range []bk.RevocationVersion{{}, bk.RevocationVersion{}.Add([]string{"A"}), bk.RevocationVersion{}.Add([]string{"A", "B", "C"})} {
		got, err := bk.ParseRevocationVersion(v.String())
		if err != nil || !got.Equal(v) {
			t.Errorf("ParseRevocationVersion(%s) = %s, %v; want it back", v, got, err)
		}
	}
	good := bk.RevocationVersion{}.Add([]string{"A"}).String()
	for _, bad := range []string{"", "1", "-", "x-" + good[2:], "0-" + good[2:], "1-" + good[2:10], "1-zz" + good[4:], good + "00", "-1-" + good[2:]} {
		if _, err := bk.ParseRevocationVersion(bad); bk.ErrorCode(err) != bk.EInvalid {
			t.Errorf("ParseRevocationVersion(%q) = %v; want invalid", bad, err)
		}
	}
	if (bk.RevocationVersion{}).Add([]string{"AB", "C"}).Equal((bk.RevocationVersion{}).Add([]string{"A", "BC"})) {
		t.Error("two lists of the same bytes split differently have one version")
	}
}

// TestTrustBundleDelta: a delta central signed applies only to the list it
// follows, only as it was signed: a delta for another list (replayed, or
// the kiosk is behind), one that drops or swaps a serial, or a full bundle
// whose list is not its version is refused, and the kiosk keeps its list.
func TestTrustBundleDelta(t *testing.T) {
	central := seededKey(5)
	pub := central.Public().(ed25519.PublicKey)
	sign := func(b *bk.TrustBundle) *bk.TrustBundle {
		t.Helper()
		s, err := bk.SignBundle(b, central)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Verify(pub)
		if err != nil {
			t.Fatalf("Verify = %v", err)
		}
		return got
	}
	base := testBundle()
	base.Revoked = []string{"A", "B"}
	cur := sign(base)
	delta := func(from bk.RevocationVersion, added []string, to bk.RevocationVersion) *bk.TrustBundle {
		d := testBundle()
		d.IssuedAt = base.IssuedAt.Add(time.Minute)
		d.Revoked, d.DeltaFrom, d.Revocations = added, &from, to
		return sign(d)
	}
	v2 := cur.Revocations
	v4 := v2.Add([]string{"C", "D"})
	next, err := cur.Apply(delta(v2, []string{"C", "D"}, v4))
	if err != nil {
		t.Fatalf("Apply(delta) = %v", err)
	}
	if len(next.Revoked) != 4 || next.Revoked[3] != "D" || !next.Revocations.Equal(v4) || next.DeltaFrom != nil {
		t.Errorf("after the delta: %v at %s; want A B C D at %s, no longer a delta", next.Revoked, next.Revocations, v4)
	}
	if !next.Trust().Revoked["C"] || !next.Trust().Revoked["A"] {
		t.Error("the applied bundle's trust misses a revoked serial")
	}
	for _, tc := range []struct {
		name string
		d    *bk.TrustBundle
		code string
	}{
		{"replayed onto a later list", delta(v2, []string{"C", "D"}, v4), bk.EConflict},
		{"from a list the kiosk does not have", delta(v2.Add([]string{"X"}), []string{"C"}, v2.Add([]string{"X", "C"})), bk.EConflict},
		{"dropping a serial it names", delta(v4, []string{"E"}, v4.Add([]string{"E", "F"})), bk.EInvalid},
		{"swapping a serial", delta(v4, []string{"E", "G"}, v4.Add([]string{"E", "F"})), bk.EInvalid},
	} {
		got, err := next.Apply(tc.d)
		if bk.ErrorCode(err) != tc.code || got != nil {
			t.Errorf("Apply(delta %s) = %v, %v; want %s", tc.name, got != nil, err, tc.code)
		}
	}
	if len(next.Revoked) != 4 {
		t.Errorf("a refused delta changed the list to %v", next.Revoked)
	}
	// A full bundle whose list does not match the version it was signed
	// with: sign the bytes as they are, bypassing SignBundle's own version.
	lying := testBundle()
	lying.Revoked, lying.Revocations = []string{"A"}, v2
	raw, _ := json.Marshal(lying)
	if _, err := signRaw(raw, central).Verify(pub); bk.ErrorCode(err) != bk.EInvalid {
		t.Errorf("Verify(full bundle with another list's version) = %v; want invalid", err)
	}
	// A full bundle from before versions (a kiosk saved it before the
	// upgrade) names none: it gets its list's.
	legacy := testBundle()
	legacy.Revoked, legacy.Revocations = []string{"A", "B"}, bk.RevocationVersion{}
	raw, _ = json.Marshal(legacy)
	raw = []byte(strings.Replace(string(raw), `"revocations":{"count":0},`, "", 1))
	if strings.Contains(string(raw), `"revocations"`) {
		t.Fatalf("the legacy bundle still names a version: %s", raw)
	}
	if got, err := signRaw(raw, central).Verify(pub); err != nil || !got.Revocations.Equal(v2) {
		t.Errorf("Verify(full bundle without a version) = %v; want it with its list's version %s", err, v2)
	}
}
