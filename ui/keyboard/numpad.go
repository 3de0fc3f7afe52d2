package keyboard

import (
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	bktheme "github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// maskChar is the same bullet Fyne uses for password entries.
const maskChar = "•"

// DoubleTapWindow is how soon a second tap of the same on-screen key is
// taken for an unsteady hand's double strike and ignored (EN 301 549 5.8).
const DoubleTapWindow = 250 * time.Millisecond

// numPad is what the PIN pad and the CPR pad share: a display above
// keys 1–9, delete, 0, OK in phone order, and a buffer of digits.
type numPad struct {
	now     func() time.Time // nil: time.Now
	lastKey string           // the last on-screen key accepted
	lastAt  time.Time        // and when
	digits  []byte
	maxLen  func() int
	keys    map[string]*Key
	rows    [][]*Key
	display display
	labels  Labels
	format  func(digits []byte) string
	onOK    func()
	changed func()
	refresh func() // redraws the display; set by the renderer
	// aside is drawn right of the display, and as much room is kept left
	// of it, so the display and the keys stay centred on each other.
	aside fyne.CanvasObject
}

// display shows what is typed above the keys. Its height never changes, and
// its width is reserved for the longest input, so the keys never move
// while a person types.
type display interface {
	objects() []fyne.CanvasObject
	minSize(th fyne.Theme) fyne.Size
	layout(th fyne.Theme, size fyne.Size)
	refresh(th fyne.Theme, digits []byte)
}

// boxDisplay is the CPR box: one framed slot per digit in groups (six,
// a dash, four), the typed digit in its slot and the primary colour around
// the slot the next digit goes in. While nothing is typed the empty slots
// show where the digits will appear. Its size never changes.
type boxDisplay struct {
	groups []int
	slots  []*canvas.Rectangle
	texts  []*canvas.Text
	dashes []*canvas.Text // one between each two groups
	n      int            // digits typed at the last refresh
}

func newBoxDisplay(groups ...int) *boxDisplay {
	d := &boxDisplay{groups: groups}
	for _, g := range groups {
		for range g {
			d.slots = append(d.slots, canvas.NewRectangle(color.Transparent))
			t := canvas.NewText("", color.Black)
			t.Alignment = fyne.TextAlignCenter
			t.TextStyle = fyne.TextStyle{Bold: true}
			d.texts = append(d.texts, t)
		}
	}
	for range len(groups) - 1 {
		t := canvas.NewText("-", color.Black)
		t.Alignment = fyne.TextAlignCenter
		t.TextStyle = fyne.TextStyle{Bold: true}
		d.dashes = append(d.dashes, t)
	}
	return d
}

func (d *boxDisplay) objects() []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for i := range d.slots {
		out = append(out, d.slots[i], d.texts[i])
	}
	for _, t := range d.dashes {
		out = append(out, t)
	}
	return out
}

func (d *boxDisplay) textSize(th fyne.Theme) float32 { return th.Size(fynetheme.SizeNameHeadingText) }

// slotSize fits one digit at heading size, a little room at its sides:
// the box must stay narrow enough for the words to go beside the pad in
// large text on 1024×768 (ui's TestEveryScreenFits).
func (d *boxDisplay) slotSize(th fyne.Theme) (slot fyne.Size, dash float32) {
	st := fyne.TextStyle{Bold: true}
	digit := fyne.MeasureText("0", d.textSize(th), st)
	pad := th.Size(fynetheme.SizeNameInnerPadding)
	return fyne.NewSize(digit.Width+pad*2/3, digit.Height+pad), fyne.MeasureText("-", d.textSize(th), st).Width + pad/3
}

// gap keeps the slots apart as far as two keys are: boxes that touch read
// as one long bar, and a digit cannot be told to its slot at a glance.
func (d *boxDisplay) gap(th fyne.Theme) float32 { return keyGap(th) }

func (d *boxDisplay) minSize(th fyne.Theme) fyne.Size {
	s, dash := d.slotSize(th)
	n := float32(len(d.slots))
	return fyne.NewSize(n*s.Width+(n-1)*d.gap(th)+float32(len(d.dashes))*(dash+d.gap(th)), s.Height)
}

func (d *boxDisplay) layout(th fyne.Theme, size fyne.Size) {
	s, dash := d.slotSize(th)
	gap := d.gap(th)
	x := (size.Width - d.minSize(th).Width) / 2
	i := 0
	for g, n := range d.groups {
		if g > 0 {
			t := d.dashes[g-1]
			t.Move(fyne.NewPos(x, 0))
			t.Resize(fyne.NewSize(dash, s.Height))
			x += dash + gap
		}
		for range n {
			d.slots[i].Move(fyne.NewPos(x, 0))
			d.slots[i].Resize(s)
			d.texts[i].Move(fyne.NewPos(x, 0))
			d.texts[i].Resize(s)
			x += s.Width + gap
			i++
		}
	}
}

// styleSlots draws the slots of a PIN or CPR box: framed in the input
// border, the one at next (where the next digit goes) in the primary colour.
func styleSlots(th fyne.Theme, slots []*canvas.Rectangle, next int) {
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, fynetheme.VariantLight) }
	border := th.Size(fynetheme.SizeNameInputBorder)
	for i, r := range slots {
		r.FillColor = c(fynetheme.ColorNameInputBackground)
		r.StrokeColor = c(fynetheme.ColorNameInputBorder)
		r.StrokeWidth = border
		if i == next {
			r.StrokeColor = c(fynetheme.ColorNamePrimary)
			r.StrokeWidth = 2 * border
		}
		r.CornerRadius = th.Size(fynetheme.SizeNameInputRadius)
		r.Refresh()
	}
}

func (d *boxDisplay) refresh(th fyne.Theme, digits []byte) {
	d.n = len(digits)
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, fynetheme.VariantLight) }
	styleSlots(th, d.slots, d.n)
	for i := range d.slots {
		t := d.texts[i]
		t.Text = ""
		if i < len(digits) {
			t.Text = string(digits[i])
		}
		t.Color = c(fynetheme.ColorNameForeground)
		t.TextSize = d.textSize(th)
		t.Refresh()
	}
	for _, t := range d.dashes {
		t.Color = c(fynetheme.ColorNameForeground)
		t.TextSize = d.textSize(th)
		t.Refresh()
	}
}

// slotDisplay is the PIN box: one slot per digit (at least minSlots, so a
// four-digit PIN shows four places to fill), a large dot in each slot that
// is filled and the primary colour around the slot the next digit goes in.
// It draws no text at all, so nothing on it can give a digit away.
type slotDisplay struct {
	minSlots int
	maxLen   func() int
	slots    []*canvas.Rectangle
	dots     []*canvas.Circle
	n        int // digits typed at the last refresh
}

func newSlotDisplay(minSlots int, maxLen func() int) *slotDisplay {
	return &slotDisplay{minSlots: minSlots, maxLen: maxLen}
}

// ensure makes objects for up to the pad's MaxLen slots.
func (d *slotDisplay) ensure() {
	for len(d.slots) < max(d.maxLen(), d.minSlots) {
		d.slots = append(d.slots, canvas.NewRectangle(color.Transparent))
		d.dots = append(d.dots, canvas.NewCircle(color.Transparent))
	}
}

func (d *slotDisplay) objects() []fyne.CanvasObject {
	d.ensure()
	var out []fyne.CanvasObject
	for i := range d.slots {
		out = append(out, d.slots[i], d.dots[i])
	}
	return out
}

// slotSize is one slot: a little narrower than a key, and about as tall.
func (d *slotDisplay) slotSize(th fyne.Theme) fyne.Size {
	side := max(th.Size(bktheme.SizeNamePadKey), bktheme.MinPadKey)
	return fyne.NewSize(side*0.62, side*0.7)
}

func (d *slotDisplay) shown() int { return min(max(d.minSlots, d.n+1), max(d.maxLen(), d.minSlots)) }

// minSize is the box as shown now: a slot more appears only beyond the
// fourth digit, and the box grows to both sides, so the keys (centred on it)
// do not move.
func (d *slotDisplay) minSize(th fyne.Theme) fyne.Size {
	s := d.slotSize(th)
	n := float32(d.shown())
	return fyne.NewSize(n*s.Width+(n-1)*keyGap(th), s.Height)
}

func (d *slotDisplay) layout(th fyne.Theme, size fyne.Size) {
	d.ensure()
	s := d.slotSize(th)
	gap := keyGap(th)
	n := d.shown()
	w := float32(n)*s.Width + float32(n-1)*gap
	x := (size.Width - w) / 2
	dot := s.Height * 0.42
	for i := range d.slots {
		if i >= n {
			d.slots[i].Hide()
			d.dots[i].Hide()
			continue
		}
		d.slots[i].Show()
		d.slots[i].Move(fyne.NewPos(x, 0))
		d.slots[i].Resize(s)
		d.dots[i].Move(fyne.NewPos(x+(s.Width-dot)/2, (s.Height-dot)/2))
		d.dots[i].Resize(fyne.NewSquareSize(dot))
		if i < d.n {
			d.dots[i].Show()
		} else {
			d.dots[i].Hide()
		}
		x += s.Width + gap
	}
}

func (d *slotDisplay) refresh(th fyne.Theme, digits []byte) {
	d.ensure()
	d.n = len(digits)
	styleSlots(th, d.slots, d.n)
	for _, dot := range d.dots {
		dot.FillColor = th.Color(fynetheme.ColorNameForeground, fynetheme.VariantLight)
		dot.Refresh()
	}
}

func (p *numPad) init(owner fyne.Widget, fwd Target) {
	p.keys = map[string]*Key{}
	p.labels = DanishLabels()
	padKey := func(k *Key) *Key {
		k.side, k.minSide, k.padding = bktheme.SizeNamePadKey, bktheme.MinPadKey, fynetheme.SizeNameInnerPadding
		return k
	}
	digit := func(d byte) *Key {
		k := padKey(newKey(string(d), nil, 1, p.filtered(string(d), func() { p.typeDigit(d) }), fwd))
		p.keys[string(d)] = k
		return k
	}
	del := padKey(newKey("", fynetheme.NavigateBackIcon(), 1, p.filtered(KeyDelete, p.deleteDigit), fwd))
	ok := padKey(newKey("", nil, 1, p.filtered(KeyOK, func() {
		if p.onOK != nil {
			p.onOK()
		}
	}), fwd))
	ok.important = true
	p.keys[KeyDelete], p.keys[KeyOK] = del, ok
	p.rows = [][]*Key{
		{digit('1'), digit('2'), digit('3')},
		{digit('4'), digit('5'), digit('6')},
		{digit('7'), digit('8'), digit('9')},
		{del, digit('0'), ok},
	}
	p.applyLabels()
}

// filtered wraps an on-screen key's action so that a second tap of the
// same key within DoubleTapWindow does nothing. A different key in between
// always counts. Physical keys are not filtered: the OS's key-repeat and
// debounce settings govern them.
func (p *numPad) filtered(id string, f func()) func() {
	return func() {
		now := time.Now
		if p.now != nil {
			now = p.now
		}
		t := now()
		if id == p.lastKey && !p.lastAt.IsZero() && t.Sub(p.lastAt) >= 0 && t.Sub(p.lastAt) < DoubleTapWindow {
			return
		}
		p.lastKey, p.lastAt = id, t
		f()
	}
}

func (p *numPad) applyLabels() {
	p.keys[KeyDelete].setLabel(p.labels.Delete, p.labels.Delete)
	p.keys[KeyOK].setLabel(p.labels.OK, p.labels.OK)
}

func (p *numPad) typeDigit(d byte) {
	if d < '0' || d > '9' || len(p.digits) >= p.maxLen() {
		return
	}
	p.digits = append(p.digits, d)
	p.update()
}

func (p *numPad) deleteDigit() {
	if len(p.digits) == 0 {
		return
	}
	p.digits[len(p.digits)-1] = 0
	p.digits = p.digits[:len(p.digits)-1]
	p.update()
}

// clear overwrites the digits before dropping them, so a PIN does not stay
// in the backing array.
func (p *numPad) clear() {
	for i := range p.digits {
		p.digits[i] = 0
	}
	p.digits = p.digits[:0]
	p.update()
}

func (p *numPad) update() {
	if p.refresh != nil {
		p.refresh()
	}
	if p.changed != nil {
		p.changed()
	}
}

func (p *numPad) typedRune(r rune) {
	if r >= '0' && r <= '9' {
		p.typeDigit(byte(r))
	}
}

func (p *numPad) typedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyBackspace, fyne.KeyDelete:
		p.deleteDigit()
	case fyne.KeyReturn, fyne.KeyEnter:
		if p.onOK != nil {
			p.onOK()
		}
	}
}

func (p *numPad) renderer(w fyne.Widget, th func() fyne.Theme) fyne.WidgetRenderer {
	// Up to 2.5 × its least width: twelve keys never crowd, and on a tall
	// panel the pad fills the room instead of leaving it empty.
	r := &padRenderer{keys: rowsRenderer{w: w, rows: func() [][]*Key { return p.rows }, grow: 2.5}, pad: p, th: th}
	p.refresh = func() {
		p.display.refresh(th(), p.digits)
		p.display.layout(th(), fyne.NewSize(r.size.Width, p.display.minSize(th()).Height))
	}
	r.Refresh()
	return r
}

// padRenderer draws the display above the key rows. The keys grow into
// the room they are given (a portrait panel) and stay centred, whatever
// the display shows.
type padRenderer struct {
	keys rowsRenderer
	pad  *numPad
	th   func() fyne.Theme
	size fyne.Size // as last laid out
}

func (r *padRenderer) Refresh() {
	r.pad.display.refresh(r.th(), r.pad.digits)
	r.keys.Refresh()
	r.Layout(r.size)
}

// space is what lies between the display and the keys.
func (r *padRenderer) space(th fyne.Theme) float32 { return keyGap(th) }

// top is the size of the display row: the display, with the aside (if
// any) at its right and its width again at its left.
func (r *padRenderer) top(th fyne.Theme) (row, aside fyne.Size) {
	d := r.pad.display.minSize(th)
	if r.pad.aside == nil || !r.pad.aside.Visible() {
		return d, fyne.Size{}
	}
	a := r.pad.aside.MinSize()
	return fyne.NewSize(d.Width+2*(a.Width+keyGap(th)), max(d.Height, a.Height)), a
}

func (r *padRenderer) MinSize() fyne.Size {
	th := r.th()
	k := r.keys.MinSize()
	t, _ := r.top(th)
	return fyne.NewSize(max(k.Width, t.Width), k.Height+t.Height+r.space(th))
}

func (r *padRenderer) Layout(size fyne.Size) {
	th := r.th()
	r.size = size
	t, a := r.top(th)
	d := r.pad.display.minSize(th)
	r.pad.display.layout(th, fyne.NewSize(size.Width, d.Height))
	for _, o := range r.pad.display.objects() {
		o.Move(o.Position().AddXY(0, (t.Height-d.Height)/2))
	}
	if a.Width > 0 {
		r.pad.aside.Resize(a)
		r.pad.aside.Move(fyne.NewPos((size.Width+t.Width)/2-a.Width, (t.Height-a.Height)/2))
	}
	k := r.keys.MinSize()
	k = fyne.NewSize(max(size.Width, k.Width), max(size.Height-t.Height-r.space(th), k.Height))
	r.keys.Layout(k)
	off := fyne.NewPos((size.Width-k.Width)/2, t.Height+r.space(th))
	for _, row := range r.pad.rows {
		for _, key := range row {
			key.Move(key.Position().Add(off))
		}
	}
}

func (r *padRenderer) Objects() []fyne.CanvasObject {
	objs := r.pad.display.objects()
	if r.pad.aside != nil {
		objs = append(objs, r.pad.aside)
	}
	return append(objs, r.keys.Objects()...)
}

func (r *padRenderer) Destroy() {}

// PinPad is a numeric pad for a card PIN. What is typed is shown only as
// bullets, and neither its rendered text nor its Description ever contains
// a digit that was typed: only how many. It never speaks or logs the PIN.
// All methods must run on the Fyne goroutine.
type PinPad struct {
	widget.BaseWidget

	// MinLen is the fewest digits OK accepts (default 4); MaxLen the most
	// that can be typed (default 8).
	MinLen, MaxLen int
	// OnSubmit gets the PIN when OK is tapped with at least MinLen digits.
	// The pad is cleared right after.
	OnSubmit func(pin string)
	// OnChanged is told the number of digits after each change (for a hint
	// or read-aloud of the count).
	OnChanged func(n int)
	// Now is the clock for the double-tap filter (DoubleTapWindow); time.Now
	// if nil.
	Now func() time.Time

	pad numPad
}

var _ Target = (*PinPad)(nil)

// NewPinPad returns a Danish-labelled PIN pad.
func NewPinPad(onSubmit func(pin string)) *PinPad {
	p := &PinPad{MinLen: 4, MaxLen: 8, OnSubmit: onSubmit}
	p.ExtendBaseWidget(p)
	p.pad.format = func(d []byte) string { return strings.TrimSpace(strings.Repeat(maskChar+" ", len(d))) }
	p.pad.onOK = p.submit
	p.pad.changed = func() {
		if p.OnChanged != nil {
			p.OnChanged(len(p.pad.digits))
		}
	}
	p.pad.maxLen = func() int { return p.MaxLen }
	p.pad.display = newSlotDisplay(4, p.pad.maxLen)
	p.pad.now = func() time.Time { return clockOf(p.Now) }
	p.pad.init(p, p)
	return p
}

// Key returns the key with id "0"–"9", KeyDelete or KeyOK, or nil.
func (p *PinPad) Key(id string) *Key { return p.pad.keys[id] }

// Len returns how many digits have been typed.
func (p *PinPad) Len() int { return len(p.pad.digits) }

// DisplayText describes the PIN box in text: a bullet per digit typed. The
// box itself draws dots in slots, and no text.
func (p *PinPad) DisplayText() string { return p.pad.format(p.pad.digits) }

// Description says how many digits are typed, in words, for read-aloud.
func (p *PinPad) Description() string { return p.pad.labels.DigitsEntered(len(p.pad.digits)) }

// Clear forgets the typed digits (call it when a session ends).
func (p *PinPad) Clear() { p.pad.clear() }

// SetAside puts obj (a button such as "how many digits?") right of the PIN
// box, outside the keys, keeping the box and the keys centred.
func (p *PinPad) SetAside(obj fyne.CanvasObject) {
	p.pad.aside = obj
	p.Refresh()
}

// MinSizeAlone is the least size of the PIN box and the keys without the
// aside: for a screen too short to stack its words above the pad, which
// then shows the aside beside the pad and hides it here (an aside that is
// not Visible takes no room).
func (p *PinPad) MinSizeAlone() fyne.Size {
	alone := p.pad
	alone.aside = nil
	r := padRenderer{keys: rowsRenderer{w: p, rows: func() [][]*Key { return alone.rows }}, pad: &alone, th: p.Theme}
	return r.MinSize()
}

// SetLabels changes the words on the keys and in Description.
func (p *PinPad) SetLabels(l Labels) {
	p.pad.labels = l
	p.pad.applyLabels()
}

// TypedRune accepts digits from a physical keypad.
func (p *PinPad) TypedRune(r rune) { p.pad.typedRune(r) }

// TypedKey accepts Backspace and Return from a physical keypad.
func (p *PinPad) TypedKey(e *fyne.KeyEvent) { p.pad.typedKey(e) }

func (p *PinPad) submit() {
	if len(p.pad.digits) < p.MinLen {
		return
	}
	pin := string(p.pad.digits)
	p.pad.clear()
	if p.OnSubmit != nil {
		p.OnSubmit(pin)
	}
}

// CreateRenderer draws the PIN box above the keys.
func (p *PinPad) CreateRenderer() fyne.WidgetRenderer {
	return p.pad.renderer(p, p.Theme)
}

// CPRPad is a numeric pad for a CPR number (DDMMYY-SSSS). The hyphen is put
// in by the pad after the sixth digit; the person types digits only. It does
// not judge whether the date is real: the screen checks Value with the
// domain's ParseCPR and says cpr.invalid or cpr.future. All methods must run
// on the Fyne goroutine.
type CPRPad struct {
	widget.BaseWidget

	// OnChanged gets the formatted value after each change.
	OnChanged func(value string)
	// OnSubmit gets the formatted value when OK is tapped with 10 digits.
	OnSubmit func(cpr string)
	// Now is the clock for the double-tap filter (DoubleTapWindow); time.Now
	// if nil.
	Now func() time.Time

	pad numPad
}

var _ Target = (*CPRPad)(nil)

// NewCPRPad returns a Danish-labelled CPR pad.
func NewCPRPad(onSubmit func(cpr string)) *CPRPad {
	c := &CPRPad{OnSubmit: onSubmit}
	c.ExtendBaseWidget(c)
	c.pad.maxLen = func() int { return 10 }
	c.pad.format = FormatCPR
	c.pad.display = newBoxDisplay(6, 4)
	c.pad.onOK = func() {
		if len(c.pad.digits) == 10 && c.OnSubmit != nil {
			c.OnSubmit(c.Value())
		}
	}
	c.pad.changed = func() {
		if c.OnChanged != nil {
			c.OnChanged(c.Value())
		}
	}
	c.pad.now = func() time.Time { return clockOf(c.Now) }
	c.pad.init(c, c)
	return c
}

func clockOf(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}

// FormatCPR writes up to ten digits as DDMMYY-SSSS, the hyphen appearing
// once the sixth digit is there.
func FormatCPR(digits []byte) string {
	if len(digits) < 6 {
		return string(digits)
	}
	return string(digits[:6]) + "-" + string(digits[6:])
}

// Key returns the key with id "0"–"9", KeyDelete or KeyOK, or nil.
func (c *CPRPad) Key(id string) *Key { return c.pad.keys[id] }

// Value returns what is typed, formatted ("010203-12" while typing).
func (c *CPRPad) Value() string { return FormatCPR(c.pad.digits) }

// Complete reports whether all ten digits are typed.
func (c *CPRPad) Complete() bool { return len(c.pad.digits) == 10 }

// Clear forgets the typed digits.
func (c *CPRPad) Clear() { c.pad.clear() }

// SetLabels changes the words on the keys.
func (c *CPRPad) SetLabels(l Labels) {
	c.pad.labels = l
	c.pad.applyLabels()
}

// TypedRune accepts digits from a physical keypad; a typed hyphen is ignored
// because the pad places it.
func (c *CPRPad) TypedRune(r rune) { c.pad.typedRune(r) }

// TypedKey accepts Backspace and Return from a physical keypad.
func (c *CPRPad) TypedKey(e *fyne.KeyEvent) { c.pad.typedKey(e) }

// Slots returns the frames of the CPR box (ten, six then four) and the
// digit shown in each, for tests and the screen's checks.
func (c *CPRPad) Slots() ([]*canvas.Rectangle, []*canvas.Text) {
	d := c.pad.display.(*boxDisplay)
	return d.slots, d.texts
}

// CreateRenderer draws the CPR box above the keys.
func (c *CPRPad) CreateRenderer() fyne.WidgetRenderer {
	return c.pad.renderer(c, c.Theme)
}
