package postgres

import (
	"reflect"
	"testing"
)

// Queued inserts of one statement become one multi-row INSERT at the
// first's place, with the rows' counts summed; other statements, and rows
// that may exist already, stay apart.
func TestMergeInserts(t *testing.T) {
	const ins = "INSERT INTO a (x, y) VALUES ($1, $2)\n\t\tON CONFLICT (x) DO NOTHING"
	const upd = "UPDATE a SET y = $2 WHERE x = $1"
	got := mergeInserts([]queued{
		{what: "1", sql: ins, args: []any{1, "a"}, want: 1},
		{what: "u", sql: upd, args: []any{1, "b"}, want: 1},
		{what: "2", sql: ins, args: []any{2, "c"}, want: 1},
		{what: "3", sql: ins, args: []any{3, "d"}, want: -1},
		{what: "4", sql: ins, args: []any{4, "e"}, want: 1},
		{what: "5", sql: ins, args: []any{5, "f"}, want: -1},
	})
	want := []queued{
		{what: "1", sql: "INSERT INTO a (x, y) VALUES ($1, $2), ($3, $4), ($5, $6)\n\t\tON CONFLICT (x) DO NOTHING", args: []any{1, "a", 2, "c", 4, "e"}, want: 3},
		{what: "u", sql: upd, args: []any{1, "b"}, want: 1},
		{what: "3", sql: "INSERT INTO a (x, y) VALUES ($1, $2), ($3, $4)\n\t\tON CONFLICT (x) DO NOTHING", args: []any{3, "d", 5, "f"}, want: -1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mergeInserts =\n%+v\nwant\n%+v", got, want)
	}
	for _, sql := range []string{upd, "INSERT INTO a (x) VALUES ($2)\n ON CONFLICT (x) DO NOTHING", "INSERT INTO a (x) VALUES ($1) ON CONFLICT (x) DO UPDATE SET x = 1"} {
		if _, _, _, ok := multiRow(sql); ok {
			t.Errorf("multiRow(%q) took it", sql)
		}
	}
}
