package ui_test

import (
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/ui/fake"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

func TestWelcomeSignInHome(t *testing.T) {
	h := newHarness(t)
	h.wantScreen("welcome")
	h.wantText(h.T("card.insert", nil))

	h.k.Insert(h.karen)
	h.wantScreen("pin")
	h.wantText("Karen Hansen")

	h.typePIN("0000")
	h.wantScreen("pin")
	if got, want := h.label("pin.message"), h.u.Translator().TN("pin.wrong", 2, map[string]any{"Tries": 2}); got != want {
		t.Errorf("after a wrong PIN the message = %q; want %q", got, want)
	}
	h.typePIN("12")
	if got, want := h.label("pin.message"), h.T("signin.pin_short", nil); got != want {
		t.Errorf("after a short PIN the message = %q; want %q", got, want)
	}
	h.typePIN(pin)
	h.wantScreen("home")
	h.wantText(h.T("home.hello", map[string]any{"Name": "Karen Hansen"}))
	if h.karen.TriesLeft() != 3 {
		t.Errorf("tries after a right PIN = %d; want 3", h.karen.TriesLeft())
	}
}

func TestPINNeverShownOrSpoken(t *testing.T) {
	h := newHarness(t)
	h.tap("toggle.read")
	n := len(h.sp.Utterances()) // the display panel says the volume, 50 %
	h.k.Insert(h.karen)
	for _, d := range "5678" {
		h.tapKey(string(d))
	}
	if d := h.u.PinPad().DisplayText(); strings.ContainsAny(d, "0123456789") {
		t.Errorf("PIN display = %q; want bullets only", d)
	}
	if s := h.u.Spoken(); strings.ContainsAny(s, "5678") {
		t.Errorf("spoken text of the PIN screen = %q; holds a typed digit", s)
	}
	for _, u := range h.sp.Utterances()[n:] {
		if strings.ContainsAny(u.Text, "5678") {
			t.Errorf("read aloud %q, which holds a typed digit", u.Text)
		}
	}
}

func TestCardLockedAfterThreeWrongPINs(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, "1111")
	h.typePIN("2222")
	h.typePIN("3333")
	h.wantScreen("card_error")
	if got, want := h.label("card_error.message"), h.T("card.locked", nil); got != want {
		t.Errorf("message = %q; want %q", got, want)
	}
	h.wantText(h.T("card.remove", nil))
	// Taking the card out returns to the welcome screen; a locked card stays locked.
	h.k.Remove()
	h.wantScreen("welcome")
	h.k.Insert(h.karen)
	h.typePIN(pin)
	h.wantScreen("card_error")
	h.tap("card_error.help")
	if calls := h.k.StaffCalls(); len(calls) != 1 {
		t.Errorf("staff calls = %v; want one", calls)
	}
	h.wantText(h.T("staff.help_called", nil))
}

func TestCardsThatCannotBeUsed(t *testing.T) {
	h := newHarness(t)
	revoked := h.k.NewCard("Ole Olsen", "040490-1111", "", pin)
	h.k.RevokeCard(revoked)
	for _, tt := range []struct {
		name string
		card func() *fake.Card
		key  string
	}{
		{"expired", func() *fake.Card { return h.k.NewExpiredCard("Ib Ibsen", "050560-2222", pin) }, "card.expired"},
		{"revoked", func() *fake.Card { return revoked }, "card.revoked"},
		{"foreign", func() *fake.Card { return h.k.NewForeignCard("Eva Evers", "060670-3333", pin) }, "card.unknown_issuer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h.k.Insert(tt.card())
			h.wantScreen("card_error")
			if got, want := h.label("card_error.message"), h.T(tt.key, nil); got != want {
				t.Errorf("message = %q; want %q", got, want)
			}
			h.k.Remove()
			h.wantScreen("welcome")
		})
	}
}

func TestCardRemovedMidFlowWipesEverything(t *testing.T) {
	h := newHarness(t)
	h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.tap("lang.en")
	h.tap("toggle.contrast")
	h.tap("toggle.large")
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.wantScreen("consents")
	h.wantText("City of Copenhagen")

	h.k.Remove()
	h.wantScreen("welcome")
	if h.u.HoldsPersonData() {
		t.Errorf("after removal the UI still holds person data")
	}
	if h.u.Lang() != i18n.Danish {
		t.Errorf("language after logout = %s; want da", h.u.Lang())
	}
	if s := h.u.Settings(); s != (theme.Settings{}) {
		t.Errorf("display settings after logout = %+v; want the defaults", s)
	}
	h.wantNoText("Karen")
	h.wantNoText("Københavns Kommune")
	h.wantText(h.T("card.removed", nil))
}
