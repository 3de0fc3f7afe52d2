package receipt

import (
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/qr"
)

// wireTime is how long n bytes take on a serial line at baud with 8N1
// framing (10 bits a byte).
func wireTime(n, baud int) time.Duration {
	return (time.Duration(n) * 10 * time.Second / time.Duration(baud)).Round(time.Millisecond)
}

// TestWireFigures prints what a consent receipt and a handover slip cost on
// the wire, with native and raster QR (go test -run TestWireFigures -v), and
// holds the native slip to its budget of 1.3 s at 9600 baud (1,248 bytes).
func TestWireFigures(t *testing.T) {
	var consentR, slipR Receipt
	for _, tc := range cases() {
		switch tc.name {
		case "give_consent_da":
			consentR = tc.r
		case "handover_da":
			slipR = tc.r
		}
	}
	q, err := qr.New(handoverURL, qr.Q)
	if err != nil {
		t.Fatal(err)
	}
	modules := len(q.Modules) - 8
	t.Logf("handover URL: %d characters (QR alphanumeric), QR version %d (%d modules), level Q, 6 dots a module",
		len(handoverURL), q.Version, modules)
	t.Logf("%-28s %7s %10s %10s", "job", "bytes", "9600 Bd", "115200 Bd")
	var nativeSlip int
	for _, row := range []struct {
		name   string
		build  func(Receipt, Printer) ([]byte, error)
		r      Receipt
		raster bool
	}{
		{"consent receipt (da)", Action, consentR, false},
		{"handover slip, native QR", HandoverSlip, slipR, false},
		{"handover slip, raster QR", HandoverSlip, slipR, true},
	} {
		job, err := row.build(row.r, Printer{RasterQR: row.raster})
		if err != nil {
			t.Fatalf("%s: %v", row.name, err)
		}
		if row.name == "handover slip, native QR" {
			nativeSlip = len(job)
		}
		t.Logf("%-28s %7d %10v %10v", row.name, len(job), wireTime(len(job), 9600), wireTime(len(job), 115200))
	}
	if budget := 1248; nativeSlip > budget {
		t.Errorf("handover slip with native QR = %d bytes (%v at 9600 baud); want at most %d", nativeSlip, wireTime(nativeSlip, 9600), budget)
	}
}
