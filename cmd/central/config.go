package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	bk "github.com/borgerkiosk/borgerkiosk"
)

// Config is the central service's configuration file (TOML). Every field is
// optional; command-line flags override addr and data_dir.
//
//	addr = "127.0.0.1:8440"
//	data_dir = "/var/lib/borgerkiosk-central"
//	catalogue = "/etc/borgerkiosk/catalogue.toml"   # default: the built-in demo catalogue
//	issuers = ["<base64 Ed25519 public key>"]        # none: a dev issuer key is made in data_dir
//	issuer_files = ["/etc/borgerkiosk/issuer.pub"]   # PEM public keys (kioskctl writes them)
//	trust_bundle_max_age = "72h"
//	max_delegation_days = 1825
//	clock_skew = "5m"
//	max_body_bytes = 65536
//
//	[[authorities]]
//	id = "sundhed"                  # must be in the catalogue
//	token_sha256 = "<hex>"          # SHA-256 of the bearer token, or:
//	# token_file = "/etc/borgerkiosk/tokens/sundhed"
type Config struct {
	Addr              string            `toml:"addr"`
	DataDir           string            `toml:"data_dir"`
	Catalogue         string            `toml:"catalogue"`
	Issuers           []string          `toml:"issuers"`
	IssuerFiles       []string          `toml:"issuer_files"`
	TrustBundleMaxAge Duration          `toml:"trust_bundle_max_age"`
	MaxDelegationDays int               `toml:"max_delegation_days"`
	ClockSkew         Duration          `toml:"clock_skew"`
	MaxBodyBytes      int64             `toml:"max_body_bytes"`
	Authorities       []AuthorityConfig `toml:"authorities"`
}

// AuthorityConfig gives one authority its bearer token: the token's SHA-256
// in hex, or a file holding the token.
type AuthorityConfig struct {
	ID          string `toml:"id"`
	TokenSHA256 string `toml:"token_sha256"`
	TokenFile   string `toml:"token_file"`
}

// Duration is a time.Duration written as a string such as "72h" or "5m".
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as \"72h\" or \"5m\"", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// DefaultConfig returns the configuration used when no file is given.
func DefaultConfig() Config {
	return Config{
		Addr:              "127.0.0.1:8440",
		DataDir:           "central-data",
		TrustBundleMaxAge: Duration{72 * time.Hour},
		MaxDelegationDays: 5 * 365,
		ClockSkew:         Duration{5 * time.Minute},
		MaxBodyBytes:      64 << 10,
	}
}

// ParseConfig reads a TOML config over DefaultConfig. Unknown keys are
// refused, so a misspelt setting is never silently ignored.
func ParseConfig(r io.Reader) (Config, error) {
	c := DefaultConfig()
	md, err := toml.NewDecoder(r).Decode(&c)
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return c, fmt.Errorf("config: unknown key(s): %s", strings.Join(keys, ", "))
	}
	return c, nil
}

// Validate checks every value and says which one is wrong.
func (c *Config) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf("config: "+f, a...)) }
	if c.Addr == "" {
		bad("addr is required (host:port)")
	}
	if c.DataDir == "" {
		bad("data_dir is required")
	}
	if c.TrustBundleMaxAge.Duration < time.Minute || c.TrustBundleMaxAge.Duration > 90*24*time.Hour {
		bad("trust_bundle_max_age must be between 1m and 2160h (90 days)")
	}
	if c.MaxDelegationDays < 1 || c.MaxDelegationDays > 10*366 {
		bad("max_delegation_days must be between 1 and 3660")
	}
	if c.ClockSkew.Duration < 0 || c.ClockSkew.Duration > time.Hour {
		bad("clock_skew must be between 0s and 1h")
	}
	if c.MaxBodyBytes < 1<<10 || c.MaxBodyBytes > bk.MaxPushBytes {
		bad("max_body_bytes must be between 1024 and %d", bk.MaxPushBytes)
	}
	for i, s := range c.Issuers {
		if _, err := parsePublicKey(s); err != nil {
			bad("issuers[%d]: %v", i, err)
		}
	}
	seen := map[string]bool{}
	for i, a := range c.Authorities {
		switch {
		case a.ID == "":
			bad("authorities[%d]: id is required", i)
		case seen[a.ID]:
			bad("authorities[%d]: %q appears twice", i, a.ID)
		case (a.TokenSHA256 == "") == (a.TokenFile == ""):
			bad("authority %q: give exactly one of token_sha256 and token_file", a.ID)
		case a.TokenSHA256 != "" && !isSHA256Hex(a.TokenSHA256):
			bad("authority %q: token_sha256 must be 64 hex digits", a.ID)
		}
		seen[a.ID] = true
	}
	return errors.Join(errs...)
}

func parsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("must be a base64 Ed25519 public key (32 bytes)")
	}
	return ed25519.PublicKey(b), nil
}

func isSHA256Hex(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32 && strings.ToLower(s) == s
}
