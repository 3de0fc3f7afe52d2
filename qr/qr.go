// Package qr is the one place that encodes QR codes (on skip2/go-qrcode), so
// every screen, slip and printer draws the same symbol at the same level.
package qr

import (
	qrcode "github.com/skip2/go-qrcode"
)

// Level is a QR error-correction level.
type Level int

// The four levels by their standard names. skip2/go-qrcode names them Low,
// Medium, High and Highest, so its High is Q: spelling them here keeps that
// off-by-one naming out of the callers.
const (
	L Level = iota // 7 %
	M              // 15 %
	Q              // 25 %
	H              // 30 %
)

// Default is Q, as for the EU Digital COVID Certificate and as the design
// asks for handover codes, so a creased or smudged slip still scans.
const Default = Q

func (l Level) skip() qrcode.RecoveryLevel {
	switch l {
	case M:
		return qrcode.Medium
	case Q:
		return qrcode.High
	case H:
		return qrcode.Highest
	}
	return qrcode.Low
}

// Code is an encoded QR symbol.
type Code struct {
	// Version is the QR version (1–40).
	Version int
	// Modules is the symbol with its 4-module quiet zone, rows of columns,
	// true = dark.
	Modules [][]bool
}

// New encodes data at level; it fails when no QR version holds the data.
func New(data string, level Level) (Code, error) {
	q, err := qrcode.New(data, level.skip())
	if err != nil {
		return Code{}, err
	}
	return Code{Version: q.VersionNumber, Modules: q.Bitmap()}, nil
}

// PNG renders data at the default level Q, size pixels square (a negative
// size means that many pixels per module, as in skip2/go-qrcode).
func PNG(data string, size int) ([]byte, error) {
	return qrcode.Encode(data, Default.skip(), size)
}
