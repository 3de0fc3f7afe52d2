package sync

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// Identity is an enrolled kiosk: its id, its private key and the central
// key it trusts. It is stored in a state directory as enrolment.json and
// the key file it names (kiosk-<key id>.key, the Ed25519 seed, mode 0600).
type Identity struct {
	KioskID    string             `json:"kiosk_id"`
	KeyFile    string             `json:"key_file"`
	Site       string             `json:"site"`
	BaseURL    string             `json:"base_url"`
	CentralKey ed25519.PublicKey  `json:"central_key"`
	EnrolledAt time.Time          `json:"enrolled_at"`
	Key        ed25519.PrivateKey `json:"-"`
}

// ErrNotEnrolled is returned by LoadIdentity when the kiosk has not enrolled.
var ErrNotEnrolled = errors.New("this kiosk is not enrolled with a central service")

const enrolmentFileName = "enrolment.json"

// LoadIdentity reads the identity saved by Enroll in dir.
func LoadIdentity(dir string) (*Identity, error) {
	b, err := os.ReadFile(filepath.Join(dir, enrolmentFileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, fmt.Errorf("reading enrolment: %w", err)
	}
	var id Identity
	if err := json.Unmarshal(b, &id); err != nil {
		return nil, fmt.Errorf("enrolment file %s is unreadable: %w", filepath.Join(dir, enrolmentFileName), err)
	}
	if id.KioskID == "" || id.BaseURL == "" || len(id.CentralKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("enrolment file %s is incomplete", filepath.Join(dir, enrolmentFileName))
	}
	if id.KeyFile == "" || filepath.Base(id.KeyFile) != id.KeyFile {
		return nil, fmt.Errorf("enrolment file %s names no key file", filepath.Join(dir, enrolmentFileName))
	}
	seed, err := os.ReadFile(filepath.Join(dir, id.KeyFile))
	if err != nil {
		return nil, fmt.Errorf("reading kiosk key: %w", err)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("kiosk key file %s is not a %d-byte key", filepath.Join(dir, id.KeyFile), ed25519.SeedSize)
	}
	id.Key = ed25519.NewKeyFromSeed(seed)
	return &id, nil
}

// save writes the new key file first and the enrolment (which names it)
// last, each atomically, so a crash leaves either the old identity or the
// new one; then it removes the previous key file.
func (id *Identity) save(dir string) error {
	old, _ := LoadIdentity(dir)
	id.KeyFile = "kiosk-" + bk.KeyID(id.Key.Public().(ed25519.PublicKey)) + ".key"
	if err := writeFileSync(filepath.Join(dir, id.KeyFile), id.Key.Seed(), 0o600, false); err != nil {
		return fmt.Errorf("saving kiosk key: %w", err)
	}
	b, _ := json.MarshalIndent(id, "", "  ")
	if err := writeFileSync(filepath.Join(dir, enrolmentFileName), b, 0o600, false); err != nil {
		return fmt.Errorf("saving enrolment: %w", err)
	}
	if old != nil && old.KeyFile != id.KeyFile {
		os.Remove(filepath.Join(dir, old.KeyFile))
	}
	return nil
}

func newKioskKey() ed25519.PrivateKey {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return priv
}
