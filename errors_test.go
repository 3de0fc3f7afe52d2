package borgerkiosk_test

import (
	"errors"
	"fmt"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestErrorCodeAndMessage(t *testing.T) {
	domain := bk.Errorf(bk.ECardLocked, "The card is locked after %d wrong PINs.", 3)
	tests := []struct {
		name          string
		err           error
		code, message string
	}{
		{"nil", nil, "", ""},
		{"domain", domain, bk.ECardLocked, "The card is locked after 3 wrong PINs."},
		{"wrapped domain", fmt.Errorf("reader: %w", domain), bk.ECardLocked, "The card is locked after 3 wrong PINs."},
		{"pin", &bk.PINError{TriesLeft: 2}, bk.EWrongPIN, "wrong PIN, 2 tries left"},
		{"wrapped pin", fmt.Errorf("auth: %w", &bk.PINError{TriesLeft: 1}), bk.EWrongPIN, "wrong PIN, 1 tries left"},
		{"other", errors.New("open /dev/ttyUSB0: permission denied"), bk.EInternal, "An internal error occurred."},
	}
	for _, tt := range tests {
		if got := bk.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%s) = %q; want %q", tt.name, got, tt.code)
		}
		if got := bk.ErrorMessage(tt.err); got != tt.message {
			t.Errorf("ErrorMessage(%s) = %q; want %q", tt.name, got, tt.message)
		}
	}
	if got, want := domain.Error(), "card_locked: The card is locked after 3 wrong PINs."; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}

func TestVerdict(t *testing.T) {
	v := bk.Refuse("a1", bk.Errorf(bk.ECardRevoked, "blocked"))
	if want := (bk.Verdict{ActionID: "a1", Outcome: bk.Rejected, Reason: bk.ECardRevoked, Message: "blocked"}); v != want {
		t.Errorf("Refuse = %+v; want %+v", v, want)
	}
	if v := bk.Refuse("a2", errors.New("disk on fire")); v.Reason != bk.EInternal || v.Message != "An internal error occurred." {
		t.Errorf("Refuse(internal error) = %+v; want reason %q and a generic message", v, bk.EInternal)
	}
	for o, want := range map[bk.Outcome]bool{bk.Applied: false, bk.Duplicate: false, bk.Superseded: true, bk.Rejected: true} {
		if got := (bk.Verdict{Outcome: o}).NeedsAttention(); got != want {
			t.Errorf("Verdict{%s}.NeedsAttention() = %v; want %v", o, got, want)
		}
	}
}

func TestCardEventString(t *testing.T) {
	for e, want := range map[bk.CardEvent]string{bk.CardInserted: "inserted", bk.CardRemoved: "removed", 0: "unknown", 9: "unknown"} {
		if got := e.String(); got != want {
			t.Errorf("CardEvent(%d).String() = %q; want %q", int(e), got, want)
		}
	}
}
