package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/borgerkiosk/borgerkiosk/devices/qrscanner"
	"github.com/borgerkiosk/borgerkiosk/session"
)

// scannerHandler returns the port handler of the QR scanner: each good scan
// goes to the screens; a broken one is logged (by the scanner) and dropped,
// and the person simply scans again.
func scannerHandler(svc *session.Service, log *slog.Logger) func(context.Context, io.ReadWriter) error {
	sc := qrscanner.New(qrscanner.Options{}, log.With("device", "scanner"))
	go func() {
		for s := range sc.Scans() {
			if s.Err == nil && s.Text != "" {
				svc.Scanned(s.Text)
			}
		}
	}()
	return func(ctx context.Context, rw io.ReadWriter) error { return sc.Serve(ctx, rw) }
}
