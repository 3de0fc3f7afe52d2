package sync

import (
	"fmt"
	"log/slog"
	"strings"
)

// badgerLogger sends Badger's warnings and errors to slog. Badger's info and
// debug lines are dropped: they are chatty and say nothing a kiosk operator
// can act on.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error(strings.TrimSpace(fmt.Sprintf(f, a...)))
}

func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(strings.TrimSpace(fmt.Sprintf(f, a...)))
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
