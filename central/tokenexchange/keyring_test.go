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

// Derived rings with one seed agree with no shared directory, as central
// replicas on different machines must: the same current key and the same
// published set, before and after a rotation, and no key files. Another
// seed gives other keys; a key file an older central left is still used
// for its period.
func TestDerivedKeyRingsAgree(t *testing.T) {
	clock := fixture.NewClock(time.Unix(1_800_000_000, 0))
	seed := make([]byte, 32)
	rand.Read(seed)
	open := func(dir string, seed []byte) *tokenexchange.KeyRing {
		t.Helper()
		k, err := tokenexchange.OpenDerivedKeyRing(dir, seed, rotation, clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	a, b := open(dirA, seed), open(dirB, seed)
	other := open(t.TempDir(), append([]byte{seed[0] ^ 1}, seed[1:]...)) // differs in one bit; a fixed first byte equals the seed's once in 256
	for _, step := range []time.Duration{0, rotation, 3 * rotation} {
		clock.Add(step)
		sa, _ := a.JWKS()
		sb, _ := b.JWKS()
		so, _ := other.JWKS()
		if len(sa.Keys) != 2 || len(sb.Keys) != 2 || sa.Keys[0].KeyID != sb.Keys[0].KeyID || sa.Keys[1].KeyID != sb.Keys[1].KeyID {
			t.Errorf("after %v: the rings publish %v and %v; want the same two keys", step, sa.Keys, sb.Keys)
		}
		if len(so.Keys) == 0 || so.Keys[0].KeyID == sa.Keys[0].KeyID {
			t.Errorf("after %v: another seed gave the same key %s", step, so.Keys[0].KeyID)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dirA, "token-*.key")); len(files) != 0 {
		t.Errorf("a derived ring wrote key files %v", files)
	}
	if _, err := tokenexchange.OpenDerivedKeyRing(t.TempDir(), seed[:16], rotation, clock.Now); err == nil {
		t.Error("a 16-byte seed was accepted")
	}

	legacy := t.TempDir()
	old, err := tokenexchange.OpenKeyRing(legacy, rotation, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	so, _ := old.JWKS()
	sd, _ := open(legacy, seed).JWKS()
	if sd.Keys[0].KeyID != so.Keys[0].KeyID {
		t.Errorf("a derived ring over an older central's key file signs with %s; want that file's key %s", sd.Keys[0].KeyID, so.Keys[0].KeyID)
	}
}
