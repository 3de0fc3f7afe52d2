package badgerstore

// OpenSharedUsage opens a store with the usage log in the main database,
// as before it had its own: the baseline BenchmarkLookupWhileRecording
// compares with.
func OpenSharedUsage(dir string) (*Store, error) { return Open(dir, Options{sharedUsage: true}) }
