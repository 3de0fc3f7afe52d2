package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// TestKioskPicturePlaces draws the welcome screen's kiosk for every pair of
// places, in normal and large text: each device is drawn inside the
// picture at its side of the kiosk, its name is on the same side (a device
// in the middle: the side the other leaves), and the names and devices
// neither leave the picture nor overlap.
func TestKioskPicturePlaces(t *testing.T) {
	app := test.NewTempApp(t)
	for _, s := range []theme.Settings{{}, {LargeText: true}} {
		app.Settings().SetTheme(theme.New(s))
		for _, r := range Places {
			for _, sc := range Places {
				if r == sc {
					continue
				}
				pic := kioskPicture(r, sc, "Kortlæser", "Scanner").(*fyne.Container)
				size := pic.MinSize()
				pic.Resize(size)
				pic.Layout.Layout(pic.Objects, size)
				box := func(o fyne.CanvasObject) (x0, y0, x1, y1 float32) {
					p := o.Position()
					return p.X, p.Y, p.X + o.Size().Width, p.Y + o.Size().Height
				}
				inside := func(what string, o fyne.CanvasObject) {
					if x0, y0, x1, y1 := box(o); x0 < -0.5 || y0 < -0.5 || x1 > size.Width+0.5 || y1 > size.Height+0.5 {
						t.Errorf("%v reader %s, scanner %s: %s at (%.0f,%.0f)–(%.0f,%.0f) leaves the %v picture", s, r, sc, what, x0, y0, x1, y1, size)
					}
				}
				overlap := func(a, b fyne.CanvasObject) bool {
					ax0, ay0, ax1, ay1 := box(a)
					bx0, by0, bx1, by1 := box(b)
					return ax0 < bx1 && bx0 < ax1 && ay0 < by1 && by0 < ay1
				}
				reader, scanner, readerName, scannerName := pic.Objects[4], pic.Objects[6], pic.Objects[10], pic.Objects[11]
				for what, o := range map[string]fyne.CanvasObject{"the reader": reader, "the scanner": scanner, "the reader's name": readerName, "the scanner's name": scannerName} {
					inside(what, o)
				}
				if overlap(reader, scanner) || overlap(readerName, scannerName) {
					t.Errorf("%v reader %s, scanner %s: the devices or their names overlap", s, r, sc)
				}
				mid := size.Width / 2
				side := func(dev, name fyne.CanvasObject, other fyne.CanvasObject) {
					dc := dev.Position().X + dev.Size().Width/2
					nc := name.Position().X + name.Size().Width/2
					want := dc < mid-0.5 || (dc >= mid-0.5 && dc <= mid+0.5 && other.Position().X+other.Size().Width/2 > mid)
					if got := nc < mid; got != want {
						t.Errorf("%v reader %s, scanner %s: a name at x %.0f is on the wrong side of its device at %.0f (middle %.0f)", s, r, sc, nc, dc, mid)
					}
				}
				side(reader, readerName, scanner)
				side(scanner, scannerName, reader)
				if (r == PlaceLeft || r == PlaceBelowLeft) != (reader.Position().X+reader.Size().Width/2 < mid) {
					t.Errorf("%v: the reader at %s is drawn at x %.0f of %.0f", s, r, reader.Position().X, size.Width)
				}
			}
		}
	}
}

func TestConfigRefusesBadPlaces(t *testing.T) {
	for _, tc := range []struct{ reader, scanner Place }{{"under", PlaceBelow}, {PlaceLeft, ""}, {PlaceRight, PlaceRight}} {
		c := DefaultConfig()
		c.CardReaderPlace, c.ScannerPlace = tc.reader, tc.scanner
		if err := c.Validate(); err == nil {
			t.Errorf("Validate with reader %q, scanner %q = nil; want an error", tc.reader, tc.scanner)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("DefaultConfig().Validate() = %v", err)
	}
}
