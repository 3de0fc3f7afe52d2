package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
	"github.com/borgerkiosk/borgerkiosk/ui"
)

// Duration is a time.Duration written in config files as "90s", "24h".
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (write e.g. \"90s\", \"15m\", \"24h\")", string(b))
	}
	d.Duration = v
	return nil
}

func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Config is the kiosk's configuration file (TOML). Every field has a default
// (DefaultConfig); packaging/kiosk.example.toml documents them.
type Config struct {
	KioskID         string `toml:"kiosk_id"`          // unique name of this kiosk
	Site            string `toml:"site"`              // shown on receipts
	DataDir         string `toml:"data_dir"`          // outbox, keys, last trust bundle
	CentralURL      string `toml:"central_url"`       // base URL of the central service
	EnrollTokenFile string `toml:"enroll_token_file"` // read once, on first start
	Language        string `toml:"language"`          // "da" or "en": the welcome screen's language
	TimeZone        string `toml:"time_zone"`         // every time on screen and paper; default Europe/Copenhagen
	Fullscreen      bool   `toml:"fullscreen"`
	// DebugAddr, when set, serves Go's pprof endpoints (heap, goroutines)
	// there, for finding what holds memory. Loopback addresses only.
	DebugAddr string `toml:"debug_addr"`
	// GoMemoryLimitMB is the Go runtime's soft memory limit (GOMEMLIMIT).
	// The kiosk's live Go heap stays near 50 MB, but by default the heap may
	// double between collections and the runtime keeps what it once held
	// (docs/benchmarks.md). 0 leaves the runtime's default (no limit).
	GoMemoryLimitMB int `toml:"go_memory_limit_mb"`

	Devices    DevicesConfig    `toml:"devices"`
	Session    SessionConfig    `toml:"session"`
	Delegation DelegationConfig `toml:"delegation"`
	Sync       SyncConfig       `toml:"sync"`
	Handover   HandoverConfig   `toml:"handover"`
	Enclosure  EnclosureConfig  `toml:"enclosure"`
}

// DevicesConfig names the serial ports; in production use /dev/serial/by-id
// paths or the udev symlinks of packaging/udev.
type DevicesConfig struct {
	CardReader      string `toml:"card_reader"`
	CardReaderBaud  int    `toml:"card_reader_baud"`
	Printer         string `toml:"printer"`
	PrinterBaud     int    `toml:"printer_baud"`
	PrinterNativeQR bool   `toml:"printer_native_qr"` // false: send QR codes as raster images
	PrinterColumns  int    `toml:"printer_columns"`
	Scanner         string `toml:"scanner"`
	ScannerBaud     int    `toml:"scanner_baud"`
}

// EnclosureConfig says where the devices sit on this kiosk, seen from the
// person in front of the screen; the welcome screen draws and says it.
// Each is one of ui.Places: "below-left", "below", "below-right" (on the
// shelf under the screen), "left" or "right" (beside the screen).
type EnclosureConfig struct {
	CardReader string `toml:"card_reader"`
	Scanner    string `toml:"scanner"`
}

// SessionConfig sets the idle timer.
type SessionConfig struct {
	IdleWarning   Duration `toml:"idle_warning"`   // quiet time before the warning
	IdleCountdown Duration `toml:"idle_countdown"` // the warning's countdown, at least 20 s
}

// DelegationConfig bounds the validity a citizen can choose.
type DelegationConfig struct {
	DefaultDays int `toml:"default_days"`
	MaxDays     int `toml:"max_days"`
	// ReminderDays: what ends within this many days is listed on the
	// citizen's home screen after sign-in, with a way to renew or print.
	ReminderDays int `toml:"reminder_days"`
}

// SyncConfig tunes the outbox and pusher.
type SyncConfig struct {
	Retention     Duration `toml:"retention"`      // keep acknowledged actions this long
	BundleRefresh Duration `toml:"bundle_refresh"` // how often to fetch the trust bundle
}

// HandoverConfig sets how handover codes are made.
type HandoverConfig struct {
	Validity  Duration `toml:"validity"`   // how long a printed code can be used
	PublicURL string   `toml:"public_url"` // central's address as phones reach it
}

// DefaultConfig returns a configuration that runs with simulated devices
// against a central service on this machine.
func DefaultConfig() Config {
	return Config{
		KioskID:         "kiosk-1",
		Site:            "Borgerservice",
		DataDir:         "/var/lib/borgerkiosk",
		CentralURL:      "http://127.0.0.1:8440",
		Language:        "da",
		TimeZone:        timefmt.DefaultZone,
		GoMemoryLimitMB: 96,
		Fullscreen:      true,
		Devices: DevicesConfig{
			CardReaderBaud: 9600, PrinterBaud: 115200, PrinterNativeQR: true, PrinterColumns: 42, ScannerBaud: 9600,
		},
		Session:    SessionConfig{IdleWarning: Duration{90 * time.Second}, IdleCountdown: Duration{30 * time.Second}},
		Delegation: DelegationConfig{DefaultDays: 365, MaxDays: 5 * 365, ReminderDays: bk.DefaultReminderWindowDays},
		Sync:       SyncConfig{Retention: Duration{24 * time.Hour}, BundleRefresh: Duration{15 * time.Minute}},
		Handover:   HandoverConfig{Validity: Duration{14 * 24 * time.Hour}},
		Enclosure: EnclosureConfig{
			CardReader: string(ui.DefaultConfig().CardReaderPlace), Scanner: string(ui.DefaultConfig().ScannerPlace),
		},
	}
}

// ParseConfig reads TOML over the defaults. Unknown keys are errors, so a
// misspelt setting is not silently ignored.
func ParseConfig(r io.Reader) (Config, error) {
	c := DefaultConfig()
	md, err := toml.NewDecoder(r).Decode(&c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return c, fmt.Errorf("config: %s", perr.ErrorWithPosition())
		}
		return c, fmt.Errorf("config: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return c, fmt.Errorf("config: unknown setting %s", strings.Join(keys, ", "))
	}
	return c, c.Validate()
}

// Validate checks every field and names the first one that is wrong.
func (c *Config) Validate() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if c.KioskID == "" || strings.ContainsAny(c.KioskID, " \t/,=") {
		bad("kiosk_id must be set and have no spaces, slashes, commas or '='")
	}
	if c.DataDir == "" {
		bad("data_dir must be set")
	}
	if u, err := url.Parse(c.CentralURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("central_url must be an http:// or https:// address, got %q", c.CentralURL)
	}
	if c.DebugAddr != "" && !loopback(c.DebugAddr) {
		bad("debug_addr must be a loopback address such as 127.0.0.1:6061 (it shows the kiosk's memory), got %q", c.DebugAddr)
	}
	if c.GoMemoryLimitMB != 0 && c.GoMemoryLimitMB < 64 {
		bad("go_memory_limit_mb must be 0 (no limit) or at least 64: the kiosk's live heap is about 50 MB, got %d", c.GoMemoryLimitMB)
	}
	if _, err := timefmt.Load(c.TimeZone); err != nil {
		bad("time_zone: %s", bk.ErrorMessage(err))
	}
	if c.Language != "da" && c.Language != "en" {
		bad("language must be \"da\" or \"en\", got %q", c.Language)
	}
	for name, baud := range map[string]int{"card_reader_baud": c.Devices.CardReaderBaud, "printer_baud": c.Devices.PrinterBaud, "scanner_baud": c.Devices.ScannerBaud} {
		switch baud {
		case 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200:
		default:
			bad("devices.%s must be a standard baud rate (9600, 19200, 38400, 57600, 115200), got %d", name, baud)
		}
	}
	if c.Devices.PrinterColumns < 32 || c.Devices.PrinterColumns > 64 {
		bad("devices.printer_columns must be between 32 and 64, got %d", c.Devices.PrinterColumns)
	}
	if c.Session.IdleWarning.Duration < 15*time.Second {
		bad("session.idle_warning must be at least 15s")
	}
	if c.Session.IdleCountdown.Duration < 20*time.Second {
		bad("session.idle_countdown must be at least 20s so that people have time to answer")
	}
	if c.Delegation.MaxDays < 1 || c.Delegation.MaxDays > 10*366 {
		bad("delegation.max_days must be between 1 and 3660")
	}
	if c.Delegation.DefaultDays < 1 || c.Delegation.DefaultDays > c.Delegation.MaxDays {
		bad("delegation.default_days must be between 1 and delegation.max_days")
	}
	if c.Delegation.ReminderDays < 1 || c.Delegation.ReminderDays > 90 {
		bad("delegation.reminder_days must be between 1 and 90 (a delegation can be renewed up to 90 days after it ended)")
	}
	if c.Sync.Retention.Duration < 0 || c.Sync.Retention.Duration > 30*24*time.Hour {
		bad("sync.retention must be between 0s and 720h")
	}
	if c.Sync.BundleRefresh.Duration < 10*time.Second {
		bad("sync.bundle_refresh must be at least 10s")
	}
	if c.Handover.Validity.Duration < time.Hour || c.Handover.Validity.Duration > 90*24*time.Hour {
		bad("handover.validity must be between 1h and 2160h")
	}
	for name, p := range map[string]string{"card_reader": c.Enclosure.CardReader, "scanner": c.Enclosure.Scanner} {
		if !ui.Place(p).Valid() {
			bad("enclosure.%s must be one of %s (where it sits, seen from the person at the screen), got %q", name, placeNames(), p)
		}
	}
	if c.Enclosure.CardReader == c.Enclosure.Scanner {
		bad("enclosure.card_reader and enclosure.scanner cannot both be %q", c.Enclosure.CardReader)
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return nil
}

// placeNames lists ui.Places for an error message: "below-left", "below", ….
func placeNames() string {
	var q []string
	for _, p := range ui.Places {
		q = append(q, strconv.Quote(string(p)))
	}
	return strings.Join(q, ", ")
}

// Zone is the configured time zone (Validate has checked it).
func (c *Config) Zone() timefmt.Zone {
	z, _ := timefmt.Load(c.TimeZone)
	return z
}

// loopback reports whether addr (host:port) listens on this machine only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
