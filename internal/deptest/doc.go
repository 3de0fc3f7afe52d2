// Package deptest holds the repository-wide import test (deptest_test.go):
// which of our packages may import which, and which package owns each outside
// library. It has no code of its own.
package deptest
