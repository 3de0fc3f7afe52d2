package tokenexchange_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/central/tokenexchange"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/keyfile"
)

// Two central processes sharing the key directory sign with the same key
// and publish the same set, before and after a rotation.
func TestKeyRingsSharingADirectoryAgree(t *testing.T) {
	dir := t.TempDir()
	clock := fixture.NewClock(time.Unix(1_800_000_000, 0))
	a, err := tokenexchange.OpenKeyRing(dir, rotation, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tokenexchange.OpenKeyRing(dir, rotation, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []time.Duration{0, rotation} {
		clock.Add(step)
		sa, _ := a.JWKS()
		sb, _ := b.JWKS()
		if len(sa.Keys) == 0 || len(sa.Keys) != len(sb.Keys) || sa.Keys[0].KeyID != sb.Keys[0].KeyID {
			t.Errorf("after %v: the rings publish %d and %d keys, current %v and %v; want the same", step, len(sa.Keys), len(sb.Keys), sa.Keys, sb.Keys)
		}
	}
}

func TestOpenKeyRingRefuses(t *testing.T) {
	if _, err := tokenexchange.OpenKeyRing(t.TempDir(), tokenexchange.MaxTokenTTL, nil); err == nil {
		t.Error("a rotation period as short as a token's life was accepted")
	}
	dir := t.TempDir()
	clock := fixture.NewClock(time.Unix(1_800_000_000, 0))
	n := clock.Now().Unix() / int64(rotation/time.Second)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err := keyfile.SaveSigner(filepath.Join(dir, "token-"+itoa(n)+".key"), p384); err != nil {
		t.Fatal(err)
	}
	if _, err := tokenexchange.OpenKeyRing(dir, rotation, clock.Now); err == nil {
		t.Error("a P-384 key file was taken as an ES256 key")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
