//go:build !linux

package sync

// diskFree cannot tell free space on this platform; the outbox then relies
// on write errors alone.
func diskFree(string) (uint64, bool) { return 0, false }
