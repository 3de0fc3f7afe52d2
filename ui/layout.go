package ui

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// The screen scaffolding. Every screen is the same three bands, top to
// bottom: the header ("Læs op", kiosk name, "Skærm og lyd", language, log out,
// banners), the body (the screen's own content, which scrolls) and the
// action bar (notices, then the screen's main action and its way back).
// Only the body scrolls, so the main action and Back are on screen
// whatever the text size, language or panel. The display and sound
// settings live in one panel ("Skærm og lyd") rather than a footer, so the
// body has the height for a whole CPR pad in large text on a 1024×768 panel.
//
// The window must never change size because of what is on it: when a
// canvas's content asks for more than the window (its MinSize), Fyne grows
// the window, and it never shrinks back, so the next person finds buttons
// off the edge. screenLayout therefore asks for nothing (a zero MinSize)
// and shares out the space it is given; the body takes what is left, and
// the bands above and below wrap their buttons into rows rather than grow
// wider than the window. TestEveryScreenFits checks that nothing is ever
// squeezed below its own minimum as a result.

// gap is the space these layouts leave between two objects: the theme
// padding, as Fyne's boxes do. Every control adds a margin of its own on
// top (theme.TouchTarget and friends), so two buttons side by side are
// SizeNameTargetGap apart and a finger cannot hit both.
func gap() float32 { return fynetheme.Padding() }

// screenLayout lays out [header, body, bar]: the bands get their height
// at the full width (two passes, since a band that wraps only knows its
// height once it knows its width), the body the rest. With overlay (a
// screen without actions of its own) a notice or banner in the bar lies
// over the foot of the body instead, so it never changes the body's size:
// the body would otherwise start to scroll, its page buttons appear and
// everything in it narrow under a finger. base is the height of the
// bar's lasting part (its line, kept message room and buttons) at the
// bar's width; 0 when nil or when the bar has no buttons.
//
// On a portrait panel the bar follows the body's content when that is
// shorter than the room (a question and its answers were 1,000 px apart
// on 1080×1920), unless fill: a body that grows into all the room it is
// given (the PIN pad). The bar's foot is placed where the content ends
// plus the lasting part, so a notice appearing grows the bar upwards, as
// at the panel's foot, and the buttons stay under the finger.
type screenLayout struct {
	overlay, fill bool
	base          func() float32
}

// natural is a body that can say how tall its content is at a width.
type natural interface {
	naturalHeight(width float32) float32
}

func (screenLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }

func (l screenLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 3 {
		return
	}
	header, body, bar := objs[0], objs[1], objs[2]
	height := func(o fyne.CanvasObject) float32 {
		if !o.Visible() {
			return 0
		}
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height))
		settle(o)
		h := o.MinSize().Height // now measured at this width
		o.Resize(fyne.NewSize(size.Width, h))
		settle(o)
		return h
	}
	hh, bh := height(header), height(bar)
	pad := fynetheme.Padding()
	y := hh
	if hh > 0 {
		y += pad
	}
	var base float32
	if l.base != nil && bh > 0 {
		base = min(l.base(), bh)
	}
	foot := size.Height // where the bar ends
	if n, ok := body.(natural); ok && !l.fill && base > 0 && size.Height > size.Width {
		foot = min(foot, y+n.naturalHeight(size.Width)+pad+base)
	}
	barY := foot - bh
	bodyH := barY - y
	if bh > 0 {
		bodyH -= pad
	}
	if l.overlay {
		bodyH = foot - y
		if base > 0 {
			bodyH -= base + pad
		}
	}
	body.Move(fyne.NewPos(0, y))
	body.Resize(fyne.NewSize(size.Width, max(bodyH, 0)))
	header.Move(fyne.NewPos(0, 0))
	bar.Move(fyne.NewPos(0, barY))
}

// rowsLayout tries arrangements of its objects in order and uses the first
// in which every row fits the width: each arrangement lists the objects of
// each row by index; objects an arrangement leaves out are hidden (the
// kiosk name makes way for the buttons on a narrow panel). When none fits,
// every object gets a row of its own. In each row the first object, and
// any other of the first lead objects, are at the left, the others at the
// right. Its MinSize is measured at the width it was last laid out at,
// which screenLayout supplies before asking.
type rowsLayout struct {
	arrangements [][][]int
	lead         int // objects with an index below lead go left
	// apart, if above 0, is the index of an object kept a touch target
	// further than gap() from the object before it in its row; half a
	// target where a whole one would cost the arrangement its fit (the
	// header in large English on 1024×768 would take two rows).
	apart int
	share float32 // of the touch target kept, as rows chose it
	width float32 // of the last Layout; 0 before the first
}

// extra is the room kept before objs[apart] when row holds it.
func (l *rowsLayout) extra(objs []fyne.CanvasObject, row []fyne.CanvasObject) float32 {
	if l.apart <= 0 || l.apart >= len(objs) || len(row) < 2 || row[0] == objs[l.apart] {
		return 0
	}
	for _, o := range row {
		if o == objs[l.apart] {
			return l.share * fynetheme.Size(theme.SizeNameTouchTarget)
		}
	}
	return 0
}

func (l *rowsLayout) rows(objs []fyne.CanvasObject, width float32) [][]fyne.CanvasObject {
	pick := func(idx []int) []fyne.CanvasObject {
		var row []fyne.CanvasObject
		for _, i := range idx {
			if i < len(objs) && objs[i] != nil {
				row = append(row, objs[i])
			}
		}
		return row
	}
	for _, arr := range l.arrangements {
		for _, share := range []float32{1, 0.5} {
			l.share = share
			var rows [][]fyne.CanvasObject
			fits := true
			for _, idx := range arr {
				row := pick(idx)
				if len(row) == 0 {
					continue
				}
				fits = fits && (width <= 0 || rowWidth(row)+l.extra(objs, row) <= width)
				rows = append(rows, row)
			}
			if fits {
				return rows
			}
		}
	}
	l.share = 1
	var rows [][]fyne.CanvasObject
	for _, o := range objs {
		rows = append(rows, []fyne.CanvasObject{o})
	}
	return rows
}

func (l *rowsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, row := range l.rows(objs, l.width) {
		s.Height += rowHeight(row)
		if i > 0 {
			s.Height += gap()
		}
	}
	for _, o := range objs {
		s.Width = max(s.Width, o.MinSize().Width) // it wraps, so only the widest counts
	}
	return s
}

func (l *rowsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	shown := map[fyne.CanvasObject]bool{}
	var y float32
	leads := map[fyne.CanvasObject]bool{}
	for i := 0; i < l.lead && i < len(objs); i++ {
		leads[objs[i]] = true
	}
	for _, row := range l.rows(objs, size.Width) {
		h := rowHeight(row)
		n := 1 // how many of the row go left
		for n < len(row) && leads[row[n]] {
			n++
		}
		var left float32
		for _, o := range row[:n] {
			w := min(o.MinSize().Width, size.Width-left)
			o.Move(fyne.NewPos(left, y))
			o.Resize(fyne.NewSize(w, h))
			left += w + gap()
		}
		x := size.Width
		for i := len(row) - 1; i >= n; i-- {
			w := row[i].MinSize().Width
			x -= w
			row[i].Move(fyne.NewPos(x, y))
			row[i].Resize(fyne.NewSize(w, h))
			x -= gap()
			if l.apart > 0 && l.apart < len(objs) && row[i] == objs[l.apart] {
				x -= l.extra(objs, row)
			}
		}
		for _, o := range row {
			shown[o] = true
		}
		y += h + gap()
	}
	for _, o := range objs {
		if shown[o] && !o.Visible() {
			o.Show()
		} else if !shown[o] && o.Visible() {
			o.Hide()
		}
	}
}

// barLayout is the action bar: its buttons in order, Back first and the
// main action last, as many to a row as fit at their own width, each row
// then stretched to the full width (so a lone Back is a wide target).
type barLayout struct {
	flow flowLayout
}

func (l *barLayout) MinSize(objs []fyne.CanvasObject) fyne.Size { return l.flow.MinSize(objs) }

func (l *barLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.flow.width = size.Width
	var y float32
	for _, row := range l.flow.rows(objs, size.Width) {
		h := rowHeight(row)
		extra := (size.Width - rowWidth(row)) / float32(len(row))
		var x float32
		for _, o := range row {
			w := max(o.MinSize().Width+extra, 0)
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(w, h))
			x += w + gap()
		}
		y += h + gap()
	}
}

// flowLayout places its objects left to right at their own width and
// starts a new row when the next one would not fit (the action bar's rows).
type flowLayout struct {
	width float32
}

func (l *flowLayout) rows(objs []fyne.CanvasObject, width float32) [][]fyne.CanvasObject {
	var rows [][]fyne.CanvasObject
	var row []fyne.CanvasObject
	var x float32
	for _, o := range visible(objs) {
		w := o.MinSize().Width
		if len(row) > 0 && width > 0 && x+gap()+w > width {
			rows = append(rows, row)
			row, x = nil, 0
		}
		if len(row) > 0 {
			x += gap()
		}
		row = append(row, o)
		x += w
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func (l *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, row := range l.rows(objs, l.width) {
		if i > 0 {
			s.Height += gap()
		}
		s.Height += rowHeight(row)
		for _, o := range row {
			s.Width = max(s.Width, o.MinSize().Width)
		}
	}
	return s
}

func (l *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	var y float32
	for _, row := range l.rows(objs, size.Width) {
		h := rowHeight(row)
		var x float32
		for _, o := range row {
			w := min(o.MinSize().Width, size.Width)
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(w, h))
			x += w + gap()
		}
		y += h + gap()
	}
}

func visible(objs []fyne.CanvasObject) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, o := range objs {
		if o != nil && o.Visible() {
			out = append(out, o)
		}
	}
	return out
}

// rowWidth is the width of objs side by side with gaps between them.
func rowWidth(objs []fyne.CanvasObject) float32 {
	var w float32
	for i, o := range objs {
		if i > 0 {
			w += gap()
		}
		w += o.MinSize().Width
	}
	return w
}

func rowHeight(objs []fyne.CanvasObject) float32 {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return h
}

// gapRow is an HBox with gap() between its objects, so neighbouring
// buttons in the header are never closer than a finger can tell apart.
type gapRow struct{}

func (gapRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	vis := visible(objs)
	return fyne.NewSize(rowWidth(vis), rowHeight(vis))
}

func (gapRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var x float32
	for _, o := range visible(objs) {
		w := o.MinSize().Width
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + gap()
	}
}

// columnsLayout puts two objects side by side, the first taking the width
// the second leaves, when that is still a third of the whole (room for a
// few words a line); otherwise one above the other. The PIN screen uses it: on a
// landscape panel in large text the pad must sit beside the words, not
// under them, to be seen whole without scrolling.
type columnsLayout struct {
	width       float32 // of the last Layout, as in rowsLayout
	secondFirst bool    // one above the other, the second goes on top (the welcome's picture)
}

func (l *columnsLayout) side(objs []fyne.CanvasObject, width float32) bool {
	return width <= 0 || width-objs[1].MinSize().Width-gap() >= max(width/3, objs[0].MinSize().Width)
}

func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) != 2 {
		return fyne.Size{}
	}
	a, b := objs[0].MinSize(), objs[1].MinSize()
	if l.side(objs, l.width) {
		return fyne.NewSize(a.Width+gap()+b.Width, max(a.Height, b.Height))
	}
	return fyne.NewSize(max(a.Width, b.Width), a.Height+gap()+b.Height)
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	if len(objs) != 2 {
		return
	}
	a, b := objs[0], objs[1]
	if l.side(objs, size.Width) {
		bw := b.MinSize().Width
		a.Move(fyne.NewPos(0, 0))
		a.Resize(fyne.NewSize(size.Width-bw-gap(), size.Height))
		b.Move(fyne.NewPos(size.Width-bw, 0))
		b.Resize(fyne.NewSize(bw, size.Height))
		return
	}
	if l.secondFirst {
		a, b = b, a
	}
	ah := a.MinSize().Height
	a.Move(fyne.NewPos(0, 0))
	a.Resize(fyne.NewSize(size.Width, ah))
	b.Move(fyne.NewPos(0, ah+gap()))
	b.Resize(fyne.NewSize(size.Width, b.MinSize().Height))
}

// settle lays the containers under o out again, top down, at the sizes
// they already have. Fyne lays a container out only when its size changes,
// so after text wrapped to a new width (and grew taller) the boxes around
// it would keep heights measured before; one pass once the widths are
// final gives every box the height its content now needs.
func settle(o fyne.CanvasObject) {
	c, ok := o.(*fyne.Container)
	if !ok || c.Hidden {
		return
	}
	if c.Layout != nil {
		c.Layout.Layout(c.Objects, c.Size())
	}
	for _, child := range c.Objects {
		settle(child)
	}
}

// menuLayout is a grid of equal buttons: two columns when the widest fits
// in half the width (a landscape panel in large text keeps the whole menu
// in view), else one.
type menuLayout struct {
	width float32 // of the last Layout, as in rowsLayout
}

func (l *menuLayout) grid(objs []fyne.CanvasObject, width float32) (cols int, cell fyne.Size) {
	vis := visible(objs)
	for _, o := range vis {
		cell = cell.Max(o.MinSize())
	}
	cols = 1
	if width <= 0 || 2*cell.Width+gap() <= width {
		cols = 2
	}
	return min(cols, max(len(vis), 1)), cell
}

func (l *menuLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	cols, cell := l.grid(objs, l.width)
	rows := (len(visible(objs)) + cols - 1) / cols
	return fyne.NewSize(cell.Width*float32(cols)+gap()*float32(cols-1), cell.Height*float32(rows)+gap()*float32(max(rows-1, 0)))
}

func (l *menuLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	cols, cell := l.grid(objs, size.Width)
	w := (size.Width - gap()*float32(cols-1)) / float32(cols)
	for i, o := range visible(objs) {
		r, c := i/cols, i%cols
		o.Move(fyne.NewPos(float32(c)*(w+gap()), float32(r)*(cell.Height+gap())))
		o.Resize(fyne.NewSize(w, cell.Height))
	}
}

// insetLayout keeps the theme padding around the body's content, but
// gives up the side margins before the content would be squeezed: on a
// narrow panel the space goes to the content (a 1,006 px PIN pad on a
// 1024 px panel), not to empty borders.
type insetLayout struct{}

func (insetLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range visible(objs) {
		m = m.Max(o.MinSize())
	}
	return m.AddWidthHeight(0, 2*fynetheme.Padding())
}

func (insetLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := fynetheme.Padding()
	for _, o := range visible(objs) {
		side := min(pad, max((size.Width-o.MinSize().Width)/2, 0))
		o.Move(fyne.NewPos(side, pad))
		o.Resize(fyne.NewSize(size.Width-2*side, size.Height-2*pad))
	}
}

// wideLayout keeps its one object at least wideTargets touch targets wide
// and half a target wider than any of others: the header's "Læs op", which
// the spoken hint calls the large button, so it must be the largest
// target on the welcome screen (TestWelcomePointsAtTheRightControl).
type wideLayout struct {
	others []fyne.CanvasObject
}

const wideTargets = 3

func (l wideLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range visible(objs) {
		m = m.Max(o.MinSize())
	}
	target := fynetheme.Size(theme.SizeNameTouchTarget)
	m.Width = max(m.Width, wideTargets*target)
	for _, o := range l.others {
		m.Width = max(m.Width, o.MinSize().Width+target/2)
	}
	return m
}

func (wideLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
