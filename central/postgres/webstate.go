package postgres

import (
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
)

// Web state (central.WebStateTx), in table web_state. Expiry is by
// central's clock, passed in: the sweep is DeleteWebStateBefore.

func (t *tx) PutWebState(w *central.WebState) error {
	if w.Kind == "" || w.Key == "" {
		return bk.Errorf(bk.EInvalid, "web state needs a kind and a key")
	}
	doc, err := encode(w, "web state")
	if err != nil {
		return err
	}
	_, err = t.exec("put web state", `INSERT INTO web_state (kind, key, expires_at, doc) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, key) DO UPDATE SET expires_at = EXCLUDED.expires_at, doc = EXCLUDED.doc`,
		w.Kind, w.Key, w.ExpiresAt, doc)
	return err
}

func (t *tx) WebState(kind, key string) (*central.WebState, error) {
	var w central.WebState
	if err := t.one(&w, "web state", `SELECT doc FROM web_state WHERE kind = $1 AND key = $2`+t.lock(), kind, key); err != nil {
		return nil, err
	}
	return &w, nil
}

func (t *tx) DeleteWebState(kind, key string) error {
	k, err := t.exec("delete web state", `DELETE FROM web_state WHERE kind = $1 AND key = $2`, kind, key)
	if err == nil && k == 0 {
		err = notFound("web state")
	}
	return err
}

func (t *tx) CountWebState(kind string, now time.Time) (int, error) {
	var n int
	if err := t.tx.QueryRow(t.ctx, `SELECT count(*) FROM web_state WHERE kind = $1 AND expires_at > $2`, kind, now).Scan(&n); err != nil {
		return 0, t.check(err, "count web state")
	}
	return n, nil
}

func (t *tx) DeleteWebStateBefore(before time.Time, limit int) (int, error) {
	q := `DELETE FROM web_state WHERE (kind, key) IN (SELECT kind, key FROM web_state WHERE expires_at < $1 ORDER BY expires_at`
	args := []any{before}
	if limit > 0 {
		q += ` LIMIT $2`
		args = append(args, limit)
	}
	k, err := t.exec("delete expired web state", q+`)`, args...)
	return int(k), err
}
