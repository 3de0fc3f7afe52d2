// Package catalogue reads the operator's catalogue file (TOML) into the
// domain's bk.Catalogue and checks it with Catalogue.Validate. It is the
// domain's adapter for the file format: the root package stays standard
// library only, so the TOML library lives here.
package catalogue

import (
	"fmt"
	"io"
	"strings"

	"github.com/BurntSushi/toml"
	bk "github.com/borgerkiosk/borgerkiosk"
)

// Parse reads a catalogue in TOML (the form of demo/catalogue.toml).
// Unknown keys are refused, and the catalogue must pass Validate.
func Parse(r io.Reader) (*bk.Catalogue, error) {
	var c bk.Catalogue
	if err := DecodeStrict(r, &c); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// DecodeStrict decodes TOML from r into v and refuses keys v has no field
// for, so a misspelt key in a file we read is never silently ignored.
func DecodeStrict(r io.Reader, v any) error {
	md, err := toml.NewDecoder(r).Decode(v)
	if err != nil {
		return err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("unknown key(s): %s", strings.Join(keys, ", "))
	}
	return nil
}
