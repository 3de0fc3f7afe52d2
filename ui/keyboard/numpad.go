package keyboard

import (
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// maskChar is the same bullet Fyne uses for password entries.
const maskChar = "•"

// DoubleTapWindow is how soon a second tap of the same on-screen key is
// taken for an unsteady hand's double strike and ignored (EN 301 549 5.8).
const DoubleTapWindow = 250 * time.Millisecond

// numPad is what the PIN pad and the CPR pad share: a display line above
// keys 1–9, delete, 0, OK in phone order, and a buffer of digits.
type numPad struct {
	now     func() time.Time // nil: time.Now
	lastKey string           // the last on-screen key accepted
	lastAt  time.Time        // and when
	digits  []byte
	maxLen  func() int
	keys    map[string]*Key
	rows    [][]*Key
	display *canvas.Text
	labels  Labels
	format  func(digits []byte) string
	onOK    func()
	changed func()
}

func (p *numPad) init(owner fyne.Widget, fwd Target) {
	p.keys = map[string]*Key{}
	p.labels = DanishLabels()
	p.display = canvas.NewText("", color.Black)
	p.display.Alignment = fyne.TextAlignCenter
	p.display.TextStyle = fyne.TextStyle{Bold: true}
	digit := func(d byte) *Key {
		k := newKey(string(d), nil, 1, p.filtered(string(d), func() { p.typeDigit(d) }), fwd)
		p.keys[string(d)] = k
		return k
	}
	del := newKey("", fynetheme.NavigateBackIcon(), 1, p.filtered(KeyDelete, p.deleteDigit), fwd)
	ok := newKey("", nil, 1, p.filtered(KeyOK, func() {
		if p.onOK != nil {
			p.onOK()
		}
	}), fwd)
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
	p.display.Text = p.format(p.digits)
	p.display.Refresh()
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
	r := &padRenderer{keys: rowsRenderer{w: w, rows: func() [][]*Key { return p.rows }}, pad: p, th: th}
	r.Refresh()
	return r
}

// padRenderer draws the display line above the key rows.
type padRenderer struct {
	keys rowsRenderer
	pad  *numPad
	th   func() fyne.Theme
}

// line is the display height, reserved even while nothing is typed.
func (r *padRenderer) line(th fyne.Theme) float32 {
	return fyne.MeasureText("0", th.Size(fynetheme.SizeNameHeadingText), fyne.TextStyle{Bold: true}).Height
}

func (r *padRenderer) Refresh() {
	th := r.th()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.pad.display.Color = th.Color(fynetheme.ColorNameForeground, v)
	r.pad.display.TextSize = th.Size(fynetheme.SizeNameHeadingText)
	r.pad.display.Text = r.pad.format(r.pad.digits)
	r.pad.display.Refresh()
	r.keys.Refresh()
}

func (r *padRenderer) MinSize() fyne.Size {
	th := r.th()
	s := r.keys.MinSize()
	text := fyne.MeasureText(r.pad.format(r.pad.digits), th.Size(fynetheme.SizeNameHeadingText), fyne.TextStyle{Bold: true})
	return fyne.NewSize(max(s.Width, text.Width), s.Height+r.line(th)+th.Size(fynetheme.SizeNamePadding))
}

func (r *padRenderer) Layout(size fyne.Size) {
	th := r.th()
	line := r.line(th)
	r.pad.display.Move(fyne.NewPos(0, 0))
	r.pad.display.Resize(fyne.NewSize(size.Width, line))
	off := line + th.Size(fynetheme.SizeNamePadding)
	r.keys.Layout(fyne.NewSize(size.Width, size.Height-off))
	for _, row := range r.pad.rows {
		for _, k := range row {
			k.Move(k.Position().AddXY(0, off))
		}
	}
}

func (r *padRenderer) Objects() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{r.pad.display}, r.keys.Objects()...)
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
	p.pad.now = func() time.Time { return clockOf(p.Now) }
	p.pad.init(p, p)
	return p
}

// Key returns the key with id "0"–"9", KeyDelete or KeyOK, or nil.
func (p *PinPad) Key(id string) *Key { return p.pad.keys[id] }

// Len returns how many digits have been typed.
func (p *PinPad) Len() int { return len(p.pad.digits) }

// DisplayText returns the text shown for the typed digits: bullets only.
func (p *PinPad) DisplayText() string { return p.pad.format(p.pad.digits) }

// Description says how many digits are typed, in words, for read-aloud.
func (p *PinPad) Description() string { return p.pad.labels.DigitsEntered(len(p.pad.digits)) }

// Clear forgets the typed digits (call it when a session ends).
func (p *PinPad) Clear() { p.pad.clear() }

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

// CreateRenderer draws the bullets above the keys.
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

// CreateRenderer draws the number above the keys.
func (c *CPRPad) CreateRenderer() fyne.WidgetRenderer {
	return c.pad.renderer(c, c.Theme)
}
