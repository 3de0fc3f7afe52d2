package keyboard

import (
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
)

// Labels are the words on the special keys and the spoken description of a
// PIN pad. Build them with LabelsFor and set them again when the session
// changes language.
type Labels struct {
	Space, Delete, OK string
	// DigitsEntered describes a masked entry with n digits ("4 cifre tastet"):
	// the count only, never the digits.
	DigitsEntered func(n int) string
}

// LabelsFor returns the labels in tr's current language.
func LabelsFor(tr *i18n.Translator) Labels {
	return Labels{
		Space:  tr.T("keyboard.space", nil),
		Delete: tr.T("keyboard.delete", nil),
		OK:     tr.T("button.ok", nil),
		DigitsEntered: func(n int) string {
			if n == 0 {
				return tr.T("pin.empty", nil)
			}
			return tr.TN("pin.digits_entered", n, nil)
		},
	}
}

// DanishLabels returns the labels in Danish, the kiosk's default.
func DanishLabels() Labels { return LabelsFor(i18n.MustDefault()) }
