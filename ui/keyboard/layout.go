package keyboard

import (
	"math"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	bktheme "github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// rowsRenderer lays out rows of keys, each row centred, the target gap
// (bktheme.SizeNameTargetGap) apart so a finger that misses a key does not
// hit its neighbour. Keys grow with the space given, keeping their width in
// units, and never shrink below their minimum size.
type rowsRenderer struct {
	w    fyne.Widget
	rows func() [][]*Key
	// gapOf is the space between keys; nil: keyGap.
	gapOf func(fyne.Theme) float32
	// grow is how many times its height a unit may grow wide; 0: 1.6.
	grow float32
}

func (r *rowsRenderer) theme() fyne.Theme {
	if tw, ok := r.w.(interface{ Theme() fyne.Theme }); ok {
		return tw.Theme()
	}
	return fynetheme.Current()
}

// keyGap is the space between two keys under th.
func keyGap(th fyne.Theme) float32 {
	return max(th.Size(bktheme.SizeNameTargetGap), bktheme.MinTargetGap)
}

func (r *rowsRenderer) gap() float32 {
	if r.gapOf != nil {
		return r.gapOf(r.theme())
	}
	return keyGap(r.theme())
}

func rowUnits(row []*Key) float32 {
	var u float32
	for _, k := range row {
		u += k.units
	}
	return u
}

// unit returns the smallest key width (one unit) and key height that fit
// every key's minimum size.
func (r *rowsRenderer) unitMin() (w, h float32) {
	pad := r.gap()
	for _, row := range r.rows() {
		for _, k := range row {
			m := k.MinSize()
			w = max(w, (m.Width-pad*(k.units-1))/k.units)
			h = max(h, m.Height)
		}
	}
	return w, h
}

func (r *rowsRenderer) MinSize() fyne.Size {
	pad := r.gap()
	uw, uh := r.unitMin()
	rows := r.rows()
	var width float32
	for _, row := range rows {
		width = max(width, uw*rowUnits(row)+pad*(rowUnits(row)-1))
	}
	n := float32(len(rows))
	return fyne.NewSize(width, uh*n+pad*(n-1))
}

func (r *rowsRenderer) Layout(size fyne.Size) {
	pad := r.gap()
	y := float32(0)
	rows := r.rows()
	uw, uh := r.unitMin()
	// Grow the unit to what the widest row can fit, up to a limit; never
	// below the minimum (MinSize keeps us from being given less).
	fit := float32(-1)
	for _, row := range rows {
		units := rowUnits(row)
		f := (size.Width - pad*(units-1)) / units
		if fit < 0 || f < fit {
			fit = f
		}
	}
	if fit > uw {
		// Whole pixels, so that rounding never leaves two keys a hair
		// closer than the gap.
		uw = max(uw, float32(math.Floor(float64(min(fit, r.maxUnit(uh))))))
	}
	n := float32(len(rows))
	kh := uh
	if avail := (size.Height - y - pad*(n-1)) / n; avail > kh {
		kh = min(avail, uw*1.2) // keys stay roughly square
		kh = max(kh, uh)
	}
	for _, row := range rows {
		units := rowUnits(row)
		rowW := uw*units + pad*(units-1)
		x := float32(math.Floor(float64(size.Width-rowW) / 2))
		for _, k := range row {
			w := uw*k.units + pad*(k.units-1)
			k.Move(fyne.NewPos(x, y))
			k.Resize(fyne.NewSize(w, kh))
			x += w + pad
		}
		y += kh + pad
	}
}

// maxUnit keeps keys from growing absurdly wide on a wide screen.
func (r *rowsRenderer) maxUnit(h float32) float32 {
	if r.grow > 0 {
		return h * r.grow
	}
	return h * 1.6
}

func (r *rowsRenderer) Objects() []fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for _, row := range r.rows() {
		for _, k := range row {
			objs = append(objs, k)
		}
	}
	return objs
}

func (r *rowsRenderer) Refresh() {
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

func (r *rowsRenderer) Destroy() {}
