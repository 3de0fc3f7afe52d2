package ui

import (
	"sort"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// What the tests (package ui_test) read of a KioskUI. They live here, not in
// ui.go, so the kiosk's API is only what cmd/kiosk uses: New, Close, Screen,
// Button and PinPad (the soak build's remote control).

// Lang returns the language of the current session.
func (u *KioskUI) Lang() i18n.Lang { return u.tr.Lang() }

// Spoken returns the read-aloud text of the screen shown, in the session's
// language, as it is said: its title, what it shows and what can be done.
func (u *KioskUI) Spoken() string {
	if u.current == nil {
		return ""
	}
	return u.forEar(u.tr.Lang(), u.current.speak)
}

// ButtonIDs returns the ids of the current screen's buttons, sorted.
func (u *KioskUI) ButtonIDs() []string {
	ids := make([]string, 0, len(u.buttons))
	for id := range u.buttons {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Label returns the label with id on the current screen (messages such as
// "pin.message", "result.receipt"), or nil.
func (u *KioskUI) Label(id string) *widget.Label { return u.labels[id] }

// CPRPad returns the CPR pad of the create-delegation screen (nil elsewhere).
func (u *KioskUI) CPRPad() *keyboard.CPRPad {
	if u.Screen() != "create_cpr" {
		return nil
	}
	return u.cprPad
}

// NameKeyboard returns the keyboard of the name screen or of the e-mail
// screen (nil elsewhere).
func (u *KioskUI) NameKeyboard() *keyboard.Keyboard {
	if s := u.Screen(); s != "create_name" && s != "contact_email" {
		return nil
	}
	return u.nameKeyboard
}

// Translator returns the session's translator.
func (u *KioskUI) Translator() *i18n.Translator { return u.tr }

// Settings returns the display settings chosen in this session.
func (u *KioskUI) Settings() theme.Settings { return u.settings }

// ReadAloud reports whether read-aloud is switched on.
func (u *KioskUI) ReadAloud() bool { return u.readAloud }

// Volume returns the read-aloud volume (0–100) chosen in this session.
func (u *KioskUI) Volume() int { return u.volume }

// SpokenReceipt returns the receipt text the current screen reads aloud
// after its own text, as it is said ("" when it has none).
func (u *KioskUI) SpokenReceipt() string {
	if u.current == nil {
		return ""
	}
	lang := u.current.receiptLang
	if lang == "" {
		lang = u.tr.Lang()
	}
	return u.forEar(lang, u.current.receipt)
}

// HoldsPersonData reports whether anything about a person is held in
// memory: a card read, a session, a staff grant, a scanned code, fetched
// state, a draft, a usage log page or staff attention data. After a logout
// it is false.
func (u *KioskUI) HoldsPersonData() bool {
	return u.card != nil || u.sess != nil || u.assist != nil || u.handover != nil ||
		u.state != nil || u.stateErr != nil || u.draft != nil || u.attention != nil || u.readAloud || u.usage != nil
}

// BodyScroll returns the scroll container of the current screen's body, so
// tests (and diagnostics) can see where it is scrolled to.
func (u *KioskUI) BodyScroll() *container.Scroll {
	if u.body == nil {
		return nil
	}
	return &u.body.scroll.Scroll
}

// DraftScope reports whether the power of attorney being made has the area id chosen.
func (u *KioskUI) DraftScope(id string) bool { return u.draft != nil && u.draft.scopes[id] }

// DraftName is the name in the power of attorney being made ("" for none).
func (u *KioskUI) DraftName() string {
	if u.draft == nil {
		return ""
	}
	return u.draft.name
}
