package borgerkiosk_test

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestNewIDIsUUIDv7(t *testing.T) {
	id := bk.NewID(now)
	if !bk.ValidID(id) {
		t.Fatalf("NewID = %q; not a valid id", id)
	}
	u, err := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
	if err != nil || len(u) != 16 {
		t.Fatalf("NewID = %q; not 16 hex bytes", id)
	}
	if v := u[6] >> 4; v != 7 {
		t.Errorf("NewID = %q: version %d; want 7", id, v)
	}
	if v := u[8] >> 6; v != 0b10 {
		t.Errorf("NewID = %q: variant bits %02b; want 10", id, v)
	}
	var ms uint64
	for _, b := range u[:6] {
		ms = ms<<8 | uint64(b)
	}
	if want := uint64(now.UnixMilli()); ms != want {
		t.Errorf("NewID = %q: timestamp %d ms; want %d", id, ms, want)
	}
}

func TestNewIDUnique(t *testing.T) {
	seen := make(map[string]bool, 10000)
	for i := 0; i < 10000; i++ {
		id := bk.NewID(now) // all in the same millisecond: only randomness separates them
		if seen[id] {
			t.Fatalf("NewID repeated %q after %d calls", id, i)
		}
		seen[id] = true
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	var ids []string
	for i := 0; i < 1000; i++ {
		ids = append(ids, bk.NewID(now.Add(time.Duration(i)*time.Millisecond)))
	}
	ids = append(ids, bk.NewID(now.AddDate(10, 0, 0)))
	if !slices.IsSorted(ids) {
		for i := 1; i < len(ids); i++ {
			if ids[i-1] >= ids[i] {
				t.Fatalf("NewID(t+%d ms) = %q sorts before NewID(t+%d ms) = %q", i, ids[i], i-1, ids[i-1])
			}
		}
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"01900000-0000-7000-8000-000000000001", true},
		{"019ac0de-abcd-7ef0-9abc-def012345678", true},
		{"00000000-0000-0000-0000-000000000000", true}, // any lower-case UUID, not only v7
		{"019AC0DE-ABCD-7EF0-9ABC-DEF012345678", false},
		{"019ac0deabcd7ef09abcdef012345678", false},
		{"019ac0de-abcd-7ef0-9abc-def01234567", false},
		{"019ac0de-abcd-7ef0-9abc-def0123456789", false},
		{"019ac0de_abcd-7ef0-9abc-def012345678", false},
		{"019ac0de-abcd-7ef0-9abc-def01234567g", false},
		{"{019ac0de-abcd-7ef0-9abc-def0123456}", false},
		{"019ac0de-abcd-7ef0-9abc-def01234567\x00", false},
		{"019ac0de-abc-d7ef0-9abc-def012345678", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := bk.ValidID(tt.in); got != tt.want {
			t.Errorf("ValidID(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}
