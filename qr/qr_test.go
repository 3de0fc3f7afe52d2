package qr

import (
	"bytes"
	"image/png"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// The standard level names map to skip2's off-by-one names: Q is its High.
func TestLevelNames(t *testing.T) {
	for _, tc := range []struct {
		in   Level
		want qrcode.RecoveryLevel
	}{{L, qrcode.Low}, {M, qrcode.Medium}, {Q, qrcode.High}, {H, qrcode.Highest}, {Level(9), qrcode.Low}} {
		if got := tc.in.skip(); got != tc.want {
			t.Errorf("Level(%d).skip() = %v; want %v", tc.in, got, tc.want)
		}
	}
	if Default != Q {
		t.Errorf("Default = %d; want Q", Default)
	}
}

// New gives the same symbol as skip2 at the matching level, and refuses data
// no version can hold.
func TestNew(t *testing.T) {
	c, err := New("HTTPS://EXAMPLE.DK/H/ABC", Q)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := qrcode.New("HTTPS://EXAMPLE.DK/H/ABC", qrcode.High)
	if c.Version != want.VersionNumber || len(c.Modules) != len(want.Bitmap()) {
		t.Errorf("New = version %d, %d modules; want %d, %d", c.Version, len(c.Modules), want.VersionNumber, len(want.Bitmap()))
	}
	if _, err := New(string(bytes.Repeat([]byte("x"), 4000)), H); err == nil {
		t.Error("New(4000 bytes, H) = nil error; want too long")
	}
}

func TestPNG(t *testing.T) {
	b, err := PNG("HEJ", 100)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Dx(); got != 100 {
		t.Errorf("PNG width = %d; want 100", got)
	}
}
