package sync

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// The bundle central signed last is kept as it came, in bundleFileName.
// When it is a delta, the whole revocation list it leads to is in
// revokedFileName, one serial a line in the order revoked, and is checked
// against the signed version when it is loaded: a list that lost a serial
// on disk does not match, and the kiosk fetches the full bundle.
// When it kept the kiosk keys (KiosksUnchanged), the list is in
// kiosksFileName, checked against the signed digest the same way.
const (
	bundleFileName  = "trust-bundle.json"
	revokedFileName = "trust-revoked.txt"
	kiosksFileName  = "trust-kiosks.json"
)

// Bundles holds the kiosk's current trust bundle: the last good copy
// central signed, with its revocation deltas applied, kept on disk (it holds
// no citizen data) so a kiosk that starts offline still knows whom to trust.
type Bundles struct {
	dir     string
	central ed25519.PublicKey
	log     *slog.Logger

	mu  gosync.RWMutex
	cur *bk.TrustBundle
	// kiosksSaved is the digest of the list in kiosksFileName.
	kiosksSaved []byte
}

// LoadBundles returns the bundle store for dir, loading the saved copy if
// there is one and it verifies against central's key. A missing copy is
// not an error (Bundle returns nil and widening actions are refused until a
// refresh); an unreadable or badly signed copy is logged and ignored.
func LoadBundles(dir string, central ed25519.PublicKey, log *slog.Logger) *Bundles {
	if log == nil {
		log = slog.Default()
	}
	b := &Bundles{dir: dir, central: central, log: log.With("component", "trust-bundle")}
	raw, err := os.ReadFile(filepath.Join(dir, bundleFileName))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			b.log.Warn("cannot read the saved trust bundle", "err", err)
		}
		return b
	}
	var sb bk.SignedBundle
	if err := json.Unmarshal(raw, &sb); err != nil {
		b.log.Warn("the saved trust bundle is unreadable; waiting for a fresh one", "err", err)
		return b
	}
	tb, err := sb.Verify(central)
	if err == nil && tb.DeltaFrom != nil {
		tb, err = b.loadRevoked(tb)
	}
	if err == nil && tb.KiosksUnchanged {
		if tb, err = b.loadKiosks(tb); err == nil {
			b.kiosksSaved = tb.KiosksDigest
		}
	}
	if err != nil {
		b.log.Warn("the saved trust bundle does not verify; waiting for a fresh one", "err", err)
		return b
	}
	b.cur = tb
	return b
}

// loadRevoked returns delta with the whole list it leads to, read from
// revokedFileName. The file may hold more (saved before a crash kept the
// bundle that came with them): the serials the version counts are used.
func (b *Bundles) loadRevoked(delta *bk.TrustBundle) (*bk.TrustBundle, error) {
	raw, err := os.ReadFile(filepath.Join(b.dir, revokedFileName))
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(raw), "\n")
	n := delta.Revocations.Count
	if uint64(len(lines)) < n {
		return nil, fmt.Errorf("the saved revocation list has %d serials; the bundle counts %d", len(lines), n)
	}
	out := *delta
	out.Revoked, out.DeltaFrom = lines[:n], nil
	if !(bk.RevocationVersion{}).Add(out.Revoked).Equal(delta.Revocations) {
		return nil, errors.New("the saved revocation list is not the one the bundle names")
	}
	return &out, nil
}

// loadKiosks returns delta with the kiosk key list it kept, read from
// kiosksFileName.
func (b *Bundles) loadKiosks(delta *bk.TrustBundle) (*bk.TrustBundle, error) {
	raw, err := os.ReadFile(filepath.Join(b.dir, kiosksFileName))
	if err != nil {
		return nil, err
	}
	out := *delta
	if err := json.Unmarshal(raw, &out.Kiosks); err != nil {
		return nil, fmt.Errorf("the saved kiosk keys: %w", err)
	}
	if !bytes.Equal(bk.KiosksDigest(out.Kiosks), delta.KiosksDigest) {
		return nil, errors.New("the saved kiosk keys are not the ones the bundle names")
	}
	out.KiosksUnchanged = false
	return &out, nil
}

// Update verifies sb with central's key and, if it is not older than the
// current bundle, applies it (a delta adds its revocations to the current
// list), saves it and makes it current. Whether it changed is returned; a
// bundle older than the current one is ignored (no rollback). A delta that
// does not follow on the current list is an error with code bk.EConflict
// and changes nothing: ask for the full bundle.
func (b *Bundles) Update(sb *bk.SignedBundle) (bool, error) {
	b.mu.RLock()
	central := b.central
	b.mu.RUnlock()
	tb, err := sb.Verify(central)
	if err != nil {
		return false, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur != nil && tb.IssuedAt.Before(b.cur.IssuedAt) {
		return false, nil
	}
	next, err := b.cur.Apply(tb)
	if err != nil {
		return false, err
	}
	raw, err := json.Marshal(sb)
	if err != nil {
		return false, err
	}
	// The list first: a crash before the bundle leaves a list longer than
	// the saved bundle counts, which loadRevoked allows.
	if b.cur == nil || !b.cur.Revocations.Equal(next.Revocations) {
		list := []byte(strings.Join(next.Revoked, "\n"))
		if err := writeFileSync(filepath.Join(b.dir, revokedFileName), list, 0o644, false); err != nil {
			return false, fmt.Errorf("saving the revocation list: %w", err)
		}
	}
	if tb.KiosksUnchanged && !bytes.Equal(b.kiosksSaved, tb.KiosksDigest) {
		// Saved once per list; a crash before the bundle leaves a list the
		// saved bundle does not name, and the kiosk fetches the full one.
		list, err := json.Marshal(next.Kiosks)
		if err != nil {
			return false, err
		}
		if err := writeFileSync(filepath.Join(b.dir, kiosksFileName), list, 0o644, false); err != nil {
			return false, fmt.Errorf("saving the kiosk keys: %w", err)
		}
		b.kiosksSaved = tb.KiosksDigest
	}
	if err := writeFileSync(filepath.Join(b.dir, bundleFileName), raw, 0o644, false); err != nil {
		return false, fmt.Errorf("saving trust bundle: %w", err)
	}
	b.cur = next
	return true, nil
}

// Since is the revocation list version of the current bundle, to ask
// central for a delta from; empty before the first bundle.
func (b *Bundles) Since() string {
	cur := b.Bundle()
	if cur == nil {
		return ""
	}
	return cur.Revocations.String()
}

// KiosksDigest is the digest of the current bundle's kiosk keys, for
// central to leave them out of a delta when unchanged; empty before the
// first bundle.
func (b *Bundles) KiosksDigest() string {
	cur := b.Bundle()
	if cur == nil {
		return ""
	}
	return hex.EncodeToString(bk.KiosksDigest(cur.Kiosks))
}

// SetCentralKey changes the key bundles must be signed with (after a
// re-enrolment that returned a different central key).
func (b *Bundles) SetCentralKey(k ed25519.PublicKey) {
	b.mu.Lock()
	b.central = k
	b.mu.Unlock()
}

// Bundle returns the current bundle, or nil before the first one.
func (b *Bundles) Bundle() *bk.TrustBundle {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.cur
}

// Stale reports whether there is no bundle or it is older than its max age.
func (b *Bundles) Stale(now time.Time) bool {
	cur := b.Bundle()
	return cur == nil || cur.Stale(now)
}
