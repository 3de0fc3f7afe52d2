package escpos

import (
	"testing"
	"time"
)

// TestMeasureHandoverSlip logs what a handover slip costs on the wire with a
// native QR code and with a raster one (run with -v to see the figures), and
// holds the native slip to its budget of 1,200 bytes.
func TestMeasureHandoverSlip(t *testing.T) {
	native := build(t, sampleReceipt)
	raster := build(t, func(b *Builder) { sampleSlip(b, true) })
	qrNative := build(t, func(b *Builder) { b.QR(handoverURL) })
	qrRaster := build(t, func(b *Builder) { b.QRRaster(handoverURL) })
	wire := func(n, baud int) time.Duration {
		return (time.Duration(n) * 10 * time.Second / time.Duration(baud)).Round(time.Millisecond)
	}
	t.Logf("URL: %d characters (QR alphanumeric), module size %d dots, level Q", len(handoverURL), Config{}.withDefaults().QRModuleSize)
	t.Logf("%-22s %8s %10s %10s", "", "bytes", "9600 Bd", "115200 Bd")
	for _, r := range []struct {
		name string
		n    int
	}{
		{"QR native only", len(qrNative)},
		{"QR raster only", len(qrRaster)},
		{"slip, native QR", len(native)},
		{"slip, raster QR", len(raster)},
	} {
		t.Logf("%-22s %8d %10v %10v", r.name, r.n, wire(r.n, 9600), wire(r.n, 115200))
	}
	if len(native) > 1200 {
		t.Errorf("handover slip with native QR = %d bytes; want at most 1200", len(native))
	}
}
