package keyboard

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Ids of the special keys, for Keyboard.Key. Character keys use their
// upper-case character ("A", "Æ", "1", "+", ",").
const (
	KeySpace  = "space"
	KeyDelete = "delete"
	KeyShift  = "shift"
	KeyEnter  = "enter"
	KeyOK     = "ok"
)

// The Danish layout, as printed on Danish keyboards, without dead keys.
var danishRows = []string{"1234567890+", "QWERTYUIOPÅ", "ASDFGHJKLÆØ", "ZXCVBNM,.-"}

type shiftState int

const (
	shiftOff  shiftState = iota
	shiftOnce            // the next letter only
	shiftLock            // caps lock until tapped again
)

// Keyboard is the Danish on-screen keyboard. What it types goes to its
// target: the entry given to SetTarget, or, after Follow, the entry that has
// focus on the canvas (remembered, so a tap that moves focus does not lose
// it). Letters are lower case; Shift makes the next letter upper case and a
// second tap locks capitals. All methods must run on the Fyne goroutine.
type Keyboard struct {
	widget.BaseWidget

	// OnEnter runs after the enter key has sent Return to the target.
	OnEnter func()

	target Target
	canvas fyne.Canvas
	shift  shiftState
	labels Labels
	rows   [][]*Key
	byID   map[string]*Key
}

// New returns a keyboard typing into target (which may be nil until
// SetTarget or Follow), labelled in Danish.
func New(target Target) *Keyboard {
	k := &Keyboard{target: target, byID: map[string]*Key{}, labels: DanishLabels()}
	k.ExtendBaseWidget(k)
	fwd := forwarder{k}
	for i, row := range danishRows {
		var keys []*Key
		if i == 3 {
			keys = append(keys, k.add(KeyShift, newKey("", fynetheme.MoveUpIcon(), 2, k.toggleShift, fwd)))
		}
		for _, r := range row {
			r := r
			keys = append(keys, k.add(string(r), newKey(string(r), nil, 1, func() { k.typeChar(r) }, fwd)))
		}
		if i == 0 {
			keys = append(keys, k.add(KeyDelete, newKey("", fynetheme.NavigateBackIcon(), 2, k.backspace, fwd)))
		}
		k.rows = append(k.rows, keys)
	}
	k.rows = append(k.rows, []*Key{
		k.add(KeySpace, newKey("", nil, 8, func() { k.send(' ') }, fwd)),
		k.add(KeyEnter, newKey("", fynetheme.ConfirmIcon(), 3, k.enter, fwd)),
	})
	k.byID[KeyEnter].important = true
	k.applyLabels()
	return k
}

func (k *Keyboard) add(id string, key *Key) *Key {
	k.byID[id] = key
	return key
}

// Key returns the key with id (KeySpace, KeyDelete, KeyShift, KeyEnter or an
// upper-case character), or nil.
func (k *Keyboard) Key(id string) *Key { return k.byID[id] }

// Keys returns every key, row by row.
func (k *Keyboard) Keys() []*Key {
	var out []*Key
	for _, r := range k.rows {
		out = append(out, r...)
	}
	return out
}

// SetTarget makes t receive what is typed.
func (k *Keyboard) SetTarget(t Target) { k.target = t }

// Target returns where the next key will type.
func (k *Keyboard) Target() Target { return k.currentTarget() }

// Follow makes the keyboard type into whatever Target has focus on c, and
// give focus back to it after each key so the cursor stays visible.
func (k *Keyboard) Follow(c fyne.Canvas) { k.canvas = c }

// SetLabels changes the words on the special keys (on a language switch).
func (k *Keyboard) SetLabels(l Labels) {
	k.labels = l
	k.applyLabels()
}

// Shifted reports whether the next letter will be upper case.
func (k *Keyboard) Shifted() bool { return k.shift != shiftOff }

func (k *Keyboard) applyLabels() {
	k.byID[KeySpace].setLabel(k.labels.Space, k.labels.Space)
	k.byID[KeyDelete].setLabel(k.labels.Delete, k.labels.Delete)
	k.byID[KeyEnter].setLabel(k.labels.Enter, k.labels.Enter)
	shift := k.byID[KeyShift]
	switch k.shift {
	case shiftLock:
		// Upper-case label: a visible sign that capitals are locked.
		shift.setLabel(strings.ToUpper(k.labels.Shift), k.labels.Caps)
	default:
		shift.setLabel(k.labels.Shift, k.labels.Shift)
	}
	shift.setImportant(k.shift != shiftOff)
	for _, row := range danishRows {
		for _, r := range row {
			l := string(r)
			if k.shift == shiftOff {
				l = string(unicode.ToLower(r))
			}
			k.byID[string(r)].setLabel(l, l)
		}
	}
}

func (k *Keyboard) toggleShift() {
	k.shift = (k.shift + 1) % 3
	k.applyLabels()
}

func (k *Keyboard) typeChar(r rune) {
	if unicode.IsLetter(r) {
		if k.shift == shiftOff {
			r = unicode.ToLower(r)
		} else {
			r = unicode.ToUpper(r)
		}
	}
	k.send(r)
	if k.shift == shiftOnce && unicode.IsLetter(r) {
		k.shift = shiftOff
		k.applyLabels()
	}
}

func (k *Keyboard) send(r rune) {
	if t := k.currentTarget(); t != nil {
		t.TypedRune(r)
		k.refocus(t)
	}
}

func (k *Keyboard) backspace() {
	if t := k.currentTarget(); t != nil {
		t.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
		k.refocus(t)
	}
}

func (k *Keyboard) enter() {
	if t := k.currentTarget(); t != nil {
		t.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	if k.OnEnter != nil {
		k.OnEnter()
	}
}

func (k *Keyboard) currentTarget() Target {
	if k.canvas != nil {
		if f := k.canvas.Focused(); f != nil {
			if _, isKey := f.(*Key); !isKey {
				if t, ok := f.(Target); ok {
					k.target = t
				}
			}
		}
	}
	return k.target
}

func (k *Keyboard) refocus(t Target) {
	if k.canvas == nil {
		return
	}
	if f, ok := t.(fyne.Focusable); ok && k.canvas.Focused() != f {
		k.canvas.Focus(f)
	}
}

// forwarder passes physical typing on a focused key to the keyboard's target.
type forwarder struct{ k *Keyboard }

func (f forwarder) TypedRune(r rune) {
	if t := f.k.currentTarget(); t != nil {
		t.TypedRune(r)
	}
}

func (f forwarder) TypedKey(e *fyne.KeyEvent) {
	if t := f.k.currentTarget(); t != nil {
		t.TypedKey(e)
	}
}

// CreateRenderer lays the keys out in centred rows.
func (k *Keyboard) CreateRenderer() fyne.WidgetRenderer {
	return &rowsRenderer{w: k, rows: func() [][]*Key { return k.rows }}
}
