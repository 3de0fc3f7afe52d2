package sync

import (
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
)

// badgerLogger sends Badger's warnings and errors to slog and remembers the
// last error, for the line Close writes when Badger does not stop. Badger's
// info and debug lines are dropped: they are chatty and say nothing a kiosk
// operator can act on.
type badgerLogger struct {
	l    *slog.Logger
	last atomic.Pointer[string]
}

func (b *badgerLogger) Errorf(f string, a ...any) {
	msg := strings.TrimSpace(fmt.Sprintf(f, a...))
	b.last.Store(&msg)
	b.l.Error(msg)
}

func (b *badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(strings.TrimSpace(fmt.Sprintf(f, a...)))
}

func (*badgerLogger) Infof(string, ...any)  {}
func (*badgerLogger) Debugf(string, ...any) {}

// lastError is Badger's last logged error, or "" if there was none.
func (b *badgerLogger) lastError() string {
	if p := b.last.Load(); p != nil {
		return *p
	}
	return ""
}
