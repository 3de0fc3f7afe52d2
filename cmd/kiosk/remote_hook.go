package main

import (
	"context"
	"log/slog"

	"github.com/borgerkiosk/borgerkiosk/ui"
)

// remote, set only in a soak build (-tags soak, remote.go), lets a test
// drive the real window; nil in the kiosk that is shipped.
var remote func(ctx context.Context, kui *ui.KioskUI, log *slog.Logger) error
