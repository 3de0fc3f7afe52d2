package sync

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	gosync "sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

const bundleFileName = "trust-bundle.json"

// Bundles holds the kiosk's current trust bundle: the last good copy
// central signed, kept on disk (it holds no citizen data) so a kiosk that
// starts offline still knows whom to trust.
type Bundles struct {
	dir     string
	central ed25519.PublicKey
	log     *slog.Logger

	mu  gosync.RWMutex
	cur *bk.TrustBundle
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
	if err != nil {
		b.log.Warn("the saved trust bundle does not verify; waiting for a fresh one", "err", err)
		return b
	}
	b.cur = tb
	return b
}

// Update verifies sb with central's key and, if it is not older than the
// current bundle, saves it and makes it current. Whether it changed is
// returned; a bundle older than the current one is ignored (no rollback).
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
	raw, err := json.Marshal(sb)
	if err != nil {
		return false, err
	}
	if err := writeFileSync(filepath.Join(b.dir, bundleFileName), raw, 0o644, false); err != nil {
		return false, fmt.Errorf("saving trust bundle: %w", err)
	}
	b.cur = tb
	return true, nil
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
