//go:build unix

package badgerfix

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lock takes Badger's directory lock on d (flock, as badger's dir_unix.go
// does): exclusive for a writer, shared for a reader. It lasts until d is
// closed.
func lock(d *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(d.Fd()), how|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("%s: %w", d.Name(), ErrInUse)
		}
		return fmt.Errorf("locking %s: %w", d.Name(), err)
	}
	return nil
}
