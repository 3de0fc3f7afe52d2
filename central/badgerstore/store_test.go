package badgerstore_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"

	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/central/storetest"
)

// MustOpen opens a store in a fresh temporary directory, closed at cleanup.
func MustOpen(tb testing.TB, opt badgerstore.Options) *badgerstore.Store {
	tb.Helper()
	s, err := badgerstore.Open(tb.TempDir(), opt)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store { return MustOpen(t, badgerstore.Options{}) })
}

func TestContractEncrypted(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	storetest.Run(t, func(t *testing.T) central.Store { return MustOpen(t, badgerstore.Options{EncryptionKey: key}) })
}

// A usage record is kept under the keyed CPR digest and holds no CPR
// number: the store's files (here the unencrypted write-ahead log, which
// holds keys and values as written) never show one.
func TestUsageHidesCPR(t *testing.T) {
	dir := t.TempDir()
	s, err := badgerstore.Open(dir, badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	rec := &bk.UsageRecord{ID: bk.NewID(at), At: at, Kind: bk.UsageDelegationCheck, Authority: "skat", Scope: "tax",
		Purpose: "marker-7f3a", Answer: bk.UsageAllowed, DelegateName: "Bo Berg"}
	err = s.Update(context.Background(), func(tx central.Tx) error {
		return tx.PutUsage([]central.UsageEntry{{Record: rec, Principal: bk.MustParseCPR("010190-1234"), Delegate: bk.MustParseCPR("020285-4321")}})
	})
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			all = append(all, b...)
		}
		return nil
	})
	if !bytes.Contains(all, []byte("marker-7f3a")) {
		t.Fatal("the record is not in the store's files in plain form; this test cannot see what it looks for")
	}
	for _, c := range []string{"0101901234", "010190-1234", "0202854321", "020285-4321"} {
		if bytes.Contains(all, []byte(c)) {
			t.Errorf("the store's files hold the CPR number %s", c[:6])
		}
	}
}
