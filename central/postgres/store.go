// Package postgres is central's store on PostgreSQL, for more than one
// central process or more data than one disk: plain SQL with INSERT … ON
// CONFLICT and no extensions, so it can move to a sharded or replicated
// PostgreSQL. The tables are in schema.go; Open creates or migrates them.
//
// Update runs in a SERIALIZABLE transaction and re-runs fn on a
// serialization failure (SQLSTATE 40001) or a deadlock (40P01), as
// badgerstore re-runs on a conflict; View is a REPEATABLE READ, READ ONLY
// transaction (one snapshot). Put methods never let a statement fail inside
// a transaction on purpose (a failed statement aborts the whole
// transaction): "taken" is found with ON CONFLICT DO NOTHING and a row
// count, "replace" is ON CONFLICT DO UPDATE.
//
// Sequence numbers are kept as bigint: a push cursor or action sequence
// number above 2^63-1 is refused as invalid.
package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

var _ central.Store = (*Store)(nil)

// Options tune Open. The zero value is fine.
type Options struct {
	// MaxConns caps the connection pool; 0 keeps pool_max_conns from the
	// DSN, else pgxpool's default (4 or the number of CPUs).
	MaxConns int32
	// NonceSweep is how often expired nonces are deleted; 0 means every
	// minute.
	NonceSweep time.Duration
	// Logger receives the sweeper's errors; nil discards them.
	Logger *slog.Logger
}

// Store is a central.Store on a PostgreSQL database.
type Store struct {
	pool     *pgxpool.Pool
	indexKey []byte
	log      *slog.Logger
	stop     chan struct{}
	wg       sync.WaitGroup
	closing  sync.Once
}

// connectTimeout bounds each connection attempt when the DSN sets none
// (pgx would otherwise wait two minutes on an unreachable host).
const connectTimeout = 10 * time.Second

// Open connects to the database named by dsn (keyword/value or URL form,
// as libpq reads them; a search_path setting puts the tables in another
// schema), creates or migrates the tables, and makes the CPR index key on
// first open.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgconn's message redacts the password.
		return nil, fmt.Errorf("postgres: bad DSN: %w", err)
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	if cfg.ConnConfig.ConnectTimeout <= 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	where := fmt.Sprintf("database %q on %s:%d as %q", cfg.ConnConfig.Database, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.User)
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", where, err)
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{pool: pool, log: log, stop: make(chan struct{})}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: schema of %s: %w", where, err)
	}
	if err := s.loadIndexKey(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: index key in %s: %w", where, err)
	}
	every := opt.NonceSweep
	if every <= 0 {
		every = time.Minute
	}
	s.wg.Add(1)
	go s.sweepNonces(every)
	return s, nil
}

// migrate applies the migrations the database does not have yet. Two
// central processes starting at once both try; the loser's transaction
// fails and is retried, and then finds nothing left to do.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY)`); err != nil && !retryable(err) && !raced(err) {
		return err
	}
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.Serializable}, func(tx pgx.Tx) error {
			var have int
			if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&have); err != nil {
				return err
			}
			if have > len(migrations) {
				return fmt.Errorf("the database has schema version %d; this central knows versions up to %d (downgrade?)", have, len(migrations))
			}
			for v := have; v < len(migrations); v++ {
				if _, err := tx.Exec(ctx, migrations[v]); err != nil {
					return fmt.Errorf("migration to version %d: %w", v+1, err)
				}
				if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, v+1); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil || !(retryable(err) || raced(err)) {
			return err
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return err
}

// loadIndexKey reads the CPR index key, making it on first open. Two
// processes opening a new database at once agree through ON CONFLICT.
func (s *Store) loadIndexKey(ctx context.Context) error {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO meta (name, value) VALUES ('index-key', $1) ON CONFLICT (name) DO NOTHING`, k); err != nil {
		return err
	}
	if err := s.pool.QueryRow(ctx, `SELECT value FROM meta WHERE name = 'index-key'`).Scan(&s.indexKey); err != nil {
		return err
	}
	if len(s.indexKey) != 32 {
		return errors.New("the index key has the wrong length")
	}
	return nil
}

// nonceGrace keeps an expired nonce a little longer than its expiry, so a
// late use is answered "expired" rather than "unknown" (as in badgerstore).
const nonceGrace = time.Minute

// sweepNonces deletes expired nonces until Close. A separate statement,
// not part of PutNonce, so sign-ins do not conflict over old rows.
func (s *Store) sweepNonces(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), every)
		_, err := s.pool.Exec(ctx, `DELETE FROM nonces WHERE expires_at < $1`, time.Now().Add(-nonceGrace))
		cancel()
		if err != nil {
			s.log.Warn("postgres: deleting expired nonces", "err", err)
		}
	}
}

// SQLSTATEs that mean "run the transaction again".
const (
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
)

func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == serializationFailure || pe.Code == deadlockDetected)
}

// raced reports the errors concurrent CREATE TABLE (IF NOT EXISTS) can
// give: a unique violation in the catalogue, or the table or its row type
// appearing meanwhile.
func raced(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07" || pe.Code == "42710")
}

// pause waits a little before attempt+1, growing with jitter, so that
// transactions that keep conflicting spread out.
func pause(ctx context.Context, attempt int) error {
	max := time.Millisecond << min(attempt, 6) // 1 ms … 64 ms
	t := time.NewTimer(time.Duration(mrand.Int64N(int64(max)) + 1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var (
	writeOpts = pgx.TxOptions{IsoLevel: pgx.Serializable}
	readOpts  = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
)

// Update implements central.Store.
func (s *Store) Update(ctx context.Context, fn func(tx central.Tx) error) error {
	return s.run(ctx, writeOpts, fn)
}

// View implements central.Store.
func (s *Store) View(ctx context.Context, fn func(tx central.Tx) error) error {
	return s.run(ctx, readOpts, fn)
}

// run runs fn in a transaction until it commits, fails for another reason
// than a serialization failure or deadlock, or ctx ends.
func (s *Store) run(ctx context.Context, opts pgx.TxOptions, fn func(tx central.Tx) error) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		again, err := s.attempt(ctx, opts, fn)
		if !again {
			return err
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
}

func (s *Store) attempt(ctx context.Context, opts pgx.TxOptions, fn func(tx central.Tx) error) (again bool, err error) {
	ptx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return false, fmt.Errorf("postgres: begin: %w", err)
	}
	t := &tx{s: s, ctx: ctx, tx: ptx}
	ferr := fn(t)
	// fn may have wrapped, replaced or ignored the statement's error: the
	// tx remembers that one of its statements hit a serialization failure.
	if t.retry || retryable(ferr) {
		ptx.Rollback(ctx)
		return true, ferr
	}
	if ferr != nil {
		ptx.Rollback(ctx)
		return false, ferr
	}
	if err := ptx.Commit(ctx); err != nil {
		if retryable(err) {
			return true, err
		}
		return false, fmt.Errorf("postgres: commit: %w", err)
	}
	return false, nil
}

// Ping implements central.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// Close implements central.Store.
func (s *Store) Close() error {
	s.closing.Do(func() {
		close(s.stop)
		s.wg.Wait()
		s.pool.Close()
	})
	return nil
}

type tx struct {
	s     *Store
	ctx   context.Context
	tx    pgx.Tx
	retry bool
}

func (t *tx) cprHash(c bk.CPR) []byte {
	m := hmac.New(sha256.New, t.s.indexKey)
	m.Write([]byte(c.Digits()))
	return m.Sum(nil)
}

// --- generic helpers ---

func notFound(what string) error { return bk.Errorf(bk.ENotFound, "%s not found", what) }

// check notes a serialization failure and adds what was being done.
func (t *tx) check(err error, what string) error {
	if err == nil {
		return nil
	}
	if retryable(err) {
		t.retry = true
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

func (t *tx) exec(what, sql string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(t.ctx, sql, args...)
	if err != nil {
		return 0, t.check(err, what)
	}
	return tag.RowsAffected(), nil
}

func encode(v any, what string) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("postgres: encode %s: %w", what, err)
	}
	return b, nil
}

// one reads the JSON document of the single row sql returns into v;
// ENotFound when there is none.
func (t *tx) one(v any, what, sql string, args ...any) error {
	var doc []byte
	err := t.tx.QueryRow(t.ctx, sql, args...).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(what)
	}
	if err != nil {
		return t.check(err, what)
	}
	if err := json.Unmarshal(doc, v); err != nil {
		return fmt.Errorf("postgres: decode %s: %w", what, err)
	}
	return nil
}

// list decodes the JSON document of every row sql returns, in order.
func list[T any](t *tx, what, sql string, args ...any) ([]*T, error) {
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		return nil, t.check(err, what)
	}
	defer rows.Close()
	out := []*T{}
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, t.check(err, what)
		}
		v := new(T)
		if err := json.Unmarshal(doc, v); err != nil {
			return nil, fmt.Errorf("postgres: decode %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.check(err, what)
	}
	return out, nil
}

// seq converts a sequence number to the bigint column.
func seq(n uint64) (int64, error) {
	if n > math.MaxInt64 {
		return 0, bk.Errorf(bk.EInvalid, "sequence number %d is above %d", n, int64(math.MaxInt64))
	}
	return int64(n), nil
}

// --- kiosks ---

func (t *tx) Kiosk(id string) (*central.Kiosk, error) {
	var k central.Kiosk
	if err := t.one(&k, "kiosk", `SELECT doc FROM kiosks WHERE id = $1`, id); err != nil {
		return nil, err
	}
	return &k, nil
}

func (t *tx) PutKiosk(k *central.Kiosk) error {
	doc, err := encode(k, "kiosk")
	if err != nil {
		return err
	}
	n, err := t.exec("put kiosk", `INSERT INTO kiosks (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, k.ID, doc)
	if err != nil {
		return err
	}
	if n == 0 {
		return bk.Errorf(bk.EConflict, "kiosk %q is already enrolled", k.ID)
	}
	return nil
}

func (t *tx) Kiosks() ([]*central.Kiosk, error) {
	return list[central.Kiosk](t, "kiosks", `SELECT doc FROM kiosks ORDER BY id`)
}

// --- enrolment tokens ---

func (t *tx) EnrollToken(hash string) (*central.EnrollToken, error) {
	var e central.EnrollToken
	if err := t.one(&e, "enrolment token", `SELECT doc FROM enroll_tokens WHERE hash = $1`, hash); err != nil {
		return nil, err
	}
	return &e, nil
}

func (t *tx) PutEnrollToken(e *central.EnrollToken) error {
	doc, err := encode(e, "enrolment token")
	if err != nil {
		return err
	}
	n, err := t.exec("put enrolment token", `INSERT INTO enroll_tokens (hash, doc) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING`, e.Hash, doc)
	if err != nil {
		return err
	}
	if n == 0 {
		return bk.Errorf(bk.EConflict, "enrolment token exists")
	}
	return nil
}

func (t *tx) DeleteEnrollToken(hash string) error {
	n, err := t.exec("delete enrolment token", `DELETE FROM enroll_tokens WHERE hash = $1`, hash)
	if err == nil && n == 0 {
		err = notFound("enrolment token")
	}
	return err
}

// --- push cursors and actions ---

func (t *tx) PushCursor(kiosk, inc string) (uint64, error) {
	var n int64
	err := t.tx.QueryRow(t.ctx, `SELECT last_seq FROM push_cursors WHERE kiosk = $1 AND incarnation = $2`, kiosk, inc).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, t.check(err, "push cursor")
	}
	return uint64(n), nil
}

func (t *tx) SetPushCursor(kiosk, inc string, last uint64) error {
	n, err := seq(last)
	if err != nil {
		return err
	}
	_, err = t.exec("set push cursor", `INSERT INTO push_cursors (kiosk, incarnation, last_seq) VALUES ($1, $2, $3)
		ON CONFLICT (kiosk, incarnation) DO UPDATE SET last_seq = EXCLUDED.last_seq`, kiosk, inc, n)
	return err
}

func (t *tx) PutAction(r *central.ActionRecord) error {
	if r.Action == nil {
		return bk.Errorf(bk.EInvalid, "action record without action")
	}
	sq, err := seq(r.Seq)
	if err != nil {
		return err
	}
	doc, err := encode(r, "action")
	if err != nil {
		return err
	}
	n, err := t.exec("put action", `INSERT INTO actions (kiosk, incarnation, seq, action_id, doc) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (kiosk, incarnation, seq) DO NOTHING`, r.Kiosk, r.Incarnation, sq, r.Action.ID, doc)
	if err != nil {
		return err
	}
	if n == 0 {
		return bk.Errorf(bk.EConflict, "sequence number %d of this kiosk incarnation is taken", r.Seq)
	}
	if !r.TookEffect() {
		return nil
	}
	// The first record with an action id is the one ActionByID finds.
	_, err = t.exec("put action id", `INSERT INTO action_ids (action_id, kiosk, incarnation, seq) VALUES ($1, $2, $3, $4)
		ON CONFLICT (action_id) DO NOTHING`, r.Action.ID, r.Kiosk, r.Incarnation, sq)
	return err
}

func (t *tx) ActionAt(kiosk, inc string, sq uint64) (*central.ActionRecord, error) {
	if sq > math.MaxInt64 {
		return nil, notFound("action")
	}
	var r central.ActionRecord
	if err := t.one(&r, "action", `SELECT doc FROM actions WHERE kiosk = $1 AND incarnation = $2 AND seq = $3`, kiosk, inc, int64(sq)); err != nil {
		return nil, err
	}
	return &r, nil
}

func (t *tx) ActionByID(id string) (*central.ActionRecord, error) {
	var r central.ActionRecord
	err := t.one(&r, "action", `SELECT a.doc FROM action_ids i
		JOIN actions a ON a.kiosk = i.kiosk AND a.incarnation = i.incarnation AND a.seq = i.seq
		WHERE i.action_id = $1`, id)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (t *tx) Actions(kiosk, inc string, after uint64, limit int) ([]*central.ActionRecord, error) {
	if after >= math.MaxInt64 {
		return []*central.ActionRecord{}, nil
	}
	q := `SELECT doc FROM actions WHERE kiosk = $1 AND incarnation = $2 AND seq > $3 ORDER BY seq`
	args := []any{kiosk, inc, int64(after)}
	if limit > 0 {
		q += ` LIMIT $4`
		args = append(args, limit)
	}
	return list[central.ActionRecord](t, "actions", q, args...)
}

// --- consents ---

func (t *tx) Consent(id string) (*bk.Consent, error) {
	var c bk.Consent
	if err := t.one(&c, "consent", `SELECT doc FROM consents WHERE id = $1`, id); err != nil {
		return nil, err
	}
	return &c, nil
}

func (t *tx) PutConsent(c *bk.Consent) error {
	if c.ID == "" || c.CPR.IsZero() || c.AuthorityID == "" {
		return bk.Errorf(bk.EInvalid, "a consent needs an id, a CPR number and an authority")
	}
	h := t.cprHash(c.CPR)
	var oldHash []byte
	var oldAuth string
	err := t.tx.QueryRow(t.ctx, `SELECT cpr_hash, authority_id FROM consents WHERE id = $1`, c.ID).Scan(&oldHash, &oldAuth)
	switch {
	case err == nil:
		if !hmac.Equal(oldHash, h) || oldAuth != c.AuthorityID {
			return bk.Errorf(bk.EInvalid, "the CPR number and authority of a consent cannot change")
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return t.check(err, "consent")
	}
	doc, err := encode(c, "consent")
	if err != nil {
		return err
	}
	_, err = t.exec("put consent", `INSERT INTO consents (id, cpr_hash, authority_id, doc) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc`, c.ID, h, c.AuthorityID, doc)
	return err
}

func (t *tx) ConsentsByCPR(cpr bk.CPR) ([]*bk.Consent, error) {
	return list[bk.Consent](t, "consents", `SELECT doc FROM consents WHERE cpr_hash = $1 ORDER BY id`, t.cprHash(cpr))
}

func (t *tx) ConsentsByAuthority(authorityID string, cpr bk.CPR) ([]*bk.Consent, error) {
	if cpr.IsZero() {
		return list[bk.Consent](t, "consents", `SELECT doc FROM consents WHERE authority_id = $1 ORDER BY id`, authorityID)
	}
	return list[bk.Consent](t, "consents", `SELECT doc FROM consents WHERE authority_id = $1 AND cpr_hash = $2 ORDER BY id`,
		authorityID, t.cprHash(cpr))
}

func (t *tx) ConsentsPage(authorityID, after string, limit int) ([]*bk.Consent, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	return list[bk.Consent](t, "consents", `SELECT doc FROM consents WHERE authority_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		authorityID, after, limit)
}

// --- delegations ---

func (t *tx) Delegation(id string) (*bk.Delegation, error) {
	var d bk.Delegation
	if err := t.one(&d, "delegation", `SELECT doc FROM delegations WHERE id = $1`, id); err != nil {
		return nil, err
	}
	return &d, nil
}

func (t *tx) PutDelegation(d *bk.Delegation) error {
	if d.ID == "" || d.Principal.IsZero() || d.Delegate.IsZero() {
		return bk.Errorf(bk.EInvalid, "a delegation needs an id, a principal and a delegate")
	}
	ph, dh := t.cprHash(d.Principal), t.cprHash(d.Delegate)
	var oldP, oldD []byte
	err := t.tx.QueryRow(t.ctx, `SELECT principal_hash, delegate_hash FROM delegations WHERE id = $1`, d.ID).Scan(&oldP, &oldD)
	switch {
	case err == nil:
		if !hmac.Equal(oldP, ph) || !hmac.Equal(oldD, dh) {
			return bk.Errorf(bk.EInvalid, "the principal and delegate of a delegation cannot change")
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return t.check(err, "delegation")
	}
	doc, err := encode(d, "delegation")
	if err != nil {
		return err
	}
	_, err = t.exec("put delegation", `INSERT INTO delegations (id, principal_hash, delegate_hash, doc) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc`, d.ID, ph, dh, doc)
	return err
}

func (t *tx) DelegationsByPrincipal(cpr bk.CPR) ([]*bk.Delegation, error) {
	return list[bk.Delegation](t, "delegations", `SELECT doc FROM delegations WHERE principal_hash = $1 ORDER BY id`, t.cprHash(cpr))
}

func (t *tx) DelegationsByDelegate(cpr bk.CPR) ([]*bk.Delegation, error) {
	return list[bk.Delegation](t, "delegations", `SELECT doc FROM delegations WHERE delegate_hash = $1 ORDER BY id`, t.cprHash(cpr))
}

// --- handover codes ---

func (t *tx) HandoverCodes(delegationID string) (handover.CodeRecord, error) {
	var rec handover.CodeRecord
	err := t.one(&rec, "handover codes", `SELECT doc FROM handover_codes WHERE delegation_id = $1`, delegationID)
	if err != nil && bk.ErrorCode(err) != bk.ENotFound {
		return handover.CodeRecord{}, err
	}
	if rec.Used == nil {
		rec.Used = map[string]bool{}
	}
	return rec, nil
}

func (t *tx) PutHandoverCodes(delegationID string, rec handover.CodeRecord) error {
	if delegationID == "" {
		return bk.Errorf(bk.EInvalid, "a handover code record needs a delegation id")
	}
	doc, err := encode(rec, "handover codes")
	if err != nil {
		return err
	}
	_, err = t.exec("put handover codes", `INSERT INTO handover_codes (delegation_id, doc) VALUES ($1, $2)
		ON CONFLICT (delegation_id) DO UPDATE SET doc = EXCLUDED.doc`, delegationID, doc)
	return err
}

func (t *tx) TypedCode(code string) (handover.TypedEntry, error) {
	var e handover.TypedEntry
	err := t.one(&e, "typed code", `SELECT doc FROM typed_codes WHERE code = $1`, code)
	return e, err
}

func (t *tx) PutTypedCode(e handover.TypedEntry) error {
	if e.Code == "" || e.DelegationID == "" {
		return bk.Errorf(bk.EInvalid, "a typed code needs its code and delegation id")
	}
	doc, err := encode(e, "typed code")
	if err != nil {
		return err
	}
	n, err := t.exec("put typed code", `INSERT INTO typed_codes (code, doc) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING`, e.Code, doc)
	if err != nil || n == 1 {
		return err
	}
	old, err := t.TypedCode(e.Code)
	if err != nil {
		return err
	}
	if !old.Same(e) {
		return bk.Errorf(bk.EConflict, "the typed code is taken")
	}
	return nil
}

// --- revocations ---

func (t *tx) Revoke(r central.Revocation) error {
	if r.Serial == "" {
		return bk.Errorf(bk.EInvalid, "a revocation needs a card serial")
	}
	doc, err := encode(r, "revocation")
	if err != nil {
		return err
	}
	// A second revocation of a serial keeps the first record.
	_, err = t.exec("revoke", `INSERT INTO revocations (serial, doc) VALUES ($1, $2) ON CONFLICT (serial) DO NOTHING`, r.Serial, doc)
	return err
}

func (t *tx) Revocation(serial string) (central.Revocation, error) {
	var r central.Revocation
	err := t.one(&r, "revocation", `SELECT doc FROM revocations WHERE serial = $1`, serial)
	return r, err
}

func (t *tx) Revocations() ([]central.Revocation, error) {
	ptrs, err := list[central.Revocation](t, "revocations", `SELECT doc FROM revocations ORDER BY serial`)
	if err != nil {
		return nil, err
	}
	out := make([]central.Revocation, len(ptrs))
	for i, r := range ptrs {
		out[i] = *r
	}
	return out, nil
}

// --- nonces ---

func (t *tx) PutNonce(n *central.Nonce) error {
	if len(n.Value) == 0 {
		return bk.Errorf(bk.EInvalid, "empty nonce")
	}
	doc, err := encode(n, "nonce")
	if err != nil {
		return err
	}
	// A row kept past its expiry (the sweeper has not run yet) does not
	// count: like badgerstore's TTL, the nonce is forgotten then.
	k, err := t.exec("put nonce", `INSERT INTO nonces (value, expires_at, doc) VALUES ($1, $2, $3)
		ON CONFLICT (value) DO UPDATE SET expires_at = EXCLUDED.expires_at, doc = EXCLUDED.doc
		WHERE nonces.expires_at < $4`, n.Value, n.ExpiresAt, doc, time.Now().Add(-nonceGrace))
	if err != nil {
		return err
	}
	if k == 0 {
		return bk.Errorf(bk.EConflict, "nonce exists")
	}
	return nil
}

func (t *tx) Nonce(value []byte) (*central.Nonce, error) {
	var n central.Nonce
	if err := t.one(&n, "nonce", `SELECT doc FROM nonces WHERE value = $1 AND expires_at >= $2`, value, time.Now().Add(-nonceGrace)); err != nil {
		return nil, err
	}
	return &n, nil
}

func (t *tx) DeleteNonce(value []byte) error {
	k, err := t.exec("delete nonce", `DELETE FROM nonces WHERE value = $1 AND expires_at >= $2`, value, time.Now().Add(-nonceGrace))
	if err == nil && k == 0 {
		err = notFound("nonce")
	}
	return err
}

// --- usage log ---

func (t *tx) PutUsage(entries []central.UsageEntry) error {
	var sql strings.Builder
	var args []any
	sql.WriteString(`INSERT INTO usage_log (cpr_hash, id, at, doc) VALUES `)
	rows := 0
	for _, e := range entries {
		if err := e.Check(); err != nil {
			return err
		}
		for _, c := range e.Copies() {
			doc, err := encode(c.Record, "usage record")
			if err != nil {
				return err
			}
			if rows > 0 {
				sql.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&sql, "($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4)
			args = append(args, t.cprHash(c.CPR), c.Record.ID, c.Record.At, doc)
			rows++
		}
	}
	if rows == 0 {
		return nil
	}
	// One statement for the whole group: a group commit is one round trip.
	sql.WriteString(` ON CONFLICT (cpr_hash, id) DO NOTHING`)
	n, err := t.exec("put usage", sql.String(), args...)
	if err != nil {
		return err
	}
	if n != int64(rows) {
		return bk.Errorf(bk.EConflict, "a usage record is already in the log")
	}
	return nil
}

func (t *tx) Usage(cpr bk.CPR, before string, limit int) ([]*bk.UsageRecord, error) {
	q := `SELECT doc FROM usage_log WHERE cpr_hash = $1`
	args := []any{t.cprHash(cpr)}
	if before != "" {
		args = append(args, before)
		q += fmt.Sprintf(` AND id < $%d`, len(args))
	}
	q += ` ORDER BY id DESC`
	if limit > 0 {
		args = append(args, limit)
		q += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	return list[bk.UsageRecord](t, "usage log", q, args...)
}

func (t *tx) DeleteUsageBefore(before time.Time, limit int) (int, error) {
	q := `WITH old AS (SELECT id FROM usage_log WHERE at < $1 GROUP BY id ORDER BY min(at), id`
	args := []any{before}
	if limit > 0 {
		q += ` LIMIT $2`
		args = append(args, limit)
	}
	q += `), gone AS (DELETE FROM usage_log WHERE at < $1 AND id IN (SELECT id FROM old) RETURNING id)
		SELECT count(DISTINCT id) FROM gone`
	var n int
	if err := t.tx.QueryRow(t.ctx, q, args...).Scan(&n); err != nil {
		return 0, t.check(err, "delete usage")
	}
	return n, nil
}

// LoadRevocations adds many revocations at once (an issuer's list when
// central is set up, a benchmark) with COPY into a staging table, keeping
// the first record of a serial already revoked.
func (s *Store) LoadRevocations(ctx context.Context, rs []central.Revocation) error {
	rows := make([][]any, len(rs))
	for i, r := range rs {
		if r.Serial == "" {
			return bk.Errorf(bk.EInvalid, "a revocation needs a card serial")
		}
		doc, err := json.Marshal(r)
		if err != nil {
			return err
		}
		rows[i] = []any{r.Serial, string(doc)}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE load_revocations (serial text COLLATE "C", doc json) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"load_revocations"}, []string{"serial", "doc"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO revocations (serial, doc) SELECT DISTINCT ON (serial) serial, doc FROM load_revocations ORDER BY serial ON CONFLICT (serial) DO NOTHING`)
		return err
	})
}
