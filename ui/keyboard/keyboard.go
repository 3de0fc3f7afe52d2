package keyboard

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	bktheme "github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// Ids of the special keys, for Keyboard.Key. Character keys use their
// upper-case character ("A", "Æ", "-").
const (
	KeySpace  = "space"
	KeyDelete = "delete"
	KeyOK     = "ok"
)

// The Danish letter rows, as printed on Danish keyboards, with the hyphen
// where Danish keyboards have "+": a person's name needs nothing else, so
// nothing else is offered (no digits, no full stop) and no key types what
// the name check refuses. Three rows of at most twelve keys fit a 1024×768
// panel in large text with the header, the message line and the action
// bar; a fourth row would not.
var danishRows = []string{"QWERTYUIOPÅ-", "ASDFGHJKLÆØ", "ZXCVBNM"}

// Keyboard is the Danish on-screen keyboard for names. What it types goes
// to its target (a TextBox on the kiosk's screens). It has no Shift: each
// part of a name starts with a capital by itself (CapitaliseAfter), which
// is one mode less to understand, and the name is only for recognising the
// person until their card's name replaces it. There is no Enter key either:
// the screen's Next in the fixed action bar is the one way on. All methods
// must run on the Fyne goroutine.
type Keyboard struct {
	widget.BaseWidget

	target  Target
	capital bool // the next letter is a capital
	labels  Labels
	rows    [][]*Key
	byID    map[string]*Key
	email   bool // an e-mail keyboard (NewEmail)
	digits  bool // the e-mail keyboard's top row shows digits
}

// New returns a keyboard typing into target (nil types nowhere), labelled
// in Danish. Its first letter is a capital.
func New(target Target) *Keyboard {
	k := &Keyboard{target: target, byID: map[string]*Key{}, labels: DanishLabels(), capital: true}
	k.ExtendBaseWidget(k)
	fwd := forwarder{k}
	for _, row := range danishRows {
		var keys []*Key
		for _, r := range row {
			r := r
			keys = append(keys, k.add(string(r), newKey(string(r), nil, 1, func() { k.typeChar(r) }, fwd)))
		}
		k.rows = append(k.rows, keys)
	}
	last := len(k.rows) - 1
	k.rows[last] = append(k.rows[last],
		k.add(KeySpace, newKey("", nil, 3, func() { k.send(' ') }, fwd)),
		// Words only: "Delete" beside an icon is wider than two keys in
		// large text, and the word says more than an arrow.
		k.add(KeyDelete, newKey("", nil, 2, k.backspace, fwd)))
	k.applyLabels()
	return k
}

func (k *Keyboard) add(id string, key *Key) *Key {
	k.byID[id] = key
	return key
}

// Key returns the key with id (KeySpace, KeyDelete or an upper-case
// character), or nil.
func (k *Keyboard) Key(id string) *Key { return k.byID[id] }

// Keys returns every key, row by row.
func (k *Keyboard) Keys() []*Key {
	var out []*Key
	for _, r := range k.rows {
		out = append(out, r...)
	}
	return out
}

// SetLabels changes the words on the special keys (on a language switch).
func (k *Keyboard) SetLabels(l Labels) {
	k.labels = l
	k.applyLabels()
}

// CapitaliseAfter makes the next letter a capital after text that is empty
// or ends in a space or a hyphen (the start of a name and of each part of
// it), a small letter otherwise. The screen calls it when its text
// changes, as a delete can bring the start of a word back.
func (k *Keyboard) CapitaliseAfter(text string) {
	if k.email {
		return // an address is written in small letters
	}
	capital := text == "" || strings.HasSuffix(text, " ") || strings.HasSuffix(text, "-")
	if capital != k.capital {
		k.capital = capital
		k.applyLabels()
	}
}

// applyLabels shows the letters as they will be typed: capitals before
// the first letter of a part of the name, small letters within it.
func (k *Keyboard) applyLabels() {
	if k.email {
		k.applyEmailLabels()
		return
	}
	k.byID[KeySpace].setLabel(k.labels.Space, k.labels.Space)
	k.byID[KeyDelete].setLabel(k.labels.Delete, k.labels.Delete)
	for _, row := range danishRows {
		for _, r := range row {
			l := string(r)
			if !k.capital {
				l = string(unicode.ToLower(r))
			}
			k.byID[string(r)].setLabel(l, l)
		}
	}
}

func (k *Keyboard) typeChar(r rune) {
	if !k.capital {
		r = unicode.ToLower(r)
	}
	k.send(r)
}

// send types r; what comes next follows from r alone. After a delete only
// the text tells, so the screen calls CapitaliseAfter then.
func (k *Keyboard) send(r rune) {
	if k.target != nil {
		k.target.TypedRune(r)
	}
	k.CapitaliseAfter(string(r))
}

func (k *Keyboard) backspace() {
	if k.target != nil {
		k.target.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	}
}

// forwarder passes physical typing on a focused key to the keyboard's target.
type forwarder struct{ k *Keyboard }

func (f forwarder) TypedRune(r rune) {
	if t := f.k.target; t != nil {
		t.TypedRune(r)
	}
}

func (f forwarder) TypedKey(e *fyne.KeyEvent) {
	if t := f.k.target; t != nil {
		t.TypedKey(e)
	}
}

// CreateRenderer lays the keys out in centred rows, MinTargetGap apart in
// every mode (the large-text gap would push the last row out of view on a
// 1024×768 panel).
func (k *Keyboard) CreateRenderer() fyne.WidgetRenderer {
	return &rowsRenderer{w: k, rows: func() [][]*Key { return k.rows },
		gapOf: func(fyne.Theme) float32 { return bktheme.MinTargetGap }}
}
