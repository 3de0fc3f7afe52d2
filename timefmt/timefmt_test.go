package timefmt

import (
	"testing"
	"time"
)

// One instant in winter and one in summer time, formatted the same on any
// machine: the zone comes from the config, never from TZ.
func TestFormats(t *testing.T) {
	t.Setenv("TZ", "UTC")
	z, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	winter := time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC) // CET, UTC+1
	summer := time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC)  // CEST, UTC+2: already 2 July
	tests := []struct {
		name, got, want string
	}{
		{"winter DateTime da", z.DateTime(winter, "da"), "26. november 2026 kl. 14.05"},
		{"winter DateTime en", z.DateTime(winter, "en"), "26 November 2026, 14:05"},
		{"summer DateTime da", z.DateTime(summer, "da"), "2. juli 2026 kl. 00.30"},
		{"summer DateTime en", z.DateTime(summer, "en"), "2 July 2026, 00:30"},
		{"summer Date da", z.Date(summer, "da"), "2. juli 2026"},
		{"summer Date en", z.Date(summer, "en"), "2 July 2026"},
		{"midnight end", z.LastDay(time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), "da"), "30. november 2026"},
		{"zero Zone", Zone{}.DateTime(winter, "da"), "26. november 2026 kl. 14.05"},
		{"summer Day da", z.Day(summer, winter, "da"), "2. juli"},
		{"summer Day en", z.Day(summer, winter, "en"), "2 July"},
		{"Day of last year", z.Day(winter, winter.AddDate(1, 0, 0), "da"), "26. november 2026"},
		// 31 December 23:30 UTC is already New Year's Day in Copenhagen.
		{"Day across New Year", z.Day(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), winter, "da"), "1. januar 2027"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q; want %q", tt.name, tt.got, tt.want)
		}
	}
	if through, s := z.End(time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), "da"); !through || s != "30. november 2026" {
		t.Errorf("End(midnight) = %v, %q; want through 30. november 2026", through, s)
	}
}

// With no zone database on the machine (ZONEINFO pointing nowhere), the
// embedded one still knows Copenhagen.
func TestLoadWithoutZoneinfo(t *testing.T) {
	t.Setenv("ZONEINFO", t.TempDir())
	z, err := Load("Europe/Copenhagen")
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	if got := z.DateTime(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), "da"); got != "1. juli 2026 kl. 14.00" {
		t.Errorf("DateTime = %q; want 1. juli 2026 kl. 14.00", got)
	}
}

func TestLoadRefuses(t *testing.T) {
	for _, name := range []string{"Local", "Europe/Kobenhavn", "CET+1"} {
		if _, err := Load(name); err == nil {
			t.Errorf("Load(%q) = nil error; want one", name)
		}
	}
}
