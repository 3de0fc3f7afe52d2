package catalogue

import (
	"strings"
	"testing"
)

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"unknown key", "[[authorities]]\nid = \"a\"\ncolour = \"red\"\n", "unknown key(s): authorities.colour"},
		{"unknown table", "[extra]\nx = 1\n", "unknown key(s): extra"},
		{"syntax", "[[authorities]\n", "catalogue:"},
		{"missing english", "[[scopes]]\nid = \"s\"\nname.da = \"S\"\ndescription.da = \"S\"\n", "Danish and English"},
		{"duplicate id", "[[scopes]]\nid = \"s\"\nname = {da = \"a\", en = \"a\"}\ndescription = {da = \"a\", en = \"a\"}\n[[scopes]]\nid = \"s\"\nname = {da = \"a\", en = \"a\"}\ndescription = {da = \"a\", en = \"a\"}\n", "appears twice"},
	} {
		_, err := Parse(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Parse = %v; want an error containing %q", tc.name, err, tc.want)
		}
	}
}
