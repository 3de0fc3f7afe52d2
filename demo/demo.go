// Package demo holds Borgerkiosk's demo data, embedded in the binaries: a
// realistic Danish catalogue (catalogue.toml) and demo citizens with consent
// requests for them (demo.toml). The data files live here because go:embed
// reads only files beside the package; nothing installs them as files.
package demo

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/catalogue"
)

//go:embed catalogue.toml
var catalogueTOML []byte

//go:embed demo.toml
var demoTOML []byte

// Catalogue returns the embedded demo catalogue.
func Catalogue() (*bk.Catalogue, error) {
	return catalogue.Parse(bytes.NewReader(catalogueTOML))
}

// CatalogueTOML returns the embedded catalogue file, e.g. as a starting point
// for an operator's own.
func CatalogueTOML() []byte { return bytes.Clone(catalogueTOML) }

// Citizen is a demo person.
type Citizen struct {
	CPR  bk.CPR
	Name string
}

// ConsentRequest is a demo consent request with a stable id, so loading the
// demo twice creates nothing twice.
type ConsentRequest struct {
	ID        string
	Authority string
	Request   bk.ConsentRequest
}

// Data is the demo's people and consent requests.
type Data struct {
	Citizens []Citizen
	Requests []ConsentRequest
}

type fileData struct {
	Citizens []struct {
		CPR  string `toml:"cpr"`
		Name string `toml:"name"`
	} `toml:"citizens"`
	Requests []struct {
		Key            string   `toml:"key"`
		Authority      string   `toml:"authority"`
		CPR            string   `toml:"cpr"`
		Purpose        bk.Text  `toml:"purpose"`
		DataCategories []string `toml:"data_categories"`
		LegalBasis     bk.Text  `toml:"legal_basis"`
		ValidDays      int      `toml:"valid_days"`
	} `toml:"consent_requests"`
}

// Load returns the embedded demo data, checked against cat and, for the CPR
// numbers, the clock now.
func Load(cat *bk.Catalogue, now time.Time) (*Data, error) {
	var f fileData
	if err := catalogue.DecodeStrict(bytes.NewReader(demoTOML), &f); err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	d := &Data{}
	for _, c := range f.Citizens {
		cpr, err := bk.ParseCPR(c.CPR, now)
		if err != nil {
			return nil, fmt.Errorf("demo citizen %s: %w", c.Name, err)
		}
		d.Citizens = append(d.Citizens, Citizen{CPR: cpr, Name: c.Name})
	}
	for _, r := range f.Requests {
		cpr, err := bk.ParseCPR(r.CPR, now)
		if err != nil {
			return nil, fmt.Errorf("demo consent request %s: %w", r.Key, err)
		}
		if _, ok := cat.Authority(r.Authority); !ok {
			return nil, fmt.Errorf("demo consent request %s: unknown authority %q", r.Key, r.Authority)
		}
		req := bk.ConsentRequest{CPR: cpr, Purpose: r.Purpose, DataCategories: r.DataCategories, LegalBasis: r.LegalBasis, ValidDays: r.ValidDays}
		if err := req.Validate(cat, r.Authority, now); err != nil {
			return nil, fmt.Errorf("demo consent request %s: %w", r.Key, err)
		}
		d.Requests = append(d.Requests, ConsentRequest{ID: StableID("demo-consent/" + r.Key), Authority: r.Authority, Request: req})
	}
	return d, nil
}

// StableID derives a UUID-shaped id (version 8, RFC 9562) from name, the
// same every time.
func StableID(name string) string {
	h := sha256.Sum256([]byte(name))
	u := h[:16]
	u[6] = 0x80 | (u[6] & 0x0f)
	u[8] = 0x80 | (u[8] & 0x3f)
	x := hex.EncodeToString(u)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}
