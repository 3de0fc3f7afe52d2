package postgres

import (
	"context"
	"encoding/json"
	"math"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/jackc/pgx/v5"
)

func (t *tx) Revoke(r central.Revocation) error {
	if r.Serial == "" {
		return bk.Errorf(bk.EInvalid, "a revocation needs a card serial")
	}
	// The row lock on revocation_last makes revocations take their numbers
	// one at a time, in commit order, so a list read in any snapshot is the
	// first n numbers without a gap.
	if err := t.flush(); err != nil {
		return err
	}
	var last central.Revocation
	err := t.tx.QueryRow(t.ctx, `SELECT seq, chain FROM revocation_last FOR UPDATE`).Scan(&last.Seq, &last.Chain)
	if err != nil {
		return t.check(err, "revoke")
	}
	r = r.Numbered(last)
	doc, err := encode(r, "revocation")
	if err != nil {
		return err
	}
	// A second revocation of a serial keeps the first record, and its number.
	n, err := t.exec("revoke", `INSERT INTO revocations (serial, seq, doc) VALUES ($1, $2, $3) ON CONFLICT (serial) DO NOTHING`, r.Serial, r.Seq, doc)
	delete(t.seen, keyOf(kRevocation, r.Serial))
	if err != nil || n == 0 {
		return err
	}
	_, err = t.exec("revoke", `UPDATE revocation_last SET seq = $1, chain = $2`, r.Seq, r.Chain)
	return err
}

func (t *tx) LastRevocation() (central.Revocation, error) {
	var r central.Revocation
	err := t.one(&r, "revocation", `SELECT doc FROM revocations WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`)
	if bk.ErrorCode(err) == bk.ENotFound {
		err = nil
	}
	return r, err
}

func (t *tx) RevocationsSince(seq uint64, limit int) ([]central.Revocation, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	if seq > math.MaxInt64 {
		return []central.Revocation{}, nil
	}
	return revocations(t, `SELECT doc FROM revocations WHERE seq > $1 ORDER BY seq LIMIT $2`, int64(seq), limit)
}

// revocations lists the revocations sql selects, as values.
func revocations(t *tx, sql string, args ...any) ([]central.Revocation, error) {
	ptrs, err := list[central.Revocation](t, "revocations", sql, args...)
	if err != nil {
		return nil, err
	}
	out := make([]central.Revocation, len(ptrs))
	for i, r := range ptrs {
		out[i] = *r
	}
	return out, nil
}

// LoadRevocations adds many revocations at once (an issuer's list when
// central is set up, a benchmark) with COPY, numbered in the order given
// after the last; a serial already revoked keeps its record.
func (s *Store) LoadRevocations(ctx context.Context, rs []central.Revocation) error {
	rows := make([][]any, len(rs))
	for i, r := range rs {
		if r.Serial == "" {
			return bk.Errorf(bk.EInvalid, "a revocation needs a card serial")
		}
		rows[i] = []any{r.Serial, int64(i)}
	}
	return pgx.BeginTxFunc(ctx, s.pool, writeOpts, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE load_revocations (serial text COLLATE "C", ord bigint) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"load_revocations"}, []string{"serial", "ord"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		// The first of each serial not revoked yet, in the order given.
		got, err := tx.Query(ctx, `SELECT ord FROM (SELECT DISTINCT ON (serial) serial, ord FROM load_revocations ORDER BY serial, ord) l
			WHERE NOT EXISTS (SELECT 1 FROM revocations r WHERE r.serial = l.serial) ORDER BY ord`)
		if err != nil {
			return err
		}
		fresh, err := pgx.CollectRows(got, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		list := make([]central.Revocation, len(fresh))
		for i, ord := range fresh {
			list[i] = rs[ord]
		}
		return writeNumbered(ctx, tx, list, "")
	})
}

// writeNumbered numbers rs after the last revocation and writes them with
// COPY: into revocations, or (table not empty) into that temporary table.
func writeNumbered(ctx context.Context, tx pgx.Tx, rs []central.Revocation, table string) error {
	var last central.Revocation
	if err := tx.QueryRow(ctx, `SELECT seq, chain FROM revocation_last FOR UPDATE`).Scan(&last.Seq, &last.Chain); err != nil {
		return err
	}
	rows := make([][]any, len(rs))
	for i, r := range rs {
		r = r.Numbered(last)
		last = r
		doc, err := json.Marshal(r)
		if err != nil {
			return err
		}
		rows[i] = []any{r.Serial, int64(r.Seq), string(doc)}
	}
	if len(rows) == 0 {
		return nil
	}
	into := "revocations"
	if table != "" {
		into = table
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{into}, []string{"serial", "seq", "doc"}, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE revocation_last SET seq = $1, chain = $2`, int64(last.Seq), last.Chain)
	return err
}

// numberRevocations numbers the revocations of a database from before
// they had numbers, in serial order, once.
func (s *Store) numberRevocations(ctx context.Context) error {
	return pgx.BeginTxFunc(ctx, s.pool, writeOpts, func(tx pgx.Tx) error {
		got, err := tx.Query(ctx, `SELECT doc FROM revocations WHERE seq IS NULL ORDER BY serial`)
		if err != nil {
			return err
		}
		docs, err := pgx.CollectRows(got, pgx.RowTo[[]byte])
		if err != nil || len(docs) == 0 {
			return err
		}
		rs := make([]central.Revocation, len(docs))
		for i, d := range docs {
			if err := json.Unmarshal(d, &rs[i]); err != nil {
				return err
			}
			rs[i].Seq, rs[i].Chain = 0, nil
		}
		if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE numbered_revocations (serial text COLLATE "C", seq bigint, doc json) ON COMMIT DROP`); err != nil {
			return err
		}
		if err := writeNumbered(ctx, tx, rs, "numbered_revocations"); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE revocations r SET seq = n.seq, doc = n.doc FROM numbered_revocations n WHERE r.serial = n.serial`)
		return err
	})
}
