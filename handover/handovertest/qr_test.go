package handovertest

import (
	"strings"
	"testing"
)

func TestQRAlphanumericMode(t *testing.T) {
	// 151 characters need version 10-Q in byte mode (151 bytes) but only
	// 8-Q in alphanumeric mode (7-Q holds 122, 8-Q 152).
	s := strings.Repeat("A", 151)
	if v, err := Version(s); err != nil || v != 8 {
		t.Errorf("Version(151×A) = %d, %v; want 8 (alphanumeric mode)", v, err)
	}
	if _, err := Version("https://x"); err == nil {
		t.Error("Version(lowercase) = nil error; want a refusal of byte mode")
	}
	if _, err := PNG("https://x", 256); err == nil {
		t.Error("PNG(lowercase) = nil error; want a refusal of byte mode")
	}
}
