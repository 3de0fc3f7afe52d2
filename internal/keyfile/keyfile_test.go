package keyfile

import (
	"crypto/ed25519"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTripAndRefusals(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k.pem")
	k, created, err := LoadOrCreate(p)
	if err != nil || !created {
		t.Fatalf("LoadOrCreate = %v, %v; want created", created, err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v; want 0600", fi.Mode().Perm())
	}
	k2, created, err := LoadOrCreate(p)
	if err != nil || created || !k.Equal(k2) {
		t.Fatalf("second LoadOrCreate = %v, %v; want the same key", created, err)
	}
	if err := SavePrivate(p, k); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("SavePrivate over an existing key = %v; want a refusal", err)
	}
	pub := filepath.Join(dir, "k.pub")
	if err := SavePublic(pub, k.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadPublic(pub); err != nil || !got.Equal(k.Public()) {
		t.Errorf("LoadPublic = %v; want the public key", err)
	}
	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	if _, err := LoadPrivate(bad); err == nil {
		t.Error("LoadPrivate of garbage succeeded")
	}
	if _, err := LoadPublic(p); err == nil {
		t.Error("LoadPublic of a private key file succeeded")
	}
}

func TestWriteNewHasOneWinner(t *testing.T) {
	p := filepath.Join(t.TempDir(), "secret")
	errs := make(chan error, 8)
	for i := range 8 {
		go func() { errs <- WriteNew(p, []byte{byte('a' + i)}) }()
	}
	won := 0
	for range 8 {
		err := <-errs
		if err == nil {
			won++
		} else if !errors.Is(err, fs.ErrExist) {
			t.Errorf("losing WriteNew = %v; want fs.ErrExist", err)
		}
	}
	b, _ := os.ReadFile(p)
	if won != 1 || len(b) != 1 {
		t.Errorf("%d writers won, file %q; want one, whole", won, b)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".secret.new-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// WriteFile replaces a file whole with the mode asked for, leaves nothing
// beside it, and with exclusive keeps what is there.
func TestWriteFileReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bundle.json")
	for _, data := range []string{"first", "second"} {
		if err := WriteFile(path, []byte(data), 0o644, false); err != nil {
			t.Fatalf("WriteFile(%q) = %v", data, err)
		}
	}
	if err := WriteFile(path, []byte("third"), 0o600, true); !errors.Is(err, fs.ErrExist) {
		t.Errorf("exclusive WriteFile over a file = %v; want fs.ErrExist", err)
	}
	b, err := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if err != nil || string(b) != "second" || fi.Mode().Perm() != 0o644 {
		t.Errorf("file = %q, %v, mode %v; want \"second\", 0644", b, err, fi.Mode().Perm())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries; want only the file", len(ents))
	}
}
