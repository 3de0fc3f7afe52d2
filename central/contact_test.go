package central_test

import (
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// TestPushSetContact checks that a citizen's contact details go through the
// push path like any action, are kept per signer (whatever the payload
// says), shown on their overview, removable, and never logged in full.
func TestPushSetContact(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	bo := h.Issuer.Citizen(cprBo, "Bo Berg")
	helper := h.Issuer.Staff("030370-1111", "Sara Hjælper", "S7")
	now := time.Now()
	set := func(card *fixture.Card, email string, at time.Time) *bk.Action {
		return fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: email, Language: bk.LangDanish, EmailReminders: true}}, card, nil, at)
	}
	if st := k.CitizenState(t, karen); st.Contact != nil {
		t.Errorf("contact before any was set = %+v; want none", st.Contact)
	}
	first := set(karen, "karen.larsen@example.dk", now.Add(-time.Hour))
	bos := fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "bo@example.com", Language: bk.LangEnglish}}, bo, helper, now.Add(-time.Hour))
	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, first), item(2, bos)}})
	wantOutcomes(t, "set contacts", r, 2, "applied", "applied")
	st := k.CitizenState(t, karen)
	want := bk.Contact{Email: "karen.larsen@example.dk", Language: bk.LangDanish, EmailReminders: true, ChangedAt: first.OccurredAt, ChangedBy: first.ID}
	if st.Contact == nil || *st.Contact != want {
		t.Errorf("Karen's contact = %+v; want %+v", st.Contact, want)
	}
	if st := k.CitizenState(t, bo); st.Contact == nil || st.Contact.Email != "bo@example.com" || st.Contact.Language != bk.LangEnglish || st.Contact.EmailReminders {
		t.Errorf("Bo's contact = %+v; want bo@example.com, en, no reminders", st.Contact)
	}

	// Removing the address, then an older setting pushed late: the removal stands.
	remove := set(karen, "", now.Add(-time.Minute))
	stale := set(karen, "old@example.dk", now.Add(-2*time.Hour))
	bad := fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "karen(at)example.dk", Language: bk.LangDanish}}, karen, nil, now)
	r = k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(3, remove), item(4, stale), item(5, bad)}})
	wantOutcomes(t, "remove, stale, bad", r, 5, "applied", "superseded:conflict", "rejected:invalid")
	if st := k.CitizenState(t, karen); st.Contact == nil || st.Contact.HasEmail() || st.Contact.ChangedBy != remove.ID {
		t.Errorf("Karen's contact after removal = %+v; want no address, changed by the removal", st.Contact)
	}
	if logs := h.Logs(); strings.Contains(logs, "karen.larsen@") || strings.Contains(logs, "bo@example.com") {
		t.Errorf("central logged an e-mail address in full:\n%s", logs)
	}
}
