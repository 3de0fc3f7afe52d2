package handover

import (
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk"
)

// FuzzVerify feeds Verify arbitrary text. It must never panic, must refuse
// with one of the package's codes, and anything it accepts must satisfy the
// format's limits. The corpus in testdata/fuzz/FuzzVerify holds valid codes in
// every form, so the fuzzer starts from inputs that reach the signature and
// claims checks.
func FuzzVerify(f *testing.F) {
	c := typicalClaims()
	c.TokenID = []byte("12345678")
	code := mustIssue(f, c)
	url, _ := URL(testBase, code)
	compact, _ := IssueCompact(c, delegateCPR, testKID, testKey)
	compactURL, _ := URL(testBase, compact)
	for _, s := range []string{code, url, compact, compactURL, "BK1:BB8", "BK2:00", "", "https://borgerkiosk.dk/H/%25"} {
		f.Add(s)
	}
	now := testIssued.Add(time.Hour)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Verify(s, testKeys, now)
		if err != nil {
			switch borgerkiosk.ErrorCode(err) {
			case EMalformed, EUnknownKey, EBadSignature, EExpired, ENotYetValid:
			default:
				t.Fatalf("Verify(%q) error %v has no handover code", s, err)
			}
			return
		}
		if got.KeyID != testKID || len(got.DelegationID) != 36 || !got.HasBinding() ||
			(len(got.Scopes) == 0) != got.Compact || !now.Before(got.ExpiresAt) {
			t.Fatalf("Verify(%q) accepted %+v", s, got)
		}
	})
}
