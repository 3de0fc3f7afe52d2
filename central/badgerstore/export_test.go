package badgerstore

// OpenSharedUsage opens a store with the usage log in the main database,
// as before it had its own: the baseline BenchmarkLookupWhileRecording
// compares with.
func OpenSharedUsage(dir string) (*Store, error) { return Open(dir, Options{sharedUsage: true}) }

// ForgetConsentPages removes the consent-auth-id index and its mark, as in
// a store from before paging.
func ForgetConsentPages(s *Store) error {
	if err := s.db.DropPrefix(key("consent-auth-id")); err != nil {
		return err
	}
	return s.db.DropPrefix(metaConsentPages)
}
