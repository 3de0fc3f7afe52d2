// Package handovertest draws and sizes handover codes as QR codes for tests
// in other packages. Production never does: the kiosk prints through
// devices/receipt, which draws with package qr itself.
package handovertest

import (
	"errors"

	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/qr"
)

var errNotAlphanumeric = errors.New("handovertest: QR content must be upper-case alphanumeric (use handover.URL or the bare code)")

// PNG renders code (a URL from handover.URL, or a bare code) as a QR code at
// level Q, size pixels square (a negative size means that many pixels per
// module, see qr.PNG). It refuses content outside the alphanumeric set, so a
// test never measures a code that silently fell back to the larger byte mode.
func PNG(code string, size int) ([]byte, error) {
	if !handover.IsAlphanumeric(code) {
		return nil, errNotAlphanumeric
	}
	return qr.PNG(code, size)
}

// Version returns the QR version (1–40) that code needs at level Q,
// refusing content outside the alphanumeric set as PNG does.
func Version(code string) (int, error) {
	if !handover.IsAlphanumeric(code) {
		return 0, errNotAlphanumeric
	}
	q, err := qr.New(code, qr.Default)
	if err != nil {
		return 0, err
	}
	return q.Version, nil
}
