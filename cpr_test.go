package borgerkiosk_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestParseCPR(t *testing.T) {
	tests := []struct {
		in    string
		valid bool
		birth string
	}{
		{"010190-1234", true, "1990-01-01"},
		{"0101901234", true, "1990-01-01"},
		{"290200-4000", true, "2000-02-29"}, // 7th digit 4, yy ≤ 36 → 2000s; leap year
		{"290200-3000", false, ""},          // 29 Feb 1900 does not exist
		{"010137-4000", true, "1937-01-01"},
		{"010136-9000", true, "2036-01-01"},
		{"010158-5000", true, "1858-01-01"},
		{"010157-8000", true, "2057-01-01"},
		{"311299-0001", true, "1999-12-31"},
		{"310490-1234", false, ""}, // 31 April
		{"000190-1234", false, ""},
		{"011390-1234", false, ""},
		{"01019-01234", false, ""},
		{"010190+1234", false, ""},
		{"01019O-1234", false, ""},
		{"", false, ""},
		{"010190-12345", false, ""},
		{"٠١٠١٩٠-١٢٣٤", false, ""},
	}
	for _, tt := range tests {
		c, err := bk.ParseCPR(tt.in)
		if (err == nil) != tt.valid {
			t.Errorf("ParseCPR(%q) error = %v; want valid=%v", tt.in, err, tt.valid)
			continue
		}
		if err != nil {
			if bk.ErrorCode(err) != bk.EInvalid {
				t.Errorf("ParseCPR(%q) code = %q; want %q", tt.in, bk.ErrorCode(err), bk.EInvalid)
			}
			continue
		}
		if got := c.BirthDate().Format("2006-01-02"); got != tt.birth {
			t.Errorf("ParseCPR(%q).BirthDate() = %s; want %s", tt.in, got, tt.birth)
		}
	}
}

func TestCPRModulus11NotRequired(t *testing.T) {
	// 010190-1235 fails modulus 11 but is a valid number since 2007.
	if _, err := bk.ParseCPR("010190-1235"); err != nil {
		t.Fatalf("ParseCPR = %v; want nil", err)
	}
}

func TestCPRMaskingEverywhere(t *testing.T) {
	c := bk.MustParseCPR("0101901234")
	if got, want := c.Masked(), "010190-xxxx"; got != want {
		t.Errorf("Masked() = %q; want %q", got, want)
	}
	if got := fmt.Sprintf("%v %s", c, c); strings.Contains(got, "1234") {
		t.Errorf("fmt leaks the CPR: %q", got)
	}
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("x", "cpr", c)
	if strings.Contains(sb.String(), "1234") {
		t.Errorf("slog leaks the CPR: %q", sb.String())
	}
	if got, want := c.Full(), "010190-1234"; got != want {
		t.Errorf("Full() = %q; want %q", got, want)
	}
	b, _ := json.Marshal(c)
	var back bk.CPR
	if err := json.Unmarshal(b, &back); err != nil || back != c {
		t.Errorf("JSON round trip = %v, %v; want %v", back, err, c)
	}
	if err := json.Unmarshal([]byte(`"320190-1234"`), &back); err == nil {
		t.Errorf("UnmarshalJSON accepted an invalid date")
	}
}

func TestCPRAgeOn(t *testing.T) {
	c := bk.MustParseCPR("150610-4321") // born 15 June 2010
	tests := []struct {
		on   string
		want int
	}{
		{"2025-06-14", 14},
		{"2025-06-15", 15},
		{"2028-06-14", 17},
		{"2028-06-15", 18},
	}
	for _, tt := range tests {
		on, _ := time.Parse("2006-01-02", tt.on)
		if got := c.AgeOn(on); got != tt.want {
			t.Errorf("AgeOn(%s) = %d; want %d", tt.on, got, tt.want)
		}
	}
}
