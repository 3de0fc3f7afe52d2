package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestParseConfigDefaultsAndOverrides(t *testing.T) {
	c, err := ParseConfig(strings.NewReader(`
kiosk_id = "kbh-hoved-01"
central_url = "https://central.example"
[session]
idle_warning = "2m"
[delegation]
default_days = 30
`))
	if err != nil {
		t.Fatalf("ParseConfig = %v", err)
	}
	if c.KioskID != "kbh-hoved-01" || c.Session.IdleWarning.Duration != 2*time.Minute || c.Delegation.DefaultDays != 30 {
		t.Errorf("overrides not applied: %+v", c)
	}
	if c.Session.IdleCountdown.Duration != 30*time.Second || c.Devices.PrinterBaud != 115200 {
		t.Errorf("defaults lost: %+v", c)
	}
}

func TestParseConfigRefusals(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`kiosk_idd = "x"`, "unknown setting kiosk_idd"},
		{`kiosk_id = `, "config:"},
		{`kiosk_id = "a b"`, "kiosk_id"},
		{`central_url = "ftp://x"`, "central_url"},
		{`language = "de"`, "language"},
		{`time_zone = "Europe/Kobenhavn"`, "time_zone"},
		{`time_zone = "Local"`, "time_zone"},
		{`debug_addr = "0.0.0.0:6061"`, "debug_addr"},
		{`debug_addr = "192.168.1.5:6061"`, "debug_addr"},
		{`go_memory_limit_mb = 10`, "go_memory_limit_mb"},
		{"[devices]\nprinter_baud = 1234", "printer_baud"},
		{"[session]\nidle_countdown = \"10s\"", "idle_countdown"},
		{"[session]\nidle_warning = \"soon\"", "not a duration"},
		{"[delegation]\ndefault_days = 4000\nmax_days = 365", "default_days"},
		{"[handover]\nvalidity = \"1m\"", "handover.validity"},
		{"[enclosure]\ncard_reader = \"under\"", `enclosure.card_reader must be one of "below-left", "below", "below-right", "left", "right"`},
		{"[enclosure]\nscanner = \"top\"", "enclosure.scanner"},
		{"[enclosure]\ncard_reader = \"left\"\nscanner = \"left\"", "cannot both be \"left\""},
	}
	for _, tt := range tests {
		_, err := ParseConfig(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseConfig(%q) = %v; want an error mentioning %q", tt.in, err, tt.want)
		}
	}
}

func TestDefaultConfigIsValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v", err)
	}
}

// TestExampleConfigIsTheDefault keeps packaging/kiosk.example.toml, which
// the .deb installs as /etc/borgerkiosk/kiosk.toml, valid and in step with
// DefaultConfig.
func TestExampleConfigIsTheDefault(t *testing.T) {
	f, err := os.Open("../../packaging/kiosk.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ParseConfig(f)
	if err != nil {
		t.Fatalf("ParseConfig(example) = %v", err)
	}
	if d := DefaultConfig(); !reflect.DeepEqual(c, d) {
		t.Errorf("the example config differs from DefaultConfig:\n got %+v\nwant %+v", c, d)
	}
}

// TestReminderWindowIsCentrals: the kiosk's default window is the one the
// domain package decides with central's default reminders.
func TestReminderWindowIsCentrals(t *testing.T) {
	if got := DefaultConfig().Delegation.ReminderDays; got != bk.DefaultReminderWindowDays {
		t.Errorf("reminder_days defaults to %d; want %d", got, bk.DefaultReminderWindowDays)
	}
}
