package borgerkiosk_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestCheckEmail(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"", true},
		{"mads@example.dk", true},
		{"mads.hansen+skat@post.example.dk", true},
		{"søren@æblegård.dk", true},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".dk", true}, // 254
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 187) + ".dk", false},
		{"mads", false},
		{"mads@", false},
		{"@example.dk", false},
		{"mads@localhost", false},
		{"mads@example.", false},
		{"mads@.dk", false},
		{"Mads <mads@example.dk>", false},
		{"<mads@example.dk>", false},
		{" mads@example.dk", false},
		{"mads@example.dk ", false},
		{"mads@example.dk\r\nBcc: x@example.com", false},
		{"a@b.dk, c@d.dk", false},
		{"mads (home)@example.dk", false},
	}
	for _, tt := range tests {
		err := bk.CheckEmail(tt.addr)
		if (err == nil) != tt.ok {
			t.Errorf("CheckEmail(%q) = %v; want ok=%v", tt.addr, err, tt.ok)
		} else if err != nil && bk.ErrorCode(err) != bk.EInvalid {
			t.Errorf("CheckEmail(%q) code = %q; want %q", tt.addr, bk.ErrorCode(err), bk.EInvalid)
		}
	}
}

func TestContactCheck(t *testing.T) {
	for _, c := range []bk.Contact{{Language: "da"}, {Language: "en", Email: "a@example.com"}} {
		if err := c.Check(); err != nil {
			t.Errorf("Check(%+v) = %v; want nil", c, err)
		}
	}
	for _, c := range []bk.Contact{{}, {Language: "DA"}, {Language: "de"}, {Language: "da", Email: "nope"}} {
		if err := c.Check(); bk.ErrorCode(err) != bk.EInvalid {
			t.Errorf("Check(%+v) = %v; want %q", c, err, bk.EInvalid)
		}
	}
}

func TestMaskEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mads@example.dk", "m***@example.dk"},
		{"øjvind@example.dk", "ø***@example.dk"},
		{"", ""},
		{"junk", "***"},
	}
	for _, tt := range tests {
		if got := bk.MaskEmail(tt.in); got != tt.want {
			t.Errorf("MaskEmail(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestContactLogValue checks that logging a contact never writes the
// address in full.
func TestContactLogValue(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	c := &bk.Contact{Email: "mads.hansen@example.dk", Language: bk.LangDanish, EmailReminders: true}
	log.Info("contact set", "contact", c)
	if out := buf.String(); strings.Contains(out, "mads.hansen") || !strings.Contains(out, "m***@example.dk") {
		t.Errorf("log line = %q; want the address masked", out)
	}
}

func TestApplySetContact(t *testing.T) {
	r := testRules()
	set := func(email string, at time.Time) *bk.Action {
		return newAction(t, bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: email, Language: bk.LangDanish, EmailReminders: true}}, at)
	}
	a := set("mads@example.dk", t0)
	v, got := r.Apply(bk.Target{}, a, principal, nil, now)
	if v.Outcome != bk.Applied || got.Contact == nil {
		t.Fatalf("Apply(first contact) = %+v, %+v; want applied", v, got)
	}
	want := bk.Contact{Email: "mads@example.dk", Language: bk.LangDanish, EmailReminders: true, ChangedAt: t0, ChangedBy: a.ID}
	if *got.Contact != want {
		t.Errorf("contact = %+v; want %+v", *got.Contact, want)
	}
	if got.Consent != nil || got.Delegation != nil {
		t.Errorf("Apply(set_contact) changed a consent or delegation: %+v", got)
	}
	// Removing the address is a setting like any other.
	rm := set("", t0.Add(time.Minute))
	if v, next := r.Apply(got, rm, principal, nil, now); v.Outcome != bk.Applied || next.Contact.HasEmail() || next.Contact.ChangedBy != rm.ID {
		t.Errorf("Apply(remove) = %+v, %+v; want applied without address", v, next.Contact)
	}
	// An older setting pushed late does not undo a newer one.
	if v, next := r.Apply(got, set("old@example.dk", t0.Add(-time.Second)), principal, nil, now); v.Outcome != bk.Superseded || next.Contact != nil {
		t.Errorf("Apply(older setting) = %+v, %+v; want superseded", v, next)
	}
	// Dated in the future beyond the skew: the kiosk clock is wrong.
	if v, _ := r.Apply(bk.Target{}, set("a@example.dk", now.Add(time.Hour)), principal, nil, now); v.Reason != bk.EClockSkew {
		t.Errorf("Apply(future) = %+v; want %q", v, bk.EClockSkew)
	}
	bad := newAction(t, bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "nope", Language: bk.LangDanish}}, t0)
	if v, next := r.Apply(bk.Target{}, bad, principal, nil, now); v.Outcome != bk.Rejected || v.Reason != bk.EInvalid || next.Contact != nil {
		t.Errorf("Apply(bad address) = %+v, %+v; want refused %q", v, next, bk.EInvalid)
	}
}
