package pgtest_test

import (
	"context"
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
}
