package ui_test

import (
	"strings"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

const ingridCPR = "150550-1234" // Karen may act for her

// seedUsage fills Karen's usage log with ui.UsagePage+2 records, a day
// apart, of every kind: consent checks, delegation checks about Peter
// (her delegate) and about Ingrid (whom she acts for), and token
// exchanges. The newest is a token exchange by Peter.
func seedUsage(h *harness) {
	h.t.Helper()
	const n = ui.UsagePage + 2
	for i := range n {
		at := start.AddDate(0, 0, i-n)
		rec := bk.UsageRecord{At: at, Authority: "kobenhavn", Scope: "tax", Purpose: "Skat for 2025",
			PrincipalName: "Karen Hansen", DelegateName: "Peter Jensen"}
		principal, delegate := karenCPR, peterCPR
		switch i % 4 {
		case 0:
			rec.Kind, rec.DataCategory, rec.Scope, rec.Answer = bk.UsageConsentCheck, "income", "", bk.UsageDenied
			rec.PrincipalName, rec.DelegateName, delegate = "", "", ""
			rec.Purpose = "Støtte til bolig"
		case 1:
			rec.Kind, rec.Answer = bk.UsageDelegationCheck, bk.UsageAllowed
		case 2:
			rec.Kind, rec.Answer = bk.UsageDelegationCheck, bk.UsageDenied
			rec.PrincipalName, principal, delegate = "Ingrid Sørensen", ingridCPR, karenCPR
		case 3:
			rec.Kind, rec.Answer = bk.UsageTokenExchange, bk.UsageAllowed
		}
		h.k.RecordUsage(principal, delegate, rec)
	}
}

// The journey: from home to the list, the next page, back, and print.
func TestUsageJourney(t *testing.T) {
	h := newHarness(t)
	seedUsage(h)
	h.signIn(h.karen, pin)
	h.tap("home.usage")
	h.wantScreen("usage")
	h.wantText("Hvem har spurgt om mig")
	// Newest first: Peter's token exchange the day before.
	h.wantText("Peter Jensen handlede for dig hos Københavns Kommune om skat den 1. marts.")
	h.wantText("Københavns Kommune spurgte 28. februar, om du må handle for Ingrid Sørensen om skat. De fik nej.")
	h.wantText("side 1.")
	if b := h.u.Button("usage.previous"); b == nil || !b.Disabled() {
		t.Errorf("Nyere on the first page = %v; want it there and disabled", b)
	}
	for _, s := range []string{karenCPR, peterCPR, ingridCPR, karenCPR[:6], peterCPR[:6]} {
		h.wantNoText(s)
	}

	h.tap("usage.next")
	h.wantScreen("usage")
	h.wantText("side 2.")
	// The two oldest: a consent check and Peter's allowed delegation check.
	h.wantText("Københavns Kommune spurgte 18. februar, om de må bruge disse oplysninger om dig: Indkomst. De fik nej.")
	h.wantText("Københavns Kommune spurgte 19. februar, om Peter Jensen må handle for dig om skat. De fik ja.")
	h.wantText("Formål: Støtte til bolig")
	h.wantNoText("den 1. marts")
	if b := h.u.Button("usage.next"); !b.Disabled() {
		t.Errorf("Ældre on the last page is enabled")
	}
	h.tap("usage.previous")
	h.wantText("side 1.")
	h.wantText("den 1. marts")

	before := len(h.k.Printer().Receipts())
	h.tap("usage.print")
	h.wantScreen("usage")
	h.wantText(h.T("home.overview_printed", nil))
	r := h.k.Printer().Receipts()
	if len(r) != before+1 || !strings.Contains(r[len(r)-1], "Hvem har brugt dine oplysninger") ||
		strings.Count(r[len(r)-1], "Københavns Kommune") != ui.UsagePage+2 {
		t.Errorf("printed %q; want one statement of all %d records", r[before:], ui.UsagePage+2)
	}
	h.tap("usage.back")
	h.wantScreen("home")
	h.k.Remove()
	if h.u.HoldsPersonData() {
		t.Errorf("after logout the UI still holds person data")
	}
}

// The delegate reads the same check from their own side.
func TestUsageDelegateSide(t *testing.T) {
	h := newHarness(t)
	h.k.CheckDelegation("kobenhavn", karenCPR, peterCPR, "tax", "Årsopgørelse")
	h.signIn(h.peter, "4321")
	h.tap("home.usage")
	h.wantText("spurgte 2. marts, om du må handle for en anden person om skat. De fik nej.")
	h.wantNoText(h.T("button.next", nil)) // one page: no paging
	h.wantNoText("side 1")
}

func TestUsageEmpty(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	h.tap("home.usage")
	h.wantScreen("usage")
	h.wantText(h.T("usage.none", nil))
	if h.u.Button("usage.print") != nil || h.u.Button("usage.next") != nil {
		t.Errorf("an empty list offers %v; want only Back", h.u.ButtonIDs())
	}
}

// Offline the screen says the list needs the network; the rest of the
// kiosk works on, and the list comes when the network does.
func TestUsageOffline(t *testing.T) {
	h := newHarness(t)
	seedUsage(h)
	h.signIn(h.karen, pin)
	h.k.SetOnline(false)
	h.tap("home.usage")
	h.wantScreen("usage")
	h.wantText(h.T("usage.offline", nil))
	if h.u.Button("usage.print") != nil {
		t.Errorf("offline the screen offers to print")
	}
	h.tap("usage.retry")
	h.wantText(h.T("usage.offline", nil))
	h.k.SetOnline(true)
	h.tap("usage.retry")
	h.wantText("side 1.")

	// The network goes while reading: the page stays, Ældre says why not.
	h.k.SetOnline(false)
	h.tap("usage.next")
	h.wantText("side 1.")
	h.wantText(h.T("usage.page_offline", nil))
	h.tap("usage.print")
	h.wantText(h.T("usage.print_offline", nil))
	h.tap("usage.back")
	h.wantScreen("home")
	h.tap("home.delegations") // nothing else breaks
	h.wantScreen("delegations")
}

// Read aloud, every record is said with its date in words, in both
// languages, and no CPR number or id.
func TestUsageSpoken(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		want []string
	}{
		{i18n.Danish, []string{"Hvem har spurgt om mig.", "Du er på side 1.",
			"Peter Jensen handlede for dig hos Københavns Kommune om skat den 1. marts.",
			"Formål: Skat for 2025.", "Tryk på Ældre"}},
		{i18n.English, []string{"Who has asked about me.", "You are on page 1.",
			"Peter Jensen acted for you with City of Copenhagen on tax on 1 March.",
			"City of Copenhagen asked on 28 February whether you may act for Ingrid Sørensen on tax. They were told no.", "Tap Older"}},
	} {
		h := goTo(t, visitTo(t, "usage"), tc.lang, theme.Settings{})
		s := h.u.Spoken()
		for _, w := range tc.want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: read aloud %q; want it to hold %q", tc.lang, s, w)
			}
		}
		if m := unspeakable.FindString(s); m != "" || strings.Contains(s, "2026") {
			t.Errorf("%s: read aloud %q: holds %q or this year's number", tc.lang, s, m)
		}
	}
}
