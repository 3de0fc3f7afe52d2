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
	// The clock: 1 December 2026, 12:00 in Denmark.
	now := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
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
		{"010158-5000", true, "1858-01-01"},
		{"311299-0001", true, "1999-12-31"},
		{"010126-4000", true, "2026-01-01"},
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
		c, err := bk.ParseCPR(tt.in, now)
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

// A number whose date of birth is after today has not been issued. Today is
// the Danish calendar date of the clock, so the boundary moves at Danish
// midnight, not at UTC midnight.
func TestParseCPRFutureBirth(t *testing.T) {
	danish, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, danish)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		in   string
		now  time.Time
		want string // "" valid, else the error code
	}{
		{"010136-9000", at("2026-12-01 12:00"), bk.ECPRFutureBirth}, // 2036: the bug the old table encoded
		{"010157-8000", at("2026-12-01 12:00"), bk.ECPRFutureBirth}, // 2057
		{"010136-4000", at("2026-12-01 12:00"), bk.ECPRFutureBirth},
		{"010136-9000", at("2036-01-01 00:00"), ""}, // the same number once its day has come
		{"010157-8000", at("2057-01-01 09:00"), ""},
		{"021226-4000", at("2026-12-01 12:00"), bk.ECPRFutureBirth}, // born tomorrow
		{"011226-4000", at("2026-12-01 00:00"), ""},                 // born today, first minute
		{"011226-4000", at("2026-12-01 23:59"), ""},                 // born today, last minute
		{"021226-4000", at("2026-12-01 23:59"), bk.ECPRFutureBirth}, // tomorrow, a minute before midnight
		{"021226-4000", at("2026-12-02 00:00"), ""},                 // midnight in Denmark is 23:00 UTC
		{"021226-4000", time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC), ""},
		{"021226-4000", time.Date(2026, 12, 1, 22, 59, 0, 0, time.UTC), bk.ECPRFutureBirth},
		{"010158-5000", at("2026-12-01 12:00"), ""}, // 1858: digit 5 and yy > 57 is the past
		{"311299-0001", at("2026-12-01 12:00"), ""},
		{"320136-9000", at("2026-12-01 12:00"), bk.EInvalid}, // not a date at all: form first
	}
	for _, tt := range tests {
		_, err := bk.ParseCPR(tt.in, tt.now)
		if got := bk.ErrorCode(err); got != tt.want {
			t.Errorf("ParseCPR(%q, %s) code = %q; want %q", tt.in, tt.now.Format(time.RFC3339), got, tt.want)
		}
		if tt.want == bk.ECPRFutureBirth && !strings.Contains(bk.ErrorMessage(err), "future") {
			t.Errorf("ParseCPR(%q) message = %q; want one that says the birth date is in the future", tt.in, bk.ErrorMessage(err))
		}
	}
}

// JSON carries stored and signed records, which must read back whatever the
// reader's clock says; the clock is checked where a number enters.
func TestCPRJSONIgnoresTheClock(t *testing.T) {
	var c bk.CPR
	if err := json.Unmarshal([]byte(`"010136-9000"`), &c); err != nil {
		t.Fatalf("UnmarshalJSON(2036) = %v; want nil", err)
	}
	if got := bk.ErrorCode(c.CheckBorn(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))); got != bk.ECPRFutureBirth {
		t.Errorf("CheckBorn(2026) = %q; want %q", got, bk.ECPRFutureBirth)
	}
	if err := (bk.CPR{}).CheckBorn(time.Now()); err != nil {
		t.Errorf("zero CPR: CheckBorn = %v; want nil", err)
	}
}

func TestCPRModulus11NotRequired(t *testing.T) {
	// 010190-1235 fails modulus 11 but is a valid number since 2007.
	if _, err := bk.ParseCPR("010190-1235", time.Now()); err != nil {
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
