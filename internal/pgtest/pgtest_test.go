package pgtest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Two databases are separate: a table made in one is not in the other.
func TestNewDatabase(t *testing.T) {
	ctx := context.Background()
	a, b := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	ca, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(ctx)
	if _, err := ca.Exec(ctx, "CREATE TABLE t (x integer)"); err != nil {
		t.Fatal(err)
	}
	cb, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close(ctx)
	var n int
	if err := cb.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_name = 't'").Scan(&n); err != nil || n != 0 {
		t.Errorf("table t in the second database: count %d, %v; want 0, nil", n, err)
	}
}

func TestWithDatabase(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://u:p@h:5/x?sslmode=disable", "postgres://u:p@h:5/d?sslmode=disable"},
		{"postgresql://h/", "postgresql://h/d"},
		{"host=h user=u dbname=x", "host=h user=u dbname=x dbname=d"},
	} {
		if got := pgtest.WithDatabase(c.in, "d"); got != c.want {
			t.Errorf("WithDatabase(%q, d) = %q; want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"postgres://h/x?sslmode=disable", "postgres://h/x?search_path=s&sslmode=disable"},
		{"host=h", "host=h search_path=s"},
	} {
		if got := pgtest.WithSearchPath(c.in, "s"); got != c.want {
			t.Errorf("WithSearchPath(%q, s) = %q; want %q", c.in, got, c.want)
		}
	}
}

// A table made through a NewSchema DSN lands in that schema only.
func TestNewSchema(t *testing.T) {
	ctx := context.Background()
	var schemas []string
	for range 2 {
		c, err := pgx.Connect(ctx, pgtest.NewSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "CREATE TABLE t (x integer)"); err != nil {
			t.Fatal(err)
		}
		var s string
		if err := c.QueryRow(ctx, "SELECT table_schema FROM information_schema.tables WHERE table_name = 't' AND table_schema = current_schema()").Scan(&s); err != nil {
			t.Fatal(err)
		}
		schemas = append(schemas, s)
	}
	if schemas[0] == schemas[1] || !strings.HasPrefix(schemas[0], "bk_test_") {
		t.Errorf("tables made in schemas %q; want two different bk_test_ schemas", schemas)
	}
}
