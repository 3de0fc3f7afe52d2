package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
)

// The staff screen names an action by its id; the outbox keeps its list by
// sequence. syncStatus finds the one for the other and records who dismissed.
func TestDismissFindsTheActionInTheOutbox(t *testing.T) {
	ob, err := kiosksync.Open(filepath.Join(t.TempDir(), "outbox"), kiosksync.Options{MaintenanceInterval: -1, MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	karen := fixture.NewIssuer().Citizen("0101601234", "Karen Hansen")
	now := time.Now()
	var ids []string
	for i := range 2 {
		a := fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: bk.NewID(now)}, karen, nil, now.Add(time.Duration(i)*time.Second))
		if _, err := ob.Enqueue(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	if err := ob.Ack(bk.PushResponse{LastSeq: 2, Verdicts: []bk.Verdict{
		{ActionID: ids[0], Seq: 1, Outcome: bk.Rejected, Reason: bk.ECardRevoked},
		{ActionID: ids[1], Seq: 2, Outcome: bk.Rejected, Reason: bk.ECardRevoked},
	}}); err != nil {
		t.Fatal(err)
	}
	s := syncStatus{outbox: ob}
	ctx := context.Background()
	if err := s.Dismiss(ctx, ids[1], "S-17"); err != nil {
		t.Fatalf("Dismiss(%s) = %v", ids[1], err)
	}
	if err := s.Dismiss(ctx, ids[1], "S-17"); bk.ErrorCode(err) != bk.ENotFound {
		t.Errorf("Dismiss again = %v; want code %s", err, bk.ENotFound)
	}
	items, err := s.Attention(ctx)
	if err != nil || len(items) != 1 || items[0].ActionID != ids[0] {
		t.Errorf("Attention after Dismiss = %+v, %v; want only %s", items, err, ids[0])
	}
	ds, err := ob.Dismissed()
	if err != nil || len(ds) != 1 || ds[0].ActionID != ids[1] || ds[0].By != "S-17" || ds[0].Seq != 2 {
		t.Errorf("Dismissed() = %+v, %v; want %s (seq 2) by S-17", ds, err, ids[1])
	}
}
