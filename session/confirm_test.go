package session_test

import (
	"context"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// TestDoReportsCentralsVerdictWhenOnline: online, an action central answers
// at once is reported and printed as confirmed (or refused), not pending;
// offline the kiosk does not wait and says pending.
func TestDoReportsCentralsVerdictWhenOnline(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		online  bool
		verdict *bk.Verdict
		pending bool
		paper   string
	}{
		{"online, applied", true, &bk.Verdict{Outcome: bk.Applied}, false, "Bekræftet"},
		{"online, rejected", true, &bk.Verdict{Outcome: bk.Rejected, Reason: bk.ECardRevoked, Message: "blocked"}, false, "Afvist"},
		{"offline", false, &bk.Verdict{Outcome: bk.Applied}, true, "Afventer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKit(t)
			k.sync.SetOnline(tt.online)
			k.confirm.Answer(tt.verdict)
			s := k.signIn(k.alice, nil)
			res, err := s.Do(ctx, bk.CreateDelegation, k.delegationPayload(bobCPR))
			if err != nil {
				t.Fatalf("Do = %v", err)
			}
			if res.Pending != tt.pending {
				t.Errorf("Do().Pending = %v; want %v", res.Pending, tt.pending)
			}
			if !tt.pending && res.Verdict.Outcome != tt.verdict.Outcome {
				t.Errorf("Do().Verdict = %+v; want %s", res.Verdict, tt.verdict.Outcome)
			}
			if text, _ := k.lastPaper(); !contains(text, tt.paper) {
				t.Errorf("receipt does not say %q:\n%s", tt.paper, text)
			}
			// What is read aloud says the same as the paper.
			if !contains(res.Receipt.Text, tt.paper) {
				t.Errorf("receipt text for reading aloud does not say %q:\n%s", tt.paper, res.Receipt.Text)
			}
			if !tt.online && len(k.confirm.asked) != 0 {
				t.Errorf("offline, the kiosk waited for central")
			}
		})
	}
}

// TestSlipSaysWhatCentralKnows: a slip for a delegation central has
// confirmed says so; one made offline says pending; and a delegation central
// refused gets no slip at all.
func TestSlipSaysWhatCentralKnows(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		online  bool
		verdict *bk.Verdict
		paper   string // on the slip; "" means no slip may be made
	}{
		{"confirmed", true, &bk.Verdict{Outcome: bk.Applied}, "Bekræftet"},
		{"offline", false, nil, "Afventer"},
		{"refused by central", true, &bk.Verdict{Outcome: bk.Rejected, Reason: bk.ECardRevoked}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKit(t)
			k.sync.SetOnline(tt.online)
			k.confirm.Answer(tt.verdict)
			s := k.signIn(k.alice, nil)
			p := k.delegationPayload(bobCPR)
			p.DelegationID = bk.NewID(k.clock.Now())
			if _, err := s.Do(ctx, bk.CreateDelegation, p); err != nil {
				t.Fatalf("Do = %v", err)
			}
			_, err := s.HandoverCode(ctx, p.DelegationID)
			if tt.paper == "" {
				if err == nil {
					t.Fatalf("HandoverCode for a refused delegation = nil error; want a refusal")
				}
				return
			}
			if err != nil {
				t.Fatalf("HandoverCode = %v", err)
			}
			if text, _ := k.lastPaper(); !contains(text, tt.paper) {
				t.Errorf("slip does not say %q:\n%s", tt.paper, text)
			}
		})
	}
}
