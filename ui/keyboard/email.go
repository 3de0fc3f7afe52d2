package keyboard

import "unicode"

// KeyDigits is the id of the e-mail keyboard's key that shows the digits
// in its top row (and the letters again).
const KeyDigits = "digits"

// The e-mail keyboard's rows: small letters (an address is written so), @
// and . where a name keyboard has Å and -, and - _ at the end of the home
// row. Its top row shows the digits while KeyDigits is on: three rows, as
// on the name keyboard, are what fit a 1024×768 panel in large text.
var (
	emailRows  = []string{"QWERTYUIOP@.", "ASDFGHJKL-_", "ZXCVBNM"}
	emailDigit = map[rune]rune{'Q': '1', 'W': '2', 'E': '3', 'R': '4', 'T': '5', 'Y': '6', 'U': '7', 'I': '8', 'O': '9', 'P': '0'}
)

// NewEmail returns a keyboard for an e-mail address typing into target:
// small letters, digits (behind KeyDigits), @ . - _ and Delete; no space,
// no capitals, nothing an address cannot hold.
func NewEmail(target Target) *Keyboard {
	k := &Keyboard{target: target, byID: map[string]*Key{}, labels: DanishLabels(), email: true}
	k.ExtendBaseWidget(k)
	fwd := forwarder{k}
	for _, row := range emailRows {
		var keys []*Key
		for _, r := range row {
			r := r
			keys = append(keys, k.add(string(r), newKey(string(r), nil, 1, func() { k.send(k.emailRune(r)) }, fwd)))
		}
		k.rows = append(k.rows, keys)
	}
	last := len(k.rows) - 1
	k.rows[last] = append(k.rows[last],
		k.add(KeyDigits, newKey("123", nil, 2, func() { k.digits = !k.digits; k.applyLabels() }, fwd)),
		k.add(KeyDelete, newKey("", nil, 2, k.backspace, fwd)))
	k.applyLabels()
	return k
}

// emailRune is what the key for r types now: its digit while the digits
// show, else the small letter (or the sign).
func (k *Keyboard) emailRune(r rune) rune {
	if d, ok := emailDigit[r]; ok && k.digits {
		return d
	}
	return unicode.ToLower(r)
}

func (k *Keyboard) applyEmailLabels() {
	k.byID[KeyDelete].setLabel(k.labels.Delete, k.labels.Delete)
	toggle := "123"
	if k.digits {
		toggle = "abc"
	}
	k.byID[KeyDigits].setLabel(toggle, toggle)
	for _, row := range emailRows {
		for _, r := range row {
			l := string(k.emailRune(r))
			k.byID[string(r)].setLabel(l, l)
		}
	}
}
