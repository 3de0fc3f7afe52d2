package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
)

func TestQueueListsWithoutFullCPR(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	ob, err := kiosksync.Open(dir, kiosksync.Options{MaintenanceInterval: -1, MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	issuer := fixture.NewIssuer()
	karen := issuer.Citizen("0101601234", "Karen Hansen")
	delegate := bk.MustParseCPR("0202705678")
	now := time.Now()
	var ids []string
	for i := 0; i < 3; i++ {
		a := fixture.Action(bk.CreateDelegation, bk.Payload{
			DelegationID: bk.NewID(now), Delegate: &delegate, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
			ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
		}, karen, nil, now.Add(time.Duration(i)*time.Second))
		if _, err := ob.Enqueue(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	err = ob.Ack(bk.PushResponse{LastSeq: 1, Verdicts: []bk.Verdict{{ActionID: ids[0], Seq: 1, Outcome: bk.Rejected, Reason: bk.ECardRevoked, Message: "blocked"}}})
	if err != nil {
		t.Fatal(err)
	}
	ob.Close()

	out, err := kioskctl(t, "queue", "--data", dir)
	if err != nil {
		t.Fatalf("queue: %v", err)
	}
	for _, want := range []string{"2 pending", "1 need attention", "ACKNOWLEDGED", "rejected", "card_revoked", ids[1], "010160-xxxx"} {
		if !strings.Contains(out, want) {
			t.Errorf("queue output lacks %q:\n%s", want, out)
		}
	}
	js, err := kioskctl(t, "queue", "--data", dir, "--json")
	if err != nil {
		t.Fatalf("queue --json: %v", err)
	}
	var rep queueReport
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("queue --json is not JSON: %v", err)
	}
	if len(rep.PendingItems) != 2 || len(rep.AckedItems) != 1 || rep.AckedItems[0].Outcome != "rejected" || len(rep.Attention) != 1 {
		t.Errorf("queue --json = %+v", rep)
	}
	for _, o := range []string{out, js} {
		if strings.Contains(o, "1234") || strings.Contains(o, "5678") {
			t.Errorf("queue shows a full CPR number:\n%s", o)
		}
	}
}
