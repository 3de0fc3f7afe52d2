package sync

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// TestDismissRecordsWhoAndWhen: staff taking an action off the attention
// list leaves a record of which staff member did and when; it survives a
// restart and goes Retention after the dismissal, not before.
func TestDismissRecordsWhoAndWhen(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	p := newPeople(nil)
	dir := filepath.Join(t.TempDir(), "ob")
	o := mustOpen(t, dir, Options{Now: clock, Retention: time.Hour})
	var ids []string
	for range 3 {
		a := p.delegation("k1", now)
		ids = append(ids, a.ID)
		if _, err := o.Enqueue(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Ack(bk.PushResponse{LastSeq: 3, Verdicts: []bk.Verdict{
		{ActionID: ids[0], Seq: 1, Outcome: bk.Rejected, Reason: bk.ECardRevoked},
		{ActionID: ids[1], Seq: 2, Outcome: bk.Superseded, Reason: bk.EInvalidState},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := o.Dismiss(1, ""); err == nil {
		t.Fatal("Dismiss without a staff id = nil; want an error")
	}
	now = now.Add(time.Minute)
	if err := o.Dismiss(1, "staff-7"); err != nil {
		t.Fatalf("Dismiss(1) = %v", err)
	}
	if err := o.Dismiss(3, "staff-7"); !errors.Is(err, ErrNotOnList) {
		t.Fatalf("Dismiss(3), an applied action = %v; want ErrNotOnList", err)
	}
	att, err := o.Attention()
	if err != nil || len(att) != 1 || att[0].Seq != 2 || o.Stats().Attention != 1 {
		t.Fatalf("Attention after dismissing 1 = %+v, %v (stats %d); want only seq 2", att, err, o.Stats().Attention)
	}
	want := Dismissal{Seq: 1, ActionID: ids[0], Kind: bk.CreateDelegation, Outcome: bk.Rejected,
		Reason: bk.ECardRevoked, By: "staff-7", At: now}
	check := func(when string, n int) {
		t.Helper()
		ds, err := o.Dismissed()
		if err != nil || len(ds) != n || (n == 1 && (ds[0] != want)) {
			t.Fatalf("%s: Dismissed() = %+v, %v; want %d like %+v", when, ds, err, n, want)
		}
	}
	check("after dismissing", 1)
	o.Close()
	o = mustOpen(t, dir, Options{Now: clock, Retention: time.Hour})
	check("after reopen", 1)
	if o.Stats().Attention != 1 {
		t.Fatalf("Stats().Attention after reopen = %d; want 1", o.Stats().Attention)
	}
	if _, err := o.Purge(now.Add(59 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	check("within retention", 1)
	if _, err := o.Purge(now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("after retention", 0)
}
