package sessiontest

import (
	"context"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// TestPrintReminder checks Session.PrintReminder: a reminder of a
// delegation given and of a consent print (online or not: it needs only
// what the reminder says), name the other person, and the errors the port
// promises.
func TestPrintReminder(t *testing.T, w World) {
	ctx := context.Background()
	s := signIn(t, w, ingridCPR, ingrid, "")
	ends := time.Now().AddDate(0, 0, 12)
	given := bk.Reminder{Kind: bk.RemindGiven, ID: bk.NewID(time.Now()), Ends: ends, Other: mads, Scopes: []string{w.Scope}}
	res, err := s.PrintReminder(ctx, given)
	if err != nil || !res.Printed || !strings.Contains(res.Text, mads) || strings.Contains(res.Text, "?") {
		t.Errorf("PrintReminder(given) = %+v, %v; want printed, naming %s, no '?'", res, err, mads)
	}
	consent := bk.Reminder{Kind: bk.RemindConsent, ID: bk.NewID(time.Now()), Ends: ends, Authority: w.Authority, Categories: []string{w.Category}}
	if res, err := s.PrintReminder(ctx, consent); err != nil || !res.Printed || res.Text == "" {
		t.Errorf("PrintReminder(consent) = %+v, %v; want printed", res, err)
	}
	if _, err := s.PrintReminder(ctx, bk.Reminder{Kind: bk.RemindGiven}); bk.ErrorCode(err) != bk.EInvalid {
		t.Errorf("PrintReminder(of nothing) = %v; want %s", err, bk.EInvalid)
	}
	s.Close()
	if _, err := s.PrintReminder(ctx, given); bk.ErrorCode(err) != bk.ENotAuthed {
		t.Errorf("PrintReminder after Close = %v; want %s", err, bk.ENotAuthed)
	}
}
