package badgerstore_test

import (
	"testing"

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
