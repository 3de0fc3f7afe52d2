package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The example config is installed as /etc/borgerkiosk/central.toml by the
// borgerkiosk-central package, so it must parse, validate and document every
// setting central reads.
const exampleConfig = "../../packaging/central.example.toml"

func readExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExampleConfigIsDefaultsWithPackagedDataDir(t *testing.T) {
	c, err := ParseConfig(strings.NewReader(readExample(t)))
	if err != nil {
		t.Fatalf("%s: %v", exampleConfig, err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("%s: %v", exampleConfig, err)
	}
	want := DefaultConfig()
	// The systemd unit's StateDirectory; the built-in default is relative.
	want.DataDir = "/var/lib/borgerkiosk-central"
	if !reflect.DeepEqual(c, want) {
		t.Errorf("%s = %+v; want %+v", exampleConfig, c, want)
	}
}

// commentedSetting matches the example lines meant to be uncommented:
// "# key = value", "# [table]" and "# [[array]]". Prose never starts so.
var commentedSetting = regexp.MustCompile(`^# ([a-z0-9_]+ = |\[)`)

func TestExampleConfigCommentedSettingsAreValid(t *testing.T) {
	var doc []string
	for _, line := range strings.Split(readExample(t), "\n") {
		if commentedSetting.MatchString(line) {
			doc = append(doc, strings.TrimPrefix(line, "# "))
		}
	}
	if len(doc) < 10 {
		t.Fatalf("found %d commented settings in %s; the pattern no longer matches the file", len(doc), exampleConfig)
	}
	text := strings.Join(doc, "\n")
	c, err := ParseConfig(strings.NewReader(text))
	if err != nil {
		t.Fatalf("the commented settings of %s:\n%s\nParseConfig: %v", exampleConfig, text, err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("the commented settings of %s:\n%s\nValidate: %v", exampleConfig, text, err)
	}
	if c.Store != StorePostgres || len(c.Authorities) != 2 || !c.OIDC.Enabled() || c.PublicURL == "" {
		t.Errorf("the commented settings gave %+v; want postgres, two authorities, OIDC and public_url", c)
	}
}

func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	text := readExample(t)
	for _, key := range tomlKeys(reflect.TypeFor[Config]()) {
		if !regexp.MustCompile(`(^|[\s#])` + regexp.QuoteMeta(key) + ` = `).MatchString(text) {
			t.Errorf("%s does not show %q = …", exampleConfig, key)
		}
	}
}

// tomlKeys lists the toml tags of a struct and of the structs it holds.
func tomlKeys(typ reflect.Type) []string {
	var keys []string
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeFor[Duration]() {
			keys = append(keys, tomlKeys(ft)...)
			continue
		}
		keys = append(keys, name)
	}
	return keys
}
