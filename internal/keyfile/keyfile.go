// Package keyfile stores central's and the issuers' keys as PEM files
// (PKCS #8 for private keys, PKIX for public ones), the format openssl and
// every other tool read: Ed25519 for cards, bundles and handover codes, and
// ECDSA P-256 for the access tokens central/tokenexchange signs.
package keyfile

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadPrivate reads an Ed25519 private key written by SavePrivate.
func LoadPrivate(path string) (ed25519.PrivateKey, error) {
	k, err := LoadSigner(path)
	if err != nil {
		return nil, err
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key %s: not an Ed25519 key", path)
	}
	return priv, nil
}

// LoadSigner reads a PEM "PRIVATE KEY" (PKCS #8) file of any key type
// crypto/x509 knows (Ed25519, ECDSA, RSA).
func LoadSigner(path string) (crypto.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading key %s: %w", path, err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("key %s: not a PEM \"PRIVATE KEY\" file", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key %s: not a signing key", path)
	}
	return signer, nil
}

// SavePrivate writes key to path with mode 0600, refusing to overwrite an
// existing file (a lost issuer or central key cannot be recovered).
func SavePrivate(path string, key ed25519.PrivateKey) error { return SaveSigner(path, key) }

// SaveSigner is SavePrivate for any key type crypto/x509 can marshal.
func SaveSigner(path string, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return WriteNew(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// WriteNew creates path with mode 0600 holding b, synced to disk, and
// refuses to overwrite (the error wraps fs.ErrExist): a lost key or token
// cannot be recovered. The file appears whole or not at all (WriteFile), so
// central processes sharing a directory never read half a key that another
// is still writing, and when two create the same file at once exactly one wins.
func WriteNew(path string, b []byte) error { return WriteFile(path, b, 0o600, true) }

// WriteFile writes data to path so that it survives a power cut whole or
// not at all: into a file beside it, synced, then into place and the
// directory synced. With exclusive it refuses an existing path (the error
// wraps fs.ErrExist), also one that appears meanwhile: the file is
// hard-linked into place, which fails where rename would replace.
func WriteFile(path string, data []byte, perm os.FileMode, exclusive bool) error {
	exists := func() error { return fmt.Errorf("%s already exists; not overwriting it: %w", path, fs.ErrExist) }
	if exclusive {
		if _, err := os.Lstat(path); err == nil {
			return exists()
		}
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if exclusive {
		if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
			return exists()
		} else if err != nil {
			return err
		}
	} else if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// LoadOrCreate loads the key at path, creating it first if it does not exist.
func LoadOrCreate(path string) (ed25519.PrivateKey, bool, error) {
	k, err := LoadPrivate(path)
	if err == nil {
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	_, k, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, err
	}
	if err := SavePrivate(path, k); err != nil {
		return nil, false, err
	}
	return k, true, nil
}

// SavePublic writes pub as a PEM "PUBLIC KEY" file.
func SavePublic(path string, pub ed25519.PublicKey) error {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
}

// LoadPublic reads a PEM "PUBLIC KEY" file holding an Ed25519 key.
func LoadPublic(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading public key %s: %w", path, err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("public key %s: not a PEM \"PUBLIC KEY\" file", path)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key %s: not an Ed25519 key", path)
	}
	return pub, nil
}
