package sync

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
)

// savedBundle reads the signed bundle the kiosk saved, as central signed it.
func savedBundle(t *testing.T, k *kioskRig) *bk.TrustBundle {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(k.dir, "state", bundleFileName))
	if err != nil {
		t.Fatal(err)
	}
	var sb bk.SignedBundle
	if err := json.Unmarshal(raw, &sb); err != nil {
		t.Fatal(err)
	}
	b, err := sb.Verify(k.id.CentralKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBundleDeltas: against the real central, the kiosk's refresh fetches
// the full bundle first, then only the revocations added since, keeps the
// whole list on disk across a restart, refuses a copy of the list that lost
// a serial, refuses a replayed delta without losing anything, and takes the
// full bundle when central finds it too far behind.
func TestBundleDeltas(t *testing.T) {
	h := centraltest.StartWith(t, centraltest.Options{Configure: func(cfg *central.Config) { cfg.BundleMaxDelta = 2 }})
	ctx := context.Background()
	h.Revoke(t, "S1")
	h.Revoke(t, "S2")
	k := newKioskAt(t, h, "", 0)
	state := filepath.Join(k.dir, "state")
	if err := k.pusher.fetchBundle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := k.bundles.Bundle().Revoked; !slices.Equal(got, []string{"S1", "S2"}) || savedBundle(t, k).DeltaFrom != nil {
		t.Fatalf("first bundle = %v; want S1 S2, fetched whole", got)
	}
	h.Revoke(t, "S3")
	since := k.bundles.Since()
	if err := k.pusher.fetchBundle(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"S1", "S2", "S3"}
	if got, saved := k.bundles.Bundle().Revoked, savedBundle(t, k); !slices.Equal(got, want) || saved.DeltaFrom == nil || !slices.Equal(saved.Revoked, []string{"S3"}) {
		t.Fatalf("after a revocation: %v, saved delta %v of %v; want %v from a delta of S3", got, saved.DeltaFrom, saved.Revoked, want)
	}
	restarted := func() *bk.TrustBundle { return LoadBundles(state, k.id.CentralKey, quietLogger()).Bundle() }
	if b := restarted(); b == nil || !slices.Equal(b.Revoked, want) {
		t.Fatalf("after a restart the kiosk has %v; want %v", b, want)
	}

	// A delta replayed (from the list the kiosk had before): refused,
	// nothing lost.
	old, err := k.client.TrustBundle(ctx, since, "")
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := k.bundles.Update(old); changed || bk.ErrorCode(err) != bk.EConflict {
		t.Errorf("Update(replayed delta) = %v, %v; want refused as %s", changed, err, bk.EConflict)
	}
	if got := k.bundles.Bundle().Revoked; !slices.Equal(got, want) {
		t.Errorf("after the replay the kiosk has %v; want %v", got, want)
	}

	// The list on disk lost a serial: the saved copy is not used.
	listFile := filepath.Join(state, revokedFileName)
	good, err := os.ReadFile(listFile)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(listFile, []byte("S1\nS3"), 0o644)
	if b := restarted(); b != nil {
		t.Errorf("a saved list without S2 was loaded: %v", b.Revoked)
	}
	// One serial more than the saved bundle counts (a crash between the two
	// files): the counted ones are used.
	os.WriteFile(listFile, append(good, "\nS4"...), 0o644)
	if b := restarted(); b == nil || !slices.Equal(b.Revoked, want) {
		t.Errorf("with a longer saved list the kiosk has %v; want %v", b, want)
	}

	// Three behind with BundleMaxDelta 2: the full bundle.
	for _, s := range []string{"S4", "S5", "S6"} {
		h.Revoke(t, s)
	}
	if err := k.pusher.fetchBundle(ctx); err != nil {
		t.Fatal(err)
	}
	want = append(want, "S4", "S5", "S6")
	if got := k.bundles.Bundle().Revoked; !slices.Equal(got, want) || savedBundle(t, k).DeltaFrom != nil {
		t.Errorf("three behind: %v; want %v from the full bundle", got, want)
	}
	if b := restarted(); b == nil || !slices.Equal(b.Revoked, want) {
		t.Errorf("after a restart the kiosk has %v; want %v", b, want)
	}
}

// TestBundleDeltaKeepsKioskKeys: a refresh sends the digest of the kiosk
// keys it has, so a delta leaves them out; the kiosk keeps its own (on disk
// too, across a restart), refuses a saved copy that does not match the
// signed digest, and takes the new list once another kiosk is enrolled.
func TestBundleDeltaKeepsKioskKeys(t *testing.T) {
	h := centraltest.Start(t)
	ctx := context.Background()
	k := newKioskAt(t, h, "", 0)
	state := filepath.Join(k.dir, "state")
	if err := k.pusher.fetchBundle(ctx); err != nil {
		t.Fatal(err)
	}
	keys := k.bundles.Bundle().Kiosks
	h.Revoke(t, "S1")
	if err := k.pusher.fetchBundle(ctx); err != nil {
		t.Fatal(err)
	}
	if saved := savedBundle(t, k); saved.DeltaFrom == nil || !saved.KiosksUnchanged || saved.Kiosks != nil {
		t.Fatalf("the refresh fetched kiosks %v (kept %v, delta %v); want a delta without them", saved.Kiosks, saved.KiosksUnchanged, saved.DeltaFrom)
	}
	if got := k.bundles.Bundle(); len(keys) != 1 || !slices.EqualFunc(got.Kiosks, keys, kioskKeyEqual) || !slices.Equal(got.Revoked, []string{"S1"}) {
		t.Fatalf("after the delta the kiosk has keys %v, revoked %v; want %v and S1", got.Kiosks, got.Revoked, keys)
	}
	restarted := func() *bk.TrustBundle { return LoadBundles(state, k.id.CentralKey, quietLogger()).Bundle() }
	if b := restarted(); b == nil || !slices.EqualFunc(b.Kiosks, keys, kioskKeyEqual) {
		t.Fatalf("after a restart the kiosk has %v; want keys %v", b, keys)
	}
	// A second delta with the same list does not need the file rewritten,
	// and still restarts with the keys.
	h.Revoke(t, "S2")
	if err := k.pusher.fetchBundle(ctx); err != nil {
		t.Fatal(err)
	}
	if b := restarted(); b == nil || !slices.EqualFunc(b.Kiosks, keys, kioskKeyEqual) || len(b.Revoked) != 2 {
		t.Fatalf("after a second delta and a restart the kiosk has %v; want keys %v and two revoked", b, keys)
	}
	keysFile := filepath.Join(state, kiosksFileName)
	good, err := os.ReadFile(keysFile)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(keysFile, []byte("[]"), 0o644)
	if b := restarted(); b != nil {
		t.Errorf("saved kiosk keys without the kiosk were loaded: %v", b.Kiosks)
	}
	os.WriteFile(keysFile, good, 0o644)

	h.EnrollKiosk(t, "kiosk-2")
	if err := k.pusher.fetchBundle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := k.bundles.Bundle().Kiosks; len(got) != 2 || savedBundle(t, k).KiosksUnchanged {
		t.Errorf("after an enrolment the kiosk has keys %v; want both, fetched", got)
	}
	if b := restarted(); b == nil || len(b.Kiosks) != 2 {
		t.Errorf("after a restart the kiosk has %v; want both keys", b)
	}
}

func kioskKeyEqual(a, b bk.KioskKey) bool { return a.ID == b.ID && a.PublicKey.Equal(b.PublicKey) }
