package handover

import (
	"errors"

	"github.com/borgerkiosk/borgerkiosk/qr"
)

// IsAlphanumeric reports whether s uses only the QR alphanumeric character set
// (0-9 A-Z space $ % * + - . / :). The QR encoder chooses the mode from the
// content and falls back to byte mode, which holds about 40 % fewer characters
// per version, for any other character.
func IsAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if base45Value[s[i]] < 0 {
			return false
		}
	}
	return true
}

var errNotAlphanumeric = errors.New("handover: QR content must be upper-case alphanumeric (use URL or the bare code)")

// PNG renders code (a URL from URL, or a bare code) as a QR code at level Q,
// size pixels square (a negative size means that many pixels per module, see
// qr.PNG). It refuses content outside the alphanumeric set, so a
// code never silently falls back to the larger byte mode.
func PNG(code string, size int) ([]byte, error) {
	if !IsAlphanumeric(code) {
		return nil, errNotAlphanumeric
	}
	return qr.PNG(code, size)
}

// Version returns the QR version (1–40) that code needs at level Q.
func Version(code string) (int, error) {
	if !IsAlphanumeric(code) {
		return 0, errNotAlphanumeric
	}
	q, err := qr.New(code, qr.Default)
	if err != nil {
		return 0, err
	}
	return q.Version, nil
}
