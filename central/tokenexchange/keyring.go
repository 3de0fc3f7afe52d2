package tokenexchange

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/keyfile"
)

// KeyRing holds the keys central signs access tokens with: one ECDSA P-256
// key (ES256) per rotation period, each in its own PEM file in one
// directory, named by the period's number (token-<n>.key, n = Unix time /
// period). The key of the current period signs; it and the previous
// period's are published, so a token signed just before a rotation stays
// verifiable until it expires (the period is longer than any token lives).
// Older keys are deleted.
//
// The period numbers come from the clock, not from which process rotated
// first: central processes sharing the directory all pick the same file,
// the first to need it creates it (keyfile.WriteNew, atomic, one winner)
// and the others read it. A restart reads the files again, so tokens
// issued before it still verify.
//
// A ring opened with OpenDerivedKeyRing makes no key files: each period's
// key is derived from a seed all replicas share, so central processes on
// different machines agree without a shared directory.
type KeyRing struct {
	dir    string
	period time.Duration
	now    func() time.Time
	seed   []byte // derive period keys from it (OpenDerivedKeyRing); nil: random, in files

	mu   sync.Mutex
	keys map[int64]*ringKey // by period number

	subjectKey []byte // keys the pairwise subjects; never rotated
}

type ringKey struct {
	n      int64
	jwk    jose.JSONWebKey // public, with kid and alg
	signer jose.Signer
}

// MinRotation is the shortest rotation period: a token must expire before
// the key that signed it leaves the published set.
const MinRotation = 2 * MaxTokenTTL

// OpenKeyRing loads the keys in dir (made 0700 if absent) and rotates them
// every period by the clock now (nil: time.Now).
func OpenKeyRing(dir string, period time.Duration, now func() time.Time) (*KeyRing, error) {
	return openKeyRing(dir, nil, period, now)
}

// OpenDerivedKeyRing is OpenKeyRing with each period's key derived from
// seed (at least 32 secret bytes; HKDF-SHA256 with the period's number)
// instead of made at random and kept in a file: every central process
// with the same seed signs with the same key and publishes the same JWKS,
// with nothing to share but the seed. A key file that a central before
// this one left in dir is still used for its period, so tokens it signed
// verify until they expire. dir holds the pairwise-subject key.
func OpenDerivedKeyRing(dir string, seed []byte, period time.Duration, now func() time.Time) (*KeyRing, error) {
	if len(seed) < 32 {
		return nil, errors.New("tokenexchange: the key ring's seed must be at least 32 bytes")
	}
	return openKeyRing(dir, bytes.Clone(seed), period, now)
}

func openKeyRing(dir string, seed []byte, period time.Duration, now func() time.Time) (*KeyRing, error) {
	if period < MinRotation {
		return nil, fmt.Errorf("tokenexchange: key rotation period %v is shorter than %v", period, MinRotation)
	}
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	k := &KeyRing{dir: dir, period: period, now: now, seed: seed, keys: map[int64]*ringKey{}}
	var err error
	if k.subjectKey, err = loadOrCreateSecret(filepath.Join(dir, "subject.key")); err != nil {
		return nil, err
	}
	if _, err := k.ring(); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *KeyRing) periodOf(t time.Time) int64 {
	return t.Unix() / int64(k.period/time.Second)
}

func (k *KeyRing) path(n int64) string {
	return filepath.Join(k.dir, "token-"+strconv.FormatInt(n, 10)+".key")
}

// ring brings the ring to the current period (loading or making its key,
// loading the previous one if it is on disk, dropping older ones) and
// returns the current key.
func (k *KeyRing) ring() (*ringKey, error) {
	n := k.periodOf(k.now())
	k.mu.Lock()
	defer k.mu.Unlock()
	if cur := k.keys[n]; cur != nil {
		return cur, nil
	}
	cur, err := k.loadOrCreate(n)
	if err != nil {
		return nil, err
	}
	k.keys[n] = cur
	if k.keys[n-1] == nil {
		prev, err := k.load(n - 1)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if prev != nil {
			k.keys[n-1] = prev
		}
	}
	for m := range k.keys {
		if m < n-1 {
			delete(k.keys, m)
		}
	}
	k.prune(n)
	return cur, nil
}

func (k *KeyRing) loadOrCreate(n int64) (*ringKey, error) {
	rk, err := k.load(n)
	if !errors.Is(err, fs.ErrNotExist) {
		return rk, err
	}
	if k.seed != nil {
		return k.derive(n)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := keyfile.SaveSigner(k.path(n), priv); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("tokenexchange: saving signing key: %w", err)
	}
	// Whoever won the race to create the file, its key is the one.
	return k.load(n)
}

// load reads the key of period n; the error wraps fs.ErrNotExist when
// there is none (in a derived ring: no file, and n is not the current or
// previous period, whose keys it derives).
func (k *KeyRing) load(n int64) (*ringKey, error) {
	s, err := keyfile.LoadSigner(k.path(n))
	if errors.Is(err, fs.ErrNotExist) && k.seed != nil && n >= k.periodOf(k.now())-1 {
		return k.derive(n)
	}
	if err != nil {
		return nil, err
	}
	priv, ok := s.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != elliptic.P256() {
		return nil, fmt.Errorf("tokenexchange: %s is not an ECDSA P-256 key", k.path(n))
	}
	return k.ringKey(n, priv)
}

// derive makes the key of period n from the seed: a P-256 scalar from
// HKDF-SHA256, drawn again (a counter in the info) in the 2^-32 case that
// it is not below the curve's order.
func (k *KeyRing) derive(n int64) (*ringKey, error) {
	for i := 0; i < 16; i++ {
		d, err := hkdf.Key(sha256.New, k.seed, nil, "borgerkiosk-token-key-v1 period "+strconv.FormatInt(n, 10)+" draw "+strconv.Itoa(i), 32)
		if err != nil {
			return nil, err
		}
		if priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d); err == nil {
			return k.ringKey(n, priv)
		}
	}
	return nil, errors.New("tokenexchange: could not derive a signing key")
}

// ringKey is priv as the key of period n.
func (k *KeyRing) ringKey(n int64, priv *ecdsa.PrivateKey) (*ringKey, error) {
	pub := jose.JSONWebKey{Key: priv.Public(), Algorithm: string(jose.ES256), Use: "sig"}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	// The RFC 7638 thumbprint: the same key has the same kid in every
	// process and after every restart.
	pub.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: pub.KeyID}},
		(&jose.SignerOptions{}).WithType("at+jwt")) // RFC 9068 access token
	if err != nil {
		return nil, err
	}
	return &ringKey{n: n, jwk: pub, signer: signer}, nil
}

// prune deletes the key files of periods before n-1: they sign nothing and
// every token they signed has expired. Failing to delete one is harmless.
func (k *KeyRing) prune(n int64) {
	files, _ := filepath.Glob(filepath.Join(k.dir, "token-*.key"))
	for _, f := range files {
		m, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "token-"), ".key"), 10, 64)
		if err == nil && m < n-1 {
			os.Remove(f)
		}
	}
}

// signer returns the current key's signer and kid.
func (k *KeyRing) signer() (jose.Signer, string, error) {
	cur, err := k.ring()
	if err != nil {
		return nil, "", err
	}
	return cur.signer, cur.jwk.KeyID, nil
}

// JWKS returns the published public keys, the current one first.
func (k *KeyRing) JWKS() (jose.JSONWebKeySet, error) {
	if _, err := k.ring(); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	list := make([]*ringKey, 0, len(k.keys))
	for _, rk := range k.keys {
		list = append(list, rk)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].n > list[j].n })
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, len(list))}
	for i, rk := range list {
		set.Keys[i] = rk.jwk
	}
	return set, nil
}

// loadOrCreateSecret reads the 32-byte secret at path, making it first if
// there is none (atomically: processes sharing dir agree on one).
func loadOrCreateSecret(path string) ([]byte, error) {
	for range 2 {
		b, err := os.ReadFile(path)
		if err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("tokenexchange: %s: want 32 bytes, found %d", path, len(b))
			}
			return b, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		b = make([]byte, 32)
		rand.Read(b)
		if err := keyfile.WriteNew(path, b); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("tokenexchange: %s could not be made", path)
}

// pairwiseSubject is the sub of a token about cpr for client: the same for
// the same person and client every time, unrelated between clients, and
// revealing no CPR number (OpenID Connect's pairwise identifiers, §8.1).
func (k *KeyRing) pairwiseSubject(clientID string, cpr bk.CPR) string {
	m := hmac.New(sha256.New, k.subjectKey)
	m.Write([]byte("borgerkiosk-token-sub-v1\x00"))
	m.Write([]byte(clientID))
	m.Write([]byte{0})
	m.Write([]byte(cpr.Digits()))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
