package deptest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArchitectureListsEveryPackage keeps docs/architecture.md's layout
// table true to the tree: every package has the row of its top folder, a
// package below it is named in that row (`theme` or `ui/theme`), and every
// folder the table names exists.
func TestArchitectureListsEveryPackage(t *testing.T) {
	rows := architectureRows(t)
	for _, p := range listPackages(t) {
		name := rel(p.ImportPath)
		if name == "" {
			if _, ok := rows["root package"]; !ok {
				t.Error("docs/architecture.md has no row for the root package")
			}
			continue
		}
		top, rest, _ := strings.Cut(name, "/")
		row, ok := rows[top+"/"]
		if !ok {
			t.Errorf("docs/architecture.md has no row for `%s/` (package %s)", top, name)
			continue
		}
		if rest != "" && !strings.Contains(row, "`"+rest+"`") && !strings.Contains(row, "`"+name+"`") {
			t.Errorf("docs/architecture.md's row for `%s/` does not name %s (as `%s` or `%s`)", top, name, rest, name)
		}
	}
	for folder := range rows {
		if folder == "root package" {
			continue
		}
		if fi, err := os.Stat(filepath.Join("..", "..", folder)); err != nil || !fi.IsDir() {
			t.Errorf("docs/architecture.md has a row for `%s`, which is not a folder of the tree", folder)
		}
	}
}

// architectureRows maps the first cell of each row of the layout table
// ("ui/", "root package") to the row's text.
func architectureRows(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || cells[0] != "" {
			continue
		}
		first := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if first == "root package" || strings.HasSuffix(first, "/") {
			rows[first] = line
		}
	}
	if len(rows) < 10 {
		t.Fatalf("docs/architecture.md: found %d rows in the layout table; want one per top folder", len(rows))
	}
	return rows
}
