package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	fynetheme "fyne.io/fyne/v2/theme"
)

// kioskPicture draws the kiosk from the front, from canvas shapes in the
// theme's colours (no image files, so it follows high contrast and large
// text): its screen, the card reader with a card going in and the QR
// scanner with its lit window, each where this site's enclosure has it
// (Config.CardReaderPlace, ScannerPlace), and each named beside the kiosk
// with a line to it.
func kioskPicture(reader, scanner Place, readerName, scannerName string) fyne.CanvasObject {
	th := fynetheme.Current()
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, fynetheme.VariantLight) }
	border := th.Size(fynetheme.SizeNameInputBorder)
	rect := func(fill, stroke fyne.ThemeColorName, radius float32) *canvas.Rectangle {
		r := canvas.NewRectangle(c(fill))
		if stroke != "" {
			r.StrokeColor = c(stroke)
			r.StrokeWidth = 2 * border
		}
		r.CornerRadius = radius
		return r
	}
	radius := th.Size(fynetheme.SizeNameInputRadius)
	// Leader lines are thin rectangles: a canvas.Line has no height when
	// level, and the fit test would take it for a squeezed object.
	line := func() *canvas.Rectangle { return canvas.NewRectangle(c(fynetheme.ColorNameForeground)) }
	label := func(text string) *canvas.Text {
		t := canvas.NewText(text, c(fynetheme.ColorNameForeground))
		t.TextSize = th.Size(fynetheme.SizeNameText)
		t.TextStyle = fyne.TextStyle{Bold: true}
		return t
	}
	p := &kioskPictureLayout{reader: reader, scanner: scanner}
	objs := []fyne.CanvasObject{
		rect(fynetheme.ColorNameInputBackground, fynetheme.ColorNameForeground, 2*radius), // body
		rect(fynetheme.ColorNameInputBackground, fynetheme.ColorNameForeground, radius),   // foot
		rect(fynetheme.ColorNamePrimary, fynetheme.ColorNameForeground, radius),           // screen
		rect(fynetheme.ColorNamePrimary, fynetheme.ColorNameForeground, radius/2),         // card, behind the reader
		rect(fynetheme.ColorNameForeground, "", radius),                                   // reader
		rect(fynetheme.ColorNameBackground, "", 0),                                        // its slot
		rect(fynetheme.ColorNameForeground, "", radius),                                   // scanner
		rect(fynetheme.ColorNameWarning, "", radius/2),                                    // its window
		line(), line(), label(readerName), label(scannerName),
	}
	return &fyne.Container{Layout: p, Objects: objs}
}

// kioskPictureLayout places kioskPicture's shapes in a box 15 × the body
// text size tall (270 px, 420 in large text: the kiosk's body 160 and 250
// px wide, big enough to see the devices on it): the kiosk in the middle, the
// names in the margins, each on the side of its device.
type kioskPictureLayout struct {
	reader, scanner Place
}

func (kioskPictureLayout) height() float32 {
	return 15 * fynetheme.Current().Size(fynetheme.SizeNameText)
}

// MinSize leaves each name room in its margin: from the middle, a device
// on the shelf and its line reach 0.4 h, one on a side 0.5 h.
func (l kioskPictureLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := l.height()
	w := 1.4 * h
	reach := func(p Place) float32 {
		if p == PlaceLeft || p == PlaceRight {
			return 0.52 * h
		}
		return 0.42 * h
	}
	for i, p := range []Place{l.reader, l.scanner} {
		w = max(w, 2*(objs[10+i].MinSize().Width+reach(p)))
	}
	return fyne.NewSize(w, h)
}

// deviceBox is where a device at p sits, in units of the picture's
// height, from the kiosk's centre line (x) and top (y).
func deviceBox(p Place) (x, y, w, h float32) {
	switch p {
	case PlaceBelowLeft:
		return -0.26, 0.62, 0.16, 0.12
	case PlaceBelow:
		return -0.08, 0.62, 0.16, 0.12
	case PlaceBelowRight:
		return 0.1, 0.62, 0.16, 0.12
	case PlaceLeft:
		return -0.4, 0.3, 0.1, 0.2
	}
	return 0.3, 0.3, 0.1, 0.2 // PlaceRight
}

func (l kioskPictureLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	h := min(l.height(), size.Height)
	mid := size.Width / 2
	y0 := (size.Height - h) / 2
	at := func(o fyne.CanvasObject, x, y, w, hh float32) {
		o.Move(fyne.NewPos(mid+x*h, y0+y*h))
		o.Resize(fyne.NewSize(w*h, hh*h))
	}
	body, foot, screen, card, reader, slot, scanner, window := objs[0], objs[1], objs[2], objs[3], objs[4], objs[5], objs[6], objs[7]
	at(body, -0.3, 0.02, 0.6, 0.86)
	at(foot, -0.24, 0.88, 0.48, 0.1)
	at(screen, -0.24, 0.08, 0.48, 0.46)
	rx, ry, rw, rh := deviceBox(l.reader)
	at(reader, rx, ry, rw, rh)
	switch {
	case rw > rh: // on the shelf: the slot on top, the card going down into it
		at(slot, rx+0.03, ry+0.02, rw-0.06, 0.02)
		at(card, rx+0.045, ry-0.1, rw-0.09, 0.14)
	case rx < 0: // on the left side: the slot faces left, the card goes in from there
		at(slot, rx+0.02, ry+0.03, 0.02, rh-0.06)
		at(card, rx-0.1, ry+0.05, 0.14, rh-0.1)
	default:
		at(slot, rx+rw-0.04, ry+0.03, 0.02, rh-0.06)
		at(card, rx+rw-0.04, ry+0.05, 0.14, rh-0.1)
	}
	sx, sy, sw, sh := deviceBox(l.scanner)
	at(scanner, sx, sy, sw, sh)
	at(window, sx+0.03, sy+0.03, sw-0.06, sh-0.06)

	// Each name goes on its device's side, a line from the name to the
	// device; a device in the middle takes the side the other one leaves.
	left := func(x, w float32, other float32) bool {
		if c := x + w/2; c != 0 {
			return c < 0
		}
		return other > 0
	}
	thick := 2 * fynetheme.Current().Size(fynetheme.SizeNameInputBorder)
	name := func(text, ln fyne.CanvasObject, x, y, w, hh float32, onLeft bool) {
		ts := text.MinSize()
		cy := y0 + (y+hh/2)*h
		var tx, lx1, lx2 float32
		if onLeft {
			lx2 = mid + x*h
			lx1 = min(mid-0.36*h, lx2-0.08*h)
			tx = lx1 - 0.02*h - ts.Width
		} else {
			lx2 = mid + (x+w)*h
			lx1 = max(mid+0.36*h, lx2+0.08*h)
			tx = lx1 + 0.02*h
		}
		text.Move(fyne.NewPos(tx, cy-ts.Height/2))
		text.Resize(ts)
		ln.Move(fyne.NewPos(min(lx1, lx2), cy-thick/2))
		ln.Resize(fyne.NewSize(max(lx1, lx2)-min(lx1, lx2), thick))
	}
	name(objs[10], objs[8], rx, ry, rw, rh, left(rx, rw, sx+sw/2))
	name(objs[11], objs[9], sx, sy, sw, sh, left(sx, sw, rx+rw/2))
}
