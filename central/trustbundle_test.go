package central_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// TestTrustBundleDeltas: with since, a kiosk gets only the serials revoked
// after its version, signed; a version central does not have, or one too
// far behind, gets the full bundle; a since that is no version is 400.
func TestTrustBundleDeltas(t *testing.T) {
	h := centraltest.StartWith(t, centraltest.Options{Configure: func(cfg *central.Config) { cfg.BundleMaxDelta = 3 }})
	k := h.EnrollKiosk(t, fixture.KioskID)
	fetch := func(since string) *bk.TrustBundle {
		t.Helper()
		if since == "" {
			return fetchBundle(t, h, k, "")
		}
		return fetchBundle(t, h, k, "since="+url.QueryEscape(since))
	}
	empty := fetch("")
	if len(empty.Revoked) != 0 || empty.Revocations.Count != 0 || empty.DeltaFrom != nil {
		t.Fatalf("bundle with nothing revoked = %v at %s; want the empty full list", empty.Revoked, empty.Revocations)
	}
	for _, s := range []string{"S3", "S1", "S2", "S1"} {
		h.Revoke(t, s)
	}
	full := fetch("")
	if !slices.Equal(full.Revoked, []string{"S3", "S1", "S2"}) || full.Revocations.Count != 3 || full.DeltaFrom != nil {
		t.Fatalf("full bundle = %v at %s; want S3 S1 S2 in revocation order", full.Revoked, full.Revocations)
	}
	if d := fetch(empty.Revocations.String()); d.DeltaFrom == nil || !slices.Equal(d.Revoked, full.Revoked) {
		t.Errorf("delta from the empty list = %v from %v; want all three as a delta", d.Revoked, d.DeltaFrom)
	}
	h.Revoke(t, "S4")
	h.Revoke(t, "S5")
	d := fetch(full.Revocations.String())
	if d.DeltaFrom == nil || !d.DeltaFrom.Equal(full.Revocations) || !slices.Equal(d.Revoked, []string{"S4", "S5"}) {
		t.Fatalf("delta since 3 = %v from %v; want S4 S5 from version 3", d.Revoked, d.DeltaFrom)
	}
	next, err := full.Apply(d)
	if err != nil || !slices.Equal(next.Revoked, []string{"S3", "S1", "S2", "S4", "S5"}) {
		t.Errorf("full + delta = %v, %v; want all five", next, err)
	}
	if d := fetch(next.Revocations.String()); d.DeltaFrom == nil || len(d.Revoked) != 0 {
		t.Errorf("delta from the newest version = %v from %v; want an empty delta", d.Revoked, d.DeltaFrom)
	}
	other := (bk.RevocationVersion{}).Add([]string{"X", "Y", "Z"})
	ahead := next.Revocations.Add([]string{"S6"})
	for name, since := range map[string]string{
		"a version of another list":     other.String(),
		"a version central is not at":   ahead.String(),
		"more than BundleMaxDelta back": (bk.RevocationVersion{}).Add([]string{"S3"}).String(),
	} {
		if b := fetch(since); b.DeltaFrom != nil || len(b.Revoked) != 5 {
			t.Errorf("since %s: %d serials, delta from %v; want the full bundle", name, len(b.Revoked), b.DeltaFrom)
		}
	}
	for _, bad := range []string{"x", "3", "3-00", "-1"} {
		status, body := k.Request(t, "GET", "/v1/trust-bundle?since="+url.QueryEscape(bad), nil)
		wantError(t, "since="+bad, status, body, 400, bk.EInvalid)
	}
	status, body := h.Do(t, "POST", "/v1/admin/revocations", "Bearer "+h.OperatorToken, []byte(`{"serial":"S\n7"}`))
	wantError(t, "revoking a serial with a line break", status, body, 400, bk.EInvalid)
}

// TestTrustBundleKeepsUnchangedKioskKeys: a delta for a kiosk that sends the
// digest of central's kiosk list leaves the keys out (the kiosk keeps its
// own); once a kiosk is enrolled, or with another digest, they come whole; a
// kiosks parameter that is no digest is 400.
func TestTrustBundleKeepsUnchangedKioskKeys(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	fetch := func(query string) *bk.TrustBundle { t.Helper(); return fetchBundle(t, h, k, query) }
	query := func(b *bk.TrustBundle) string {
		return url.Values{"since": {b.Revocations.String()}, "kiosks": {hex.EncodeToString(bk.KiosksDigest(b.Kiosks))}}.Encode()
	}
	full := h.TrustBundle(t, k)
	h.Revoke(t, "S1")
	d := fetch(query(full))
	if !d.KiosksUnchanged || d.Kiosks != nil || !bytes.Equal(d.KiosksDigest, bk.KiosksDigest(full.Kiosks)) {
		t.Fatalf("delta with an unchanged kiosk list has kiosks %v (kept %v); want them left out", d.Kiosks, d.KiosksUnchanged)
	}
	next, err := full.Apply(d)
	if err != nil || !slices.Equal(next.Revoked, []string{"S1"}) || len(next.Kiosks) != 1 || next.KiosksUnchanged {
		t.Fatalf("full + delta = %+v, %v; want S1 and the kiosk's own key", next, err)
	}
	other := *full
	other.Kiosks = nil
	if _, err := other.Apply(d); bk.ErrorCode(err) != bk.EConflict {
		t.Errorf("applying a delta that keeps a kiosk list this kiosk lacks: %v; want %s", err, bk.EConflict)
	}

	h.EnrollKiosk(t, "kiosk-2")
	if d := fetch(query(next)); d.KiosksUnchanged || len(d.Kiosks) != 2 || d.DeltaFrom == nil {
		t.Errorf("after an enrolment the delta has kiosks %v (kept %v); want both", d.Kiosks, d.KiosksUnchanged)
	}
	if d := fetch("kiosks=" + hex.EncodeToString(bk.KiosksDigest(next.Kiosks))); d.KiosksUnchanged || d.DeltaFrom != nil {
		t.Errorf("without since the bundle keeps the kiosks (%v) or is a delta (%v); want it whole", d.KiosksUnchanged, d.DeltaFrom)
	}
	for _, bad := range []string{"zz", "abcd"} {
		if status, body := k.Request(t, "GET", "/v1/trust-bundle?since=0&kiosks="+bad, nil); status != 400 {
			t.Errorf("kiosks=%s: %d %s; want 400", bad, status, body)
		}
	}
}

// fetchBundle gets /v1/trust-bundle?query as kiosk k and verifies it.
func fetchBundle(t *testing.T, h *centraltest.Harness, k *centraltest.Kiosk, query string) *bk.TrustBundle {
	t.Helper()
	status, body := k.Request(t, "GET", "/v1/trust-bundle?"+query, nil)
	var sb bk.SignedBundle
	if status != 200 || json.Unmarshal(body, &sb) != nil {
		t.Fatalf("GET ?%s = %d %s", query, status, body)
	}
	b, err := sb.Verify(h.CentralKey)
	if err != nil {
		t.Fatalf("GET ?%s: %v", query, err)
	}
	return b
}
