//go:build !unix

package badgerfix

import "os"

// lock does nothing where there is no flock; kiosks and central run on Linux.
func lock(*os.File, bool) error { return nil }
