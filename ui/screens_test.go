package ui_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
	"github.com/borgerkiosk/borgerkiosk/ui/uitest"
)

// visit drives a fresh kiosk to one screen. The steps only tap and insert,
// so they work in either language and any theme.
type visit struct {
	screen string
	steps  func(t *testing.T, h *harness)
}

func handoverCode(h *harness) string {
	r := h.k.Printer().Receipts()
	code := r[len(r)-1]
	for _, line := range strings.Split(code, "\n") {
		if strings.HasPrefix(line, "HTTPS://") {
			return line
		}
	}
	return ""
}

var visits = []visit{
	{"welcome", func(t *testing.T, h *harness) {}},
	{"pin", func(t *testing.T, h *harness) { h.k.Insert(h.karen) }},
	{"card_error", func(t *testing.T, h *harness) { h.k.Insert(h.k.NewExpiredCard("Ib Ibsen", "050560-2222", pin)) }},
	{"home", func(t *testing.T, h *harness) {
		h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
		h.signIn(h.karen, pin)
	}},
	{"consents", func(t *testing.T, h *harness) {
		id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
		h.k.AddConsentRequest(karenCPR, "sundhed", purpose, []string{"health"}, 30)
		h.signIn(h.karen, pin)
		h.tap("home.consents")
		h.tap("consent.give." + id)
		h.tap("confirm_give.yes")
		h.tap("result.back")
	}},
	{"confirm_give", func(t *testing.T, h *harness) {
		id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
		h.signIn(h.karen, pin)
		h.tap("home.consents")
		h.tap("consent.give." + id)
	}},
	{"confirm_decline", func(t *testing.T, h *harness) {
		id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
		h.signIn(h.karen, pin)
		h.tap("home.consents")
		h.tap("consent.decline." + id)
	}},
	{"confirm_withdraw", func(t *testing.T, h *harness) {
		id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
		h.signIn(h.karen, pin)
		h.tap("home.consents")
		h.tap("consent.give." + id)
		h.tap("confirm_give.yes")
		h.tap("result.back")
		h.tap("consent.withdraw." + id)
	}},
	{"result", func(t *testing.T, h *harness) {
		id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
		h.k.Printer().SetPaper(false)
		h.signIn(h.karen, pin)
		h.tap("home.consents")
		h.k.SetOnline(false)
		h.tap("consent.decline." + id)
		h.tap("confirm_decline.yes")
	}},
	{"action_error", func(t *testing.T, h *harness) {
		id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
		h.signIn(h.karen, pin)
		h.tap("home.consents")
		h.k.SetStale(true)
		h.tap("consent.give." + id)
		h.tap("confirm_give.yes")
	}},
	{"delegations", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
		h.typeName("Peter Jensen") // the full name, as the step asks
		h.typeCPR(peterCPR)
		h.tap("scope.tax")
		h.tap("create_scopes.next")
		h.tap("create_period.next")
		h.tap("review.confirm")
		h.tap("handover.done")
	}},
	{"reminders", func(t *testing.T, h *harness) {
		h.k.GiveDelegation(karenCPR, "Karen Hansen", peterCPR, "Peter Jensen", []string{"tax"}, 12)
		h.k.GiveDelegation(peterCPR, "Peter Jensen", karenCPR, "Karen Hansen", []string{"tax", "housing"}, 25)
		h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
		h.signIn(h.karen, pin)
		h.tap("home.reminders")
	}},
	{"renew_review", func(t *testing.T, h *harness) {
		h.k.GiveDelegation(karenCPR, "Karen Hansen", peterCPR, "Peter Jensen", []string{"tax"}, 12)
		h.signIn(h.karen, pin)
		h.tap("home.reminders")
		h.tap("reminder.renew.0")
	}},
	{"contact", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.contact")
		h.tap("contact.add")
		h.typeEmail("karen@mail.dk")
		h.tap("contact_email.next")
		h.tap("result.back")
	}},
	{"contact_email", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.contact")
		h.tap("contact.add")
		h.typeEmail("karen@mail.dk")
	}},
	{"confirm_remove_email", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.contact")
		h.tap("contact.add")
		h.typeEmail("karen@mail.dk")
		h.tap("contact_email.next")
		h.tap("result.back")
		h.tap("contact.remove")
	}},
	{"create_name", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
	}},
	{"create_cpr", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
		h.typeName("Peter")
	}},
	{"confirm_logout", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
		h.typeName("Peter")
		h.tap("logout")
	}},
	{"create_scopes", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
		h.typeName("Peter")
		h.typeCPR(peterCPR)
	}},
	{"create_period", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
		h.typeName("Peter")
		h.typeCPR(peterCPR)
		h.tap("scope.tax")
		h.tap("create_scopes.next")
	}},
	{"create_review", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
		h.typeName("Peter")
		h.typeCPR(peterCPR)
		h.tap("scope.tax")
		h.tap("scope.housing")
		h.tap("create_scopes.next")
		h.tap("create_period.next")
	}},
	{"handover_qr", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
		h.typeName("Peter")
		h.typeCPR(peterCPR)
		h.tap("scope.tax")
		h.tap("create_scopes.next")
		h.tap("create_period.next")
		h.tap("review.confirm")
	}},
	{"scan", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.handover")
	}},
	{"handover_preview", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
		h.typeName("Peter")
		h.typeCPR(peterCPR)
		h.tap("scope.tax")
		h.tap("create_scopes.next")
		h.tap("create_period.next")
		h.tap("review.confirm")
		code := handoverCode(h)
		h.k.Remove()
		h.chooseLang() // logout reset the language
		h.k.Scan(code)
	}},
	{"handover_decision", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
		h.typeName("Peter")
		h.typeCPR(peterCPR)
		h.tap("scope.tax")
		h.tap("create_scopes.next")
		h.tap("create_period.next")
		h.tap("review.confirm")
		code := handoverCode(h)
		h.k.Remove()
		h.chooseLang() // logout reset the language
		h.signIn(h.peter, "4321")
		h.k.Scan(code)
	}},
	{"handover_error", func(t *testing.T, h *harness) { h.k.Scan("HELLO") }},
	{"display", func(t *testing.T, h *harness) {
		h.signIn(h.karen, pin)
		h.tap("display")
	}},
	{"usage", func(t *testing.T, h *harness) {
		seedUsage(h)
		h.signIn(h.karen, pin)
		h.tap("home.usage")
	}},
	{"staff_home", func(t *testing.T, h *harness) {
		leaveRejectedAction(t, h) // so the list has an item and its button
		h.signIn(h.sofie, "9999")
	}},
	{"confirm_dismiss", func(t *testing.T, h *harness) {
		id := leaveRejectedAction(t, h)
		h.signIn(h.sofie, "9999")
		h.tap("attention.dismiss." + id)
	}},
	{"assist_ready", func(t *testing.T, h *harness) {
		h.signIn(h.sofie, "9999")
		h.tap("staff.assist")
	}},
	{"assist_wait", func(t *testing.T, h *harness) {
		h.signIn(h.sofie, "9999")
		h.tap("staff.assist")
		h.k.Remove()
	}},
}

// goTo makes a kiosk in lang with display settings s and drives it to v.
func goTo(t *testing.T, v visit, lang i18n.Lang, s theme.Settings) *harness {
	t.Helper()
	h := newHarness(t)
	h.lang = lang
	h.chooseLang()
	h.setMode(s)
	v.steps(t, h)
	h.wantScreen(v.screen)
	return h
}

// TestTapTargetsInEveryTheme: on every screen, in every display mode, on
// the standard and the smallest panel, every tap target is at least 60×60
// and 12 px from the next (assertTapTargets).
func TestTapTargetsInEveryTheme(t *testing.T) {
	for _, s := range []theme.Settings{{}, {HighContrast: true}, {LargeText: true}, {HighContrast: true, LargeText: true}} {
		for _, v := range visits {
			// One walk to the screen serves both panels: the walk, not the
			// check, is what this test spends its time on.
			t.Run(v.screen+suffix(s), func(t *testing.T) {
				h := goTo(t, v, i18n.Danish, s)
				for _, size := range []fyne.Size{{Width: 1280, Height: 1024}, {Width: 1024, Height: 768}} {
					t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) {
						fit(h, size)
						assertTapTargets(t, h)
					})
				}
			})
		}
	}
}

// TestPrimaryButtonsAre64Tall checks the main action of the main screens.
func TestPrimaryButtonsAre64Tall(t *testing.T) {
	for _, tt := range []struct{ screen, button string }{
		{"home", "home.consents"}, {"create_review", "review.confirm"}, {"handover_qr", "handover.done"}, {"staff_home", "staff.assist"},
	} {
		for _, v := range visits {
			if v.screen != tt.screen {
				continue
			}
			h := goTo(t, v, i18n.Danish, theme.Settings{})
			uitest.Tappables(h.w.Canvas().Content()) // lays the tree out
			if got := h.u.Button(tt.button).Size().Height; got < theme.PrimaryButtonHeight {
				t.Errorf("%s: %s height = %.0f; want ≥ %d", tt.screen, tt.button, got, theme.PrimaryButtonHeight)
			}
		}
	}
}

func TestGoldenScreens(t *testing.T) {
	for _, name := range []string{"welcome", "pin", "home", "consents", "create_review", "handover_qr", "staff_home", "reminders", "renew_review", "contact", "contact_email"} {
		for _, v := range visits {
			if v.screen != name {
				continue
			}
			t.Run(name, func(t *testing.T) {
				h := goTo(t, v, i18n.Danish, theme.Settings{})
				file := name + ".xml"
				if *update {
					if err := os.MkdirAll("testdata", 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join("testdata", file), []byte(test.RenderToMarkup(h.w.Canvas())), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				test.AssertRendersToMarkup(t, file, h.w.Canvas())
			})
		}
	}
}
