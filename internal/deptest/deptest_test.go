// Package deptest states the layout of the module as import rules and checks
// them over every package, in the spirit of Tailscale's tstest/deptest:
// arrows point down (cmd → ui/session/sync/central/devices → the domain), and
// each outside library has the packages that own it. A new arrow or a new
// library is a decision: make it here, in the tables, where a reviewer sees it.
package deptest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

const mod = "github.com/borgerkiosk/borgerkiosk"

// mayImport lists, for each of our packages (by path under the module, "" for
// the domain at the root), the packages of ours it may import. A pattern
// ending in "/..." matches the folder and everything below it. Packages not
// listed may import nothing of ours. Only non-test files count: tests may
// reach further (fixtures, fakes, test servers).
var mayImport = map[string][]string{
	"":                    {},
	"qr":                  {},
	"handover":            {"", "qr"},
	"timefmt":             {""},
	"internal/badgerfix":  {},
	"internal/fixture":    {"", "demo"},
	"internal/keyfile":    {},
	"internal/oidctest":   {},
	"internal/pgtest":     {"internal/testtool"},
	"internal/testtool":   {},
	"internal/watchdog":   {},
	"internal/deptest":    {"internal/testtool"},
	"devices/...":         {"", "devices/...", "qr", "timefmt"},
	"sync":                {"", "internal/badgerfix", "internal/keyfile"},
	"central":             {"", "handover", "timefmt"},
	"central/smtpmail":    {"", "central"},
	"central/badgerstore": {"", "central", "handover", "internal/badgerfix"},
	"central/postgres":    {"", "central", "handover"},
	"central/storetest":   {"", "central", "handover", "internal/fixture"},
	"central/handoverweb": {"", "handover", "timefmt"},
	"central/centraltest": {"", "central/...", "demo", "handover", "internal/..."},
	"session":             {"", "handover", "devices/receipt", "timefmt"},
	"ui":                  {"", "qr", "timefmt", "ui/i18n", "ui/keyboard", "ui/speech", "ui/theme"},
	"ui/fake":             {"", "demo"},
	"ui/sessiontest":      {"", "internal/testtool"},
	"ui/keyboard":         {"ui/i18n", "ui/theme"},
	"ui/speech":           {"ui/i18n"},
	"ui/...":              {},
	"catalogue":           {""},
	"demo":                {"", "catalogue"},
	"cmd/...":             {"", "catalogue", "central/...", "demo", "devices/...", "handover", "internal/...", "session", "sync", "timefmt", "ui/..."},
	// The operator's tool is a client of central: it speaks the wire types
	// at the root and links none of the server (Prometheus, OIDC).
	"cmd/kioskctl": {"", "devices/...", "internal/keyfile", "sync"},

	// The token exchange stands on central's registry and keeps its
	// signing keys with internal/keyfile, like central's other key.
	"central/tokenexchange": {"", "central", "internal/keyfile"},

	// Drawing and sizing a handover QR code is for tests only.
	"handover/handovertest": {"handover", "qr"},
}

// libraries lists, for each outside module or package prefix, the packages of
// ours that may import it directly. Every import that is neither ours nor the
// standard library must match one entry.
var libraries = map[string][]string{
	"fyne.io/fyne/v2":                     {"ui", "ui/...", "cmd/kiosk"},
	"github.com/dgraph-io/badger/v4":      {"sync", "central/badgerstore", "internal/badgerfix"},
	"github.com/tarm/serial":              {"devices/serialport"},
	"github.com/creack/pty":               {"devices/ptyhost"},
	"golang.org/x/sys/unix":               {"devices/ptyhost"},
	"github.com/jackc/pgx/v5":             {"central/postgres", "internal/pgtest", "cmd/loadtest"},
	"github.com/coreos/go-oidc/v3":        {"central/handoverweb", "central/tokenexchange"},
	"golang.org/x/oauth2":                 {"central/handoverweb"},
	"github.com/prometheus/client_golang": {"central"},
	"github.com/fxamacker/cbor/v2":        {"handover"},
	"github.com/veraison/go-cose":         {"handover"},
	"github.com/google/uuid":              {"handover"},
	"golang.org/x/crypto/argon2":          {"handover"},
	"github.com/skip2/go-qrcode":          {"qr"},
	"github.com/BurntSushi/toml":          {"catalogue", "cmd/...", "ui/i18n"},
	"github.com/nicksnyder/go-i18n/v2":    {"ui/i18n"},
	"golang.org/x/text/language":          {"ui/i18n"},
	"golang.org/x/text/encoding/charmap":  {"devices/escpos"},
	"golang.org/x/text/unicode/norm":      {"devices/escpos"},
	"golang.org/x/image":                  {"devices/printersim"},
	"github.com/coreos/go-systemd/v22":    {"internal/watchdog"},
	"golang.org/x/time/rate":              {"central"},
	// The encoding/json/v2 candidate: the domain decodes action payloads
	// strictly with it, the one outside import the domain has (docs/decisions.md).
	"github.com/go-json-experiment/json": {""},
	"github.com/oauth2-proxy/mockoidc":   {"internal/oidctest"},
	"github.com/golang-jwt/jwt/v5":       {"internal/oidctest"},

	// JOSE (JWS, JWT, JWK Sets) for the access tokens, in one package; go-oidc
	// verifies the eID broker's ID tokens both for the phone page's sign-in
	// and for the token exchange's subject tokens (docs/decisions.md).
	"github.com/go-jose/go-jose/v4": {"central/tokenexchange"},

	// E-mail notices: go-mail sends (maintained, sorts answers into
	// temporary and permanent); go-smtp is the real server its tests run.
	"github.com/wneessen/go-mail": {"central/smtpmail"},
	"github.com/emersion/go-smtp": {"central/smtpmail"},
}

// mustNotLink lists, for a package, dependencies it must not pull in even
// indirectly: the stores serve every request, so they carry no web sign-in,
// and the application service, translations and speech carry no toolkit.
// testSupport are the packages that exist for tests: fakes, fixtures,
// contract suites, test servers. Their names say so (…test, testtool,
// fixture); the binaries that are shipped link none of them. cmd/loadtest,
// a test tool, may. ("testing" itself cannot be listed: under -tags ci
// Fyne's app is its headless test driver, which links it.)
var testSupport = []string{
	mod + "/internal/fixture", mod + "/internal/testtool", mod + "/internal/pgtest", mod + "/internal/oidctest",
	mod + "/ui/fake", mod + "/ui/sessiontest", mod + "/ui/uitest", mod + "/central/centraltest", mod + "/central/storetest",
	mod + "/devices/ptytest", mod + "/handover/handovertest",
}

var mustNotLink = map[string][]string{
	"central":             {"github.com/coreos/go-oidc", "golang.org/x/oauth2", "html/template", mod + "/central/handoverweb"},
	"central/badgerstore": {"github.com/coreos/go-oidc", "golang.org/x/oauth2", "html/template", mod + "/central/handoverweb"},
	"central/postgres":    {"github.com/coreos/go-oidc", "golang.org/x/oauth2", "html/template", mod + "/central/handoverweb"},
	"central/storetest":   {"github.com/coreos/go-oidc", "golang.org/x/oauth2", "html/template", mod + "/central/handoverweb"},
	"cmd/kioskctl":        append([]string{mod + "/central", "github.com/prometheus/client_golang", "github.com/coreos/go-oidc", "golang.org/x/oauth2"}, testSupport...),
	"cmd/kiosk":           testSupport,
	"cmd/central":         testSupport,
	"session":             {"fyne.io/fyne/v2", mod + "/ui"},
	"sync":                {"fyne.io/fyne/v2"},
	"ui/fake":             {"fyne.io/fyne/v2", mod + "/ui"},
	"ui/sessiontest":      {"fyne.io/fyne/v2", mod + "/ui"},
	"ui/i18n":             {"fyne.io/fyne/v2"},
	"ui/speech":           {"fyne.io/fyne/v2"},
	"devices/...":         {"fyne.io/fyne/v2", "github.com/dgraph-io/badger/v4"},
}

type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

func TestLayout(t *testing.T) {
	ours := listPackages(t)
	for _, p := range ours {
		name := rel(p.ImportPath)
		allowed, listed := rule(mayImport, name)
		if !listed {
			t.Errorf("%s is not in mayImport: say which of our packages it may import", p.ImportPath)
		}
		for _, imp := range p.Imports {
			switch {
			case isOurs(imp):
				if !matchAny(allowed, rel(imp)) {
					t.Errorf("%s imports %s; mayImport allows %q", name, rel(imp), allowed)
				}
			case isStandard(imp):
			default:
				owners, ok := library(imp)
				if !ok {
					t.Errorf("%s imports %s, a library no table entry owns: add it to libraries", name, imp)
				} else if !matchAny(owners, name) {
					t.Errorf("%s imports %s; only %q may", name, imp, owners)
				}
			}
		}
		if banned, ok := rule(mustNotLink, name); ok {
			for _, dep := range p.Deps {
				for _, b := range banned {
					if dep == b || strings.HasPrefix(dep, b+"/") {
						t.Errorf("%s links %s (through its dependencies); it must not", name, dep)
					}
				}
			}
		}
	}
}

// TestRulesCanFail feeds the checks a wrong arrow and a stray library, so a
// table that matches everything cannot pass unnoticed.
func TestRulesCanFail(t *testing.T) {
	if allowed, _ := rule(mayImport, "devices/escpos"); matchAny(allowed, "ui") {
		t.Error("devices may import ui by the table")
	}
	if allowed, _ := rule(mayImport, ""); len(allowed) != 0 {
		t.Error("the domain may import our packages by the table")
	}
	if owners, _ := library("github.com/dgraph-io/badger/v4/options"); matchAny(owners, "ui") {
		t.Error("ui may import Badger by the table")
	}
	if allowed, _ := rule(mayImport, "session"); matchAny(allowed, "ui") {
		t.Error("session may import ui by the table")
	}
	if allowed, _ := rule(mayImport, "cmd/kioskctl"); matchAny(allowed, "central") {
		t.Error("kioskctl may import central by the table")
	}
	if banned, _ := rule(mustNotLink, "cmd/kiosk"); !slices.Contains(banned, mod+"/ui/fake") {
		t.Error("the kiosk binary may link the fake kiosk by the table")
	}
	if _, ok := library("example.com/stray"); ok {
		t.Error("a library nobody listed is owned")
	}
}

func rel(path string) string {
	if path == mod {
		return ""
	}
	return strings.TrimPrefix(path, mod+"/")
}

func isOurs(path string) bool { return path == mod || strings.HasPrefix(path, mod+"/") }

// isStandard reports whether path is in the standard library: its first
// element has no dot.
func isStandard(path string) bool {
	return !strings.Contains(strings.Split(path, "/")[0], ".")
}

// rule finds the entry for name: an exact key first, then the longest
// "folder/..." key that contains it.
func rule(table map[string][]string, name string) ([]string, bool) {
	if v, ok := table[name]; ok {
		return v, true
	}
	best, found := "", false
	var v []string
	for k, vals := range table {
		if dir, ok := strings.CutSuffix(k, "/..."); ok && (name == dir || strings.HasPrefix(name, dir+"/")) && len(dir) >= len(best) {
			best, v, found = dir, vals, true
		}
	}
	return v, found
}

func matchAny(patterns []string, name string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool {
		if dir, ok := strings.CutSuffix(p, "/..."); ok {
			return name == dir || strings.HasPrefix(name, dir+"/")
		}
		return p == name
	})
}

func library(imp string) ([]string, bool) {
	best := ""
	for k := range libraries {
		if (imp == k || strings.HasPrefix(imp, k+"/")) && len(k) > len(best) {
			best = k
		}
	}
	return libraries[best], best != ""
}

// listPackages is every package of the module, as go list -tags ci sees it.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	goTool := testtool.Require(t, "go")
	cmd := exec.Command(goTool, "list", "-tags", "ci", "-json=ImportPath,Standard,Imports,Deps", mod+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var ours []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ours = append(ours, p)
	}
	if len(ours) < 20 {
		t.Fatalf("go list found %d packages; want the whole module", len(ours))
	}
	return ours
}
