// Package cardsim simulates a card reader with a card in it: the card file
// format (a test card's certificate, key, PIN and retry counter on disk) and a
// simulator that speaks the card reader's line protocol on an io.ReadWriter,
// normally the master end of a pseudo-terminal whose tty the kiosk opens as
// its serial port.
package cardsim

import (
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// MaxTries is how many wrong PINs in a row lock a card.
const MaxTries = 3

const (
	cardFileVersion = 1
	pinKDF          = "pbkdf2-sha256"
	// The card's key sits next to the hash in the same file, so the hash
	// only keeps the PIN from being stored in plain; a modest count keeps
	// AUTH quick.
	pinIterations = 50_000
)

// CardFile is a simulated card as stored on disk (JSON, mode 0600).
// Serial, Holder and Role are for people reading the file and for the
// simulator's status; the certificate is the truth.
type CardFile struct {
	Version     int    `json:"version"`
	Serial      string `json:"serial,omitempty"`
	Holder      string `json:"holder,omitempty"`
	Role        string `json:"role,omitempty"`
	Certificate []byte `json:"certificate"` // encoded as the domain's DecodeCertificate expects
	KeySeed     []byte `json:"key_seed"`    // Ed25519 private key seed, 32 bytes
	PINKDF      string `json:"pin_kdf"`
	PINIter     int    `json:"pin_iterations"`
	PINSalt     []byte `json:"pin_salt"`
	PINHash     []byte `json:"pin_hash"`
	TriesLeft   int    `json:"tries_left"`
	Locked      bool   `json:"locked"`
}

// NewCardFile returns a card holding cert, the card's private key and pin
// (4 to 12 digits), with all tries left. The caller fills in Serial, Holder
// and Role if it wants them shown.
func NewCardFile(cert []byte, priv ed25519.PrivateKey, pin string) (*CardFile, error) {
	if len(cert) == 0 {
		return nil, errors.New("cardsim: empty certificate")
	}
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("cardsim: private key is %d bytes; want %d", len(priv), ed25519.PrivateKeySize)
	}
	c := &CardFile{
		Version:     cardFileVersion,
		Certificate: append([]byte(nil), cert...),
		KeySeed:     append([]byte(nil), priv.Seed()...),
	}
	if err := c.SetPIN(pin); err != nil {
		return nil, err
	}
	return c, nil
}

// SetPIN replaces the PIN, and unlocks the card with all tries left.
func (c *CardFile) SetPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 12 {
		return errors.New("cardsim: a PIN has 4 to 12 digits")
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return errors.New("cardsim: a PIN has only digits")
		}
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	h, err := pbkdf2.Key(sha256.New, pin, salt, pinIterations, 32)
	if err != nil {
		return err
	}
	c.PINKDF, c.PINIter, c.PINSalt, c.PINHash = pinKDF, pinIterations, salt, h
	c.TriesLeft, c.Locked = MaxTries, false
	return nil
}

// CheckPIN reports whether pin is the card's PIN. It does not count tries.
func (c *CardFile) CheckPIN(pin string) bool {
	if c.PINKDF != pinKDF || c.PINIter < 1 || len(pin) > 64 {
		return false
	}
	h, err := pbkdf2.Key(sha256.New, pin, c.PINSalt, c.PINIter, len(c.PINHash))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(h, c.PINHash) == 1
}

// PrivateKey returns the card's Ed25519 private key.
func (c *CardFile) PrivateKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(c.KeySeed) }

// PublicKey returns the card's Ed25519 public key.
func (c *CardFile) PublicKey() ed25519.PublicKey {
	return c.PrivateKey().Public().(ed25519.PublicKey)
}

// Sign signs msg with the card's key.
func (c *CardFile) Sign(msg []byte) []byte { return ed25519.Sign(c.PrivateKey(), msg) }

// Validate checks that the card file is complete and consistent.
func (c *CardFile) Validate() error {
	switch {
	case c.Version != cardFileVersion:
		return fmt.Errorf("card file version %d; this program reads version %d", c.Version, cardFileVersion)
	case len(c.Certificate) == 0:
		return errors.New("card file has no certificate")
	case len(c.KeySeed) != ed25519.SeedSize:
		return fmt.Errorf("card file key seed is %d bytes; want %d", len(c.KeySeed), ed25519.SeedSize)
	case c.PINKDF != pinKDF:
		return fmt.Errorf("card file PIN hash %q is not supported", c.PINKDF)
	case c.PINIter < 1 || c.PINIter > 10_000_000:
		return fmt.Errorf("card file PIN iteration count %d is out of range", c.PINIter)
	case len(c.PINSalt) < 8 || len(c.PINHash) < 16 || len(c.PINHash) > 64:
		return errors.New("card file PIN salt or hash is too short")
	case c.TriesLeft < 0 || c.TriesLeft > MaxTries:
		return fmt.Errorf("card file tries_left %d is not between 0 and %d", c.TriesLeft, MaxTries)
	}
	return nil
}

// LoadCardFile reads and validates a card file.
func LoadCardFile(path string) (*CardFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cardsim: %w", err)
	}
	var c CardFile
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("cardsim: %s is not a card file: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("cardsim: %s: %w", path, err)
	}
	if c.TriesLeft == 0 {
		c.Locked = true
	}
	return &c, nil
}

// Save writes the card file atomically with mode 0600: a temporary file in
// the same directory, synced, then renamed over path, then the directory
// synced, so a crash leaves either the old or the new card, never half.
func (c *CardFile) Save(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("cardsim: %w", err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("cardsim: save card: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("cardsim: save card: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		return fmt.Errorf("cardsim: save card: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("cardsim: save card: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cardsim: save card: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("cardsim: save card: %w", err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("cardsim: save card: sync directory: %w", err)
		}
	}
	return nil
}
