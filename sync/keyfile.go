package sync

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/borgerkiosk/borgerkiosk/internal/keyfile"
)

// KeySize is the length of the outbox encryption key (AES-256).
const KeySize = 32

var (
	// ErrKeyMissing: the outbox holds data but its key file is gone. The
	// outbox is left untouched; restore the key file (or wipe the outbox on
	// purpose, which makes this kiosk a new incarnation).
	ErrKeyMissing = errors.New("outbox key file is missing but the outbox holds data")
	// ErrWrongKey: the key file does not open this outbox.
	ErrWrongKey = errors.New("outbox key does not match the outbox")
	// ErrBadKeyFile: the key file exists but is not a key.
	ErrBadKeyFile = errors.New("outbox key file is not a 32-byte key")
)

// loadOrCreateKey reads the key at path. When it does not exist and the data
// directory holds no database, it makes a new key (mode 0600, written and
// synced before the database is created). It never creates a key for a
// directory that already holds data: that would make the old data
// unreadable while seeming to work.
func loadOrCreateKey(path, dataDir string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return parseKey(path, b)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("outbox: reading key file %s: %w", path, err)
	}
	if hasData(dataDir) {
		return nil, fmt.Errorf("outbox: %w: %s (data in %s)", ErrKeyMissing, path, dataDir)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("outbox: making key: %w", err)
	}
	if err := writeFileSync(path, []byte(hex.EncodeToString(key)+"\n"), 0o600, true); err != nil {
		return nil, fmt.Errorf("outbox: creating key file: %w", err)
	}
	return key, nil
}

func parseKey(path string, b []byte) ([]byte, error) {
	if len(b) == KeySize {
		return b, nil
	}
	s := strings.TrimSpace(string(b))
	key, err := hex.DecodeString(s)
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("outbox: %w: %s", ErrBadKeyFile, path)
	}
	return key, nil
}

// hasData reports whether dir holds any file (a database or its remains).
func hasData(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	return len(ents) > 0
}

// writeFileSync writes data to path durably (keyfile.WriteFile), making
// its directory first. With exclusive set it fails if path exists.
func writeFileSync(path string, data []byte, perm os.FileMode, exclusive bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return keyfile.WriteFile(path, data, perm, exclusive)
}
