// Package postgres is central's store on PostgreSQL, for more than one
// central process or more data than one disk: plain SQL with INSERT … ON
// CONFLICT and no extensions, so it can move to a sharded or replicated
// PostgreSQL. The tables are in schema.go; Open creates or migrates them.
//
// View is a REPEATABLE READ, READ ONLY transaction (one snapshot). Update is
// a READ COMMITTED transaction that keeps central.Store's promise with row
// locks instead of SERIALIZABLE's conflict detection, which, with every push
// reading and writing the same tables and index pages, rolled back about two
// transactions per push and redid them:
//
//   - Rows that change after they are written (push cursors, consents,
//     delegations, handover code records, contacts, notices and their
//     timers, web state, enrolment tokens, nonces) are read FOR UPDATE in
//     an Update, by key or in a list, and every write of one by key reads
//     it so first: another Update that reads or writes the row waits for
//     the commit and then reads the committed result (READ COMMITTED reads
//     the newest version of a row it waited for, and drops it from a list
//     when it no longer matches). Rows never changed once written (kiosks,
//     actions and their id index, revocations, typed codes, the usage log)
//     need no lock.
//   - PushCursor in an Update makes the cursor row when there is none (at 0,
//     which reads as "nothing accepted"), so the first pushes of a new
//     incarnation also queue on its lock.
//   - A key an Update read as absent and then creates is inserted with ON
//     CONFLICT DO NOTHING; when another transaction created it meanwhile, no
//     row is inserted and fn runs again on fresh data.
//   - Tx.Prefetch reads what a push will look up in one round trip and locks
//     the rows in one order (consents, delegations, handover codes, each by
//     id), so pushes do not deadlock each other; a deadlock (40P01) or
//     serialization failure (40001) still re-runs fn.
//   - Writes whose outcome the reads have settled (an UPDATE of a locked
//     row, an INSERT of a key read as absent) are queued and sent together
//     (one pgx.Batch, the inserts into one table as one multi-row INSERT)
//     before the next statement, or at commit; a queued
//     write that touches no row means another transaction got there first,
//     and fn runs again.
//
// What SERIALIZABLE would catch and this does not: a list read in an Update
// missing a row added meanwhile (badgerstore does not catch it either), and
// two Updates that each read as absent a key the other creates without
// creating it themselves. No caller decides on a list in an Update. The
// absent keys the callers read are action ids, action slots, consents,
// delegations, handover code records, contacts and typed codes, which only the
// Update that read them creates, so the rule above catches a concurrent
// creation, and revocations in a push or a sign-in, whose only creator
// (Server.Revoke) reads nothing a push or sign-in writes: committing the
// push first is then a serial order that gives the same result.
//
// Put methods never let a statement fail inside a transaction on purpose (a
// failed statement aborts the whole transaction): "taken" is found with ON
// CONFLICT DO NOTHING and a row count.
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
	"slices"
	"strconv"
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
	if err := s.numberRevocations(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: numbering the revocations in %s: %w", where, err)
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
	writeOpts = pgx.TxOptions{IsoLevel: pgx.ReadCommitted}
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
	if opts.AccessMode != pgx.ReadOnly {
		t.write, t.seen = true, map[string]*row{}
	}
	ferr := fn(t)
	if ferr == nil && !t.retry {
		ferr = t.flush()
	}
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
	// write is set in an Update: it locks what it reads (lock), keeps
	// what it read or wrote by key (seen) and queues the writes those
	// reads settled (queue).
	write bool
	seen  map[string]*row
	queue []queued
}

// row is what an Update read or wrote under a key (keyOf); doc nil means
// absent.
type row struct {
	doc []byte
	n   int64 // a push cursor's last_seq
}

// queued is a write sent at the next flush; touching other than want rows
// (-1: any) means another transaction changed what fn read.
type queued struct {
	what, sql string
	args      []any
	want      int64
}

// Kinds of key in tx.seen.
const (
	kCursor     = "cursor"
	kSlot       = "slot"
	kActionID   = "action-id"
	kConsent    = "consent"
	kDelegation = "delegation"
	kCodes      = "codes"
	kRevocation = "revocation"
	kContact    = "contact"
	kTypedCode  = "typed-code"
)

func keyOf(kind string, parts ...string) string {
	return kind + "\x00" + strings.Join(parts, "\x00")
}

func slotKey(kiosk, inc string, sq int64) string {
	return keyOf(kSlot, kiosk, inc, strconv.FormatInt(sq, 10))
}

// lock is appended to the reads of rows that can change: in an Update they
// are locked until commit.
func (t *tx) lock() string {
	if t.write {
		return " FOR UPDATE"
	}
	return ""
}

func (t *tx) enqueue(want int64, what, sql string, args ...any) {
	t.queue = append(t.queue, queued{what: what, sql: sql, args: args, want: want})
}

// flush sends the queued writes in one round trip.
func (t *tx) flush() error {
	_, err := t.flushWith(nil)
	return err
}

// flushWith sends the queued writes and then last (when not nil) in one
// round trip, and returns last's rows.
func (t *tx) flushWith(last *queued) (int64, error) {
	if len(t.queue) == 0 && last == nil {
		return 0, nil
	}
	q := mergeInserts(t.queue)
	t.queue = nil
	if last != nil {
		q = append(q, *last)
	}
	b := &pgx.Batch{}
	for _, w := range q {
		b.Queue(w.sql, w.args...)
	}
	res := t.tx.SendBatch(t.ctx, b)
	var n int64
	for _, w := range q {
		tag, err := res.Exec()
		if err != nil {
			res.Close()
			return 0, t.check(err, w.what)
		}
		n = tag.RowsAffected()
		if w.want >= 0 && n != w.want {
			res.Close()
			t.retry = true
			return 0, fmt.Errorf("postgres: %s: a concurrent transaction changed it first", w.what)
		}
	}
	return n, t.check(res.Close(), "batch")
}

// mergeInserts makes the queued INSERT … VALUES ($1, …, $k) ON CONFLICT …
// DO NOTHING of one statement one multi-row INSERT, at the place of the
// first (a push's actions, their ids, its new delegations: one statement
// each instead of one a row), expecting the sum of their rows. Moving an
// insert earlier is safe: a queued write never depends on one after it,
// and a later write of the same key is an UPDATE, which stays after it.
func mergeInserts(q []queued) []queued {
	type group struct {
		at         int // in out
		head, tail string
		k, rows    int
	}
	var out []queued
	groups := map[string]*group{}
	for _, w := range q {
		head, tail, k, ok := multiRow(w.sql)
		if !ok {
			out = append(out, w)
			continue
		}
		key := w.sql
		if w.want < 0 {
			key = "?" + key // rows that may be there already go apart
		}
		g := groups[key]
		if g == nil || (g.rows+1)*k > math.MaxUint16 { // PostgreSQL's limit on parameters
			g = &group{at: len(out), head: head, tail: tail, k: k}
			groups[key] = g
			out = append(out, queued{what: w.what, want: min(w.want, 0)})
		}
		m := &out[g.at]
		m.args = append(m.args, w.args...)
		if m.want >= 0 {
			m.want += w.want
		}
		g.rows++
	}
	for _, g := range groups {
		var b strings.Builder
		b.WriteString(g.head)
		b.WriteString(" VALUES ")
		for r := range g.rows {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range g.k {
				if c > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", r*g.k+c+1)
			}
			b.WriteByte(')')
		}
		b.WriteString(g.tail)
		out[g.at].sql = b.String()
	}
	return out
}

// multiRow splits sql, when it is INSERT … VALUES ($1, …, $k) ON CONFLICT
// … DO NOTHING, into what comes before VALUES and after the row.
func multiRow(sql string) (head, tail string, k int, ok bool) {
	if !strings.HasPrefix(sql, "INSERT INTO ") || !strings.HasSuffix(sql, " DO NOTHING") {
		return "", "", 0, false
	}
	i := strings.Index(sql, " VALUES (")
	if i < 0 {
		return "", "", 0, false
	}
	j := strings.IndexByte(sql[i:], ')')
	row := strings.Split(sql[i+len(" VALUES ("):i+j], ", ")
	for n, p := range row {
		if p != "$"+strconv.Itoa(n+1) {
			return "", "", 0, false
		}
	}
	tail = sql[i+j+1:]
	if !strings.Contains(tail, "ON CONFLICT") {
		return "", "", 0, false
	}
	return sql[:i], tail, len(row), true
}

// cached returns what this Update knows under key, or reads it with sql
// (one row, its document) and, in an Update, keeps it.
func (t *tx) cached(key, what, sql string, args ...any) (*row, error) {
	if r, ok := t.seen[key]; ok {
		return r, nil
	}
	if err := t.flush(); err != nil {
		return nil, err
	}
	var doc []byte
	err := t.tx.QueryRow(t.ctx, sql, args...).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		doc, err = nil, nil
	}
	if err != nil {
		return nil, t.check(err, what)
	}
	r := &row{doc: doc}
	if t.write {
		t.seen[key] = r
	}
	return r, nil
}

// decodeRow decodes r's document into v; ENotFound when r is absent.
func decodeRow(r *row, v any, what string) error {
	if r.doc == nil {
		return notFound(what)
	}
	if err := json.Unmarshal(r.doc, v); err != nil {
		return fmt.Errorf("postgres: decode %s: %w", what, err)
	}
	return nil
}

// Prefetch implements central.Tx: in an Update it reads every key k names
// that the transaction has not seen, in one round trip, locking the rows
// that can change in the order of the package comment.
func (t *tx) Prefetch(k central.Keys) error {
	if !t.write {
		return nil
	}
	if err := t.flush(); err != nil {
		return err
	}
	type fetch struct {
		kind, sql string
		args      []any
		keys      []string // seen keys, in the order of the ids
	}
	var fs []fetch
	add := func(kind, sql string, ids []string) {
		var want []string
		var keys []string
		for _, id := range ids {
			key := keyOf(kind, id)
			if _, ok := t.seen[key]; ok || slices.Contains(keys, key) {
				continue
			}
			want, keys = append(want, id), append(keys, key)
		}
		if len(want) > 0 {
			fs = append(fs, fetch{kind: kind, sql: sql, args: []any{want}, keys: keys})
		}
	}
	add(kConsent, `SELECT id, doc FROM consents WHERE id = ANY($1) ORDER BY id FOR UPDATE`, k.Consents)
	add(kDelegation, `SELECT id, doc FROM delegations WHERE id = ANY($1) ORDER BY id FOR UPDATE`, k.Delegations)
	add(kCodes, `SELECT delegation_id, doc FROM handover_codes WHERE delegation_id = ANY($1) ORDER BY delegation_id FOR UPDATE`, k.HandoverCodes)
	add(kActionID, `SELECT i.action_id, a.doc FROM action_ids i
		JOIN actions a ON a.kiosk = i.kiosk AND a.incarnation = i.incarnation AND a.seq = i.seq
		WHERE i.action_id = ANY($1)`, k.ActionIDs)
	add(kRevocation, `SELECT serial, doc FROM revocations WHERE serial = ANY($1)`, k.Revocations)
	add(kTypedCode, `SELECT code, doc FROM typed_codes WHERE code = ANY($1)`, k.TypedCodes)
	var seqs []int64
	var slots []string
	for _, n := range k.Seqs {
		key := slotKey(k.Kiosk, k.Incarnation, int64(n))
		if _, ok := t.seen[key]; ok || n > math.MaxInt64 || slices.Contains(slots, key) {
			continue
		}
		seqs, slots = append(seqs, int64(n)), append(slots, key)
	}
	if len(seqs) > 0 {
		fs = append(fs, fetch{kind: kSlot, sql: `SELECT seq::text, doc FROM actions WHERE kiosk = $2 AND incarnation = $3 AND seq = ANY($1)`,
			args: []any{seqs, k.Kiosk, k.Incarnation}, keys: slots})
	}
	if len(fs) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, f := range fs {
		b.Queue(f.sql, f.args...)
	}
	res := t.tx.SendBatch(t.ctx, b)
	defer res.Close()
	for _, f := range fs {
		for _, key := range f.keys {
			t.seen[key] = &row{}
		}
		rows, err := res.Query()
		if err != nil {
			return t.check(err, "prefetch")
		}
		for rows.Next() {
			var id string
			var doc []byte
			if err := rows.Scan(&id, &doc); err != nil {
				rows.Close()
				return t.check(err, "prefetch")
			}
			if f.kind == kSlot {
				t.seen[keyOf(kSlot, k.Kiosk, k.Incarnation, id)] = &row{doc: doc}
			} else {
				t.seen[keyOf(f.kind, id)] = &row{doc: doc}
			}
		}
		if err := rows.Err(); err != nil {
			return t.check(err, "prefetch")
		}
	}
	return t.check(res.Close(), "prefetch")
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
	if len(t.queue) > 0 {
		// The queued writes and this statement in one round trip.
		return t.flushWith(&queued{what: what, sql: sql, args: args, want: -1})
	}
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
	if err := t.flush(); err != nil {
		return err
	}
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
	if err := t.flush(); err != nil {
		return nil, err
	}
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
	return t.insertNew("kiosk", `INSERT INTO kiosks (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, k.ID, k,
		bk.Errorf(bk.EConflict, "kiosk %q is already enrolled", k.ID))
}

// insertNew inserts v as the document of the row key with ins (an INSERT
// of key and doc that does nothing on conflict); a row already there is
// the error exists.
func (t *tx) insertNew(what, ins, key string, v any, exists error) error {
	doc, err := encode(v, what)
	if err != nil {
		return err
	}
	n, err := t.exec("put "+what, ins, key, doc)
	if err != nil {
		return err
	}
	if n == 0 {
		return exists
	}
	return nil
}

func (t *tx) Kiosks() ([]*central.Kiosk, error) {
	return list[central.Kiosk](t, "kiosks", `SELECT doc FROM kiosks ORDER BY id`)
}

// --- enrolment tokens ---

func (t *tx) EnrollToken(hash string) (*central.EnrollToken, error) {
	var e central.EnrollToken
	if err := t.one(&e, "enrolment token", `SELECT doc FROM enroll_tokens WHERE hash = $1`+t.lock(), hash); err != nil {
		return nil, err
	}
	return &e, nil
}

func (t *tx) PutEnrollToken(e *central.EnrollToken) error {
	return t.insertNew("enrolment token", `INSERT INTO enroll_tokens (hash, doc) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING`, e.Hash, e,
		bk.Errorf(bk.EConflict, "enrolment token exists"))
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
	key := keyOf(kCursor, kiosk, inc)
	if r, ok := t.seen[key]; ok {
		return uint64(r.n), nil
	}
	if err := t.flush(); err != nil {
		return 0, err
	}
	q := `SELECT last_seq FROM push_cursors WHERE kiosk = $1 AND incarnation = $2` + t.lock()
	var n int64
	err := t.tx.QueryRow(t.ctx, q, kiosk, inc).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) && t.write {
		// A row to lock, so that the first pushes of an incarnation
		// wait for each other too (waiting here if another is making it).
		_, err = t.tx.Exec(t.ctx, `INSERT INTO push_cursors (kiosk, incarnation, last_seq) VALUES ($1, $2, 0)
			ON CONFLICT (kiosk, incarnation) DO NOTHING`, kiosk, inc)
		if err == nil {
			err = t.tx.QueryRow(t.ctx, q, kiosk, inc).Scan(&n)
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, t.check(err, "push cursor")
	}
	if t.write {
		t.seen[key] = &row{n: n}
	}
	return uint64(n), nil
}

func (t *tx) SetPushCursor(kiosk, inc string, last uint64) error {
	n, err := seq(last)
	if err != nil {
		return err
	}
	key := keyOf(kCursor, kiosk, inc)
	if r, ok := t.seen[key]; ok {
		// PushCursor made the row and holds its lock.
		t.enqueue(1, "set push cursor", `UPDATE push_cursors SET last_seq = $3 WHERE kiosk = $1 AND incarnation = $2`, kiosk, inc, n)
		r.n = n
		return nil
	}
	_, err = t.exec("set push cursor", `INSERT INTO push_cursors (kiosk, incarnation, last_seq) VALUES ($1, $2, $3)
		ON CONFLICT (kiosk, incarnation) DO UPDATE SET last_seq = EXCLUDED.last_seq`, kiosk, inc, n)
	if err == nil && t.write {
		t.seen[key] = &row{n: n}
	}
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
	taken := bk.Errorf(bk.EConflict, "sequence number %d of this kiosk incarnation is taken", r.Seq)
	const ins = `INSERT INTO actions (kiosk, incarnation, seq, action_id, doc) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (kiosk, incarnation, seq) DO NOTHING`
	slot := slotKey(r.Kiosk, r.Incarnation, sq)
	if old, ok := t.seen[slot]; ok {
		if old.doc != nil {
			return taken
		}
		t.enqueue(1, "put action", ins, r.Kiosk, r.Incarnation, sq, r.Action.ID, doc)
		old.doc = doc
	} else {
		n, err := t.exec("put action", ins, r.Kiosk, r.Incarnation, sq, r.Action.ID, doc)
		if err != nil {
			return err
		}
		if n == 0 {
			return taken
		}
		if t.write {
			t.seen[slot] = &row{doc: doc}
		}
	}
	if !r.TookEffect() {
		return nil
	}
	// The first record with an action id is the one ActionByID finds.
	const insID = `INSERT INTO action_ids (action_id, kiosk, incarnation, seq) VALUES ($1, $2, $3, $4)
		ON CONFLICT (action_id) DO NOTHING`
	if old, ok := t.seen[keyOf(kActionID, r.Action.ID)]; ok {
		if old.doc == nil {
			// Read as absent: if another transaction adds it first, fn
			// runs again and finds it.
			t.enqueue(1, "put action id", insID, r.Action.ID, r.Kiosk, r.Incarnation, sq)
			old.doc = doc
		}
		return nil
	}
	if t.write {
		t.enqueue(-1, "put action id", insID, r.Action.ID, r.Kiosk, r.Incarnation, sq)
		return nil
	}
	_, err = t.exec("put action id", insID, r.Action.ID, r.Kiosk, r.Incarnation, sq)
	return err
}

func (t *tx) ActionAt(kiosk, inc string, sq uint64) (*central.ActionRecord, error) {
	if sq > math.MaxInt64 {
		return nil, notFound("action")
	}
	row, err := t.cached(slotKey(kiosk, inc, int64(sq)), "action",
		`SELECT doc FROM actions WHERE kiosk = $1 AND incarnation = $2 AND seq = $3`, kiosk, inc, int64(sq))
	if err != nil {
		return nil, err
	}
	var r central.ActionRecord
	if err := decodeRow(row, &r, "action"); err != nil {
		return nil, err
	}
	return &r, nil
}

func (t *tx) ActionByID(id string) (*central.ActionRecord, error) {
	row, err := t.cached(keyOf(kActionID, id), "action", `SELECT a.doc FROM action_ids i
		JOIN actions a ON a.kiosk = i.kiosk AND a.incarnation = i.incarnation AND a.seq = i.seq
		WHERE i.action_id = $1`, id)
	if err != nil {
		return nil, err
	}
	var r central.ActionRecord
	if err := decodeRow(row, &r, "action"); err != nil {
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

// A keyed table holds one JSON document per id and two key columns that
// index it and never change once written: consents (the citizen, the
// authority) and delegations (the principal, the delegate).
type keyed struct {
	what, kind    string // "consent"; its kind of key in tx.seen
	sel, ins, upd string // read one doc by id ($1); insert id, the keys, doc; update doc ($2) by id
	changed       string // the error of a put that would change a key
}

var (
	consents = keyed{what: "consent", kind: kConsent,
		sel:     `SELECT doc FROM consents WHERE id = $1`,
		ins:     `INSERT INTO consents (id, cpr_hash, authority_id, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
		upd:     `UPDATE consents SET doc = $2 WHERE id = $1`,
		changed: "the CPR number and authority of a consent cannot change"}
	delegations = keyed{what: "delegation", kind: kDelegation,
		sel:     `SELECT doc FROM delegations WHERE id = $1`,
		ins:     `INSERT INTO delegations (id, principal_hash, delegate_hash, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
		upd:     `UPDATE delegations SET doc = $2 WHERE id = $1`,
		changed: "the principal and delegate of a delegation cannot change"}
)

// getKeyed reads the document id of k; ENotFound when there is none.
func getKeyed[T any](t *tx, k keyed, id string) (*T, error) {
	r, err := t.cached(keyOf(k.kind, id), k.what, k.sel+t.lock(), id)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := decodeRow(r, v, k.what); err != nil {
		return nil, err
	}
	return v, nil
}

// putKeyed writes v as the document id of k, with cols the values of its
// two key columns; keys names what those columns index, which a put must
// not change.
func putKeyed[T any](t *tx, k keyed, id string, v *T, keys func(*T) [2]any, cols [2]any) error {
	doc, err := encode(v, k.what)
	if err != nil {
		return err
	}
	ins := []any{k.ins, id, cols[0], cols[1], doc}
	if !t.write {
		_, err := t.exec("put "+k.what, k.ins, ins[1:]...) // refused: read only
		return err
	}
	r, err := t.cached(keyOf(k.kind, id), k.what, k.sel+t.lock(), id)
	if err != nil {
		return err
	}
	if r.doc != nil {
		old := new(T)
		if err := decodeRow(r, old, k.what); err != nil {
			return err
		}
		if keys(old) != keys(v) {
			return bk.Errorf(bk.EInvalid, "%s", k.changed)
		}
	}
	t.write1(r, doc, "put "+k.what, ins, []any{k.upd, id, doc})
	return nil
}

func (t *tx) Consent(id string) (*bk.Consent, error) { return getKeyed[bk.Consent](t, consents, id) }

func (t *tx) PutConsent(c *bk.Consent) error {
	if c.ID == "" || c.CPR.IsZero() || c.AuthorityID == "" {
		return bk.Errorf(bk.EInvalid, "a consent needs an id, a CPR number and an authority")
	}
	return putKeyed(t, consents, c.ID, c, func(c *bk.Consent) [2]any { return [2]any{c.CPR, c.AuthorityID} },
		[2]any{t.cprHash(c.CPR), c.AuthorityID})
}

// write1 queues the write of doc to r, a row this Update read (and
// locked): update (a statement and its arguments) when r exists, else
// insert, which must add the row (else another transaction made it first).
func (t *tx) write1(r *row, doc []byte, what string, insert, update []any) {
	q := update
	if r.doc == nil {
		q = insert
	}
	t.enqueue(1, what, q[0].(string), q[1:]...)
	r.doc = doc
}

func (t *tx) ConsentsByCPR(cpr bk.CPR) ([]*bk.Consent, error) {
	return list[bk.Consent](t, "consents", `SELECT doc FROM consents WHERE cpr_hash = $1 ORDER BY id`+t.lock(), t.cprHash(cpr))
}

func (t *tx) ConsentsByAuthority(authorityID string, cpr bk.CPR) ([]*bk.Consent, error) {
	if cpr.IsZero() {
		return list[bk.Consent](t, "consents", `SELECT doc FROM consents WHERE authority_id = $1 ORDER BY id`+t.lock(), authorityID)
	}
	return list[bk.Consent](t, "consents", `SELECT doc FROM consents WHERE authority_id = $1 AND cpr_hash = $2 ORDER BY id`+t.lock(),
		authorityID, t.cprHash(cpr))
}

func (t *tx) ConsentsPage(authorityID, after string, limit int) ([]*bk.Consent, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	return list[bk.Consent](t, "consents", `SELECT doc FROM consents WHERE authority_id = $1 AND id > $2 ORDER BY id LIMIT $3`+t.lock(),
		authorityID, after, limit)
}

// --- delegations ---

func (t *tx) Delegation(id string) (*bk.Delegation, error) {
	return getKeyed[bk.Delegation](t, delegations, id)
}

func (t *tx) PutDelegation(d *bk.Delegation) error {
	if d.ID == "" || d.Principal.IsZero() || d.Delegate.IsZero() {
		return bk.Errorf(bk.EInvalid, "a delegation needs an id, a principal and a delegate")
	}
	return putKeyed(t, delegations, d.ID, d, func(d *bk.Delegation) [2]any { return [2]any{d.Principal, d.Delegate} },
		[2]any{t.cprHash(d.Principal), t.cprHash(d.Delegate)})
}

func (t *tx) DelegationsByPrincipal(cpr bk.CPR) ([]*bk.Delegation, error) {
	return list[bk.Delegation](t, "delegations", `SELECT doc FROM delegations WHERE principal_hash = $1 ORDER BY id`+t.lock(), t.cprHash(cpr))
}

func (t *tx) DelegationsByDelegate(cpr bk.CPR) ([]*bk.Delegation, error) {
	return list[bk.Delegation](t, "delegations", `SELECT doc FROM delegations WHERE delegate_hash = $1 ORDER BY id`+t.lock(), t.cprHash(cpr))
}

// --- handover codes ---

func (t *tx) codes(delegationID string) (*row, error) {
	return t.cached(keyOf(kCodes, delegationID), "handover codes",
		`SELECT doc FROM handover_codes WHERE delegation_id = $1`+t.lock(), delegationID)
}

func (t *tx) HandoverCodes(delegationID string) (handover.CodeRecord, error) {
	var rec handover.CodeRecord
	r, err := t.codes(delegationID)
	if err == nil {
		err = decodeRow(r, &rec, "handover codes")
	}
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
	const ins = `INSERT INTO handover_codes (delegation_id, doc) VALUES ($1, $2) ON CONFLICT (delegation_id) DO NOTHING`
	if !t.write {
		_, err := t.exec("put handover codes", ins, delegationID, doc) // refused: read only
		return err
	}
	r, err := t.codes(delegationID)
	if err != nil {
		return err
	}
	t.write1(r, doc, "put handover codes", []any{ins, delegationID, doc},
		[]any{`UPDATE handover_codes SET doc = $2 WHERE delegation_id = $1`, delegationID, doc})
	return nil
}

func (t *tx) TypedCode(code string) (handover.TypedEntry, error) {
	var e handover.TypedEntry
	r, err := t.cached(keyOf(kTypedCode, code), "typed code", `SELECT doc FROM typed_codes WHERE code = $1`, code)
	if err == nil {
		err = decodeRow(r, &e, "typed code")
	}
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
	const ins = `INSERT INTO typed_codes (code, doc) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING`
	if r, ok := t.seen[keyOf(kTypedCode, e.Code)]; ok && r.doc == nil {
		// Read as absent (Prefetch): if another transaction takes the
		// code first, fn runs again and meets it.
		t.enqueue(1, "put typed code", ins, e.Code, doc)
		r.doc = doc
		return nil
	} else if !ok {
		n, err := t.exec("put typed code", ins, e.Code, doc)
		if err != nil || n == 1 {
			delete(t.seen, keyOf(kTypedCode, e.Code))
			return err
		}
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

// Revoke, RevocationsSince and LastRevocation are in revocations.go.

func (t *tx) Revocation(serial string) (central.Revocation, error) {
	var r central.Revocation
	row, err := t.cached(keyOf(kRevocation, serial), "revocation", `SELECT doc FROM revocations WHERE serial = $1`, serial)
	if err == nil {
		err = decodeRow(row, &r, "revocation")
	}
	return r, err
}

func (t *tx) Revocations() ([]central.Revocation, error) {
	return revocations(t, `SELECT doc FROM revocations ORDER BY serial`)
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
	if err := t.one(&n, "nonce", `SELECT doc FROM nonces WHERE value = $1 AND expires_at >= $2`+t.lock(), value, time.Now().Add(-nonceGrace)); err != nil {
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
	if err := t.flush(); err != nil {
		return 0, err
	}
	var n int
	if err := t.tx.QueryRow(t.ctx, q, args...).Scan(&n); err != nil {
		return 0, t.check(err, "delete usage")
	}
	return n, nil
}
