package handover

import (
	"errors"

	qrcode "github.com/skip2/go-qrcode"
)

// QRLevel is the error-correction level of handover QR codes: Q (25 %), as for
// the EU Digital COVID Certificate, so a creased or smudged slip still scans.
// skip2/go-qrcode names its levels Low (L), Medium (M), High (Q) and Highest
// (H); see its version.go.
const QRLevel = qrcode.High

// IsAlphanumeric reports whether s uses only the QR alphanumeric character set
// (0-9 A-Z space $ % * + - . / :). skip2/go-qrcode chooses the mode from the
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
// size pixels square (a negative size means that many pixels per module, as in
// skip2/go-qrcode). It refuses content outside the alphanumeric set, so a
// code never silently falls back to the larger byte mode.
func PNG(code string, size int) ([]byte, error) {
	if !IsAlphanumeric(code) {
		return nil, errNotAlphanumeric
	}
	return qrcode.Encode(code, QRLevel, size)
}

// Version returns the QR version (1–40) that code needs at level Q.
func Version(code string) (int, error) {
	if !IsAlphanumeric(code) {
		return 0, errNotAlphanumeric
	}
	q, err := qrcode.New(code, QRLevel)
	if err != nil {
		return 0, err
	}
	return q.VersionNumber, nil
}
