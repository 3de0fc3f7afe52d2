package sync

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	gosync "sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/badgerfix"
	"github.com/dgraph-io/badger/v4"
)

// Queue is what the pusher needs from an outbox. Pending returns actions in
// sequence from max(fromSeq, acked+1); Ack records central's answer and moves
// the acked pointer; Notify fires (coalesced) after every successful Enqueue.
type Queue interface {
	Incarnation() string
	Pending(fromSeq uint64, maxN, maxBytes int) ([]bk.PushItem, error)
	Ack(resp bk.PushResponse) error
	Stats() Stats
	Notify() <-chan struct{}
}

var _ Queue = (*Outbox)(nil)

// MaxActionBytes bounds one stored action, far above any real one (about
// 1.5 KB), so a batch always fits in bk.MaxPushBytes.
const MaxActionBytes = 64 << 10

// Options tune an outbox; the zero value is right for a kiosk.
type Options struct {
	// KeyFile holds the encryption key. Default: the data directory's path
	// with ".key" appended (a sibling, so a copy of the data directory alone
	// does not carry its key). Created with mode 0600 on first start.
	KeyFile string
	// Retention is how long acknowledged actions are kept before Purge
	// removes them, counted from the acknowledgement. Default 24 h.
	Retention time.Duration
	// MaintenanceInterval is how often the outbox purges and runs value-log
	// GC on its own. Default 5 minutes; negative turns it off.
	MaintenanceInterval time.Duration
	// MinFreeBytes: Enqueue refuses when the disk has less free space, because
	// Badger's memory-mapped files can crash the process on a full disk
	// instead of returning an error. Default 64 MiB; negative turns it off.
	// Free space is looked at once a second (by Now), after every
	// MinFreeBytes/16 written, and on every Enqueue once it is below twice
	// MinFreeBytes, not on every Enqueue: a durable write should cost its
	// sync and little else.
	MinFreeBytes int64
	// ReadOnly opens an existing outbox for inspection; writes fail.
	ReadOnly bool
	// CloseTimeout bounds Close. Badger retries a failed memtable flush
	// forever, so on a failing disk its Close never returns; after this long
	// the outbox's Close gives up with an error. Default 15 s.
	CloseTimeout time.Duration
	Logger       *slog.Logger
	Now          func() time.Time
}

// Stats is a snapshot of the queue.
type Stats struct {
	LastSeq        uint64    // highest sequence number stored
	Acked          uint64    // central has answered for everything up to here
	Purged         uint64    // everything up to here is deleted
	Pending        int       // stored, not yet acknowledged
	OldestPending  time.Time // when the oldest pending action was queued; zero if none
	AckedNotPurged int       // acknowledged, waiting for the retention period
	Attention      int       // rejected or superseded actions not yet dismissed
}

// Outbox is the kiosk's durable, encrypted queue of signed actions. Every
// action gets the next contiguous sequence number of this incarnation. State
// is two pointers, acked and purged; records are never rewritten.
type Outbox struct {
	db   *badger.DB
	dir  string
	opts Options
	log  *slog.Logger
	blog *badgerLogger
	inc  string

	copyDir string // a read-only outbox's repaired copy, removed at Close
	cleanup func() // after the database is closed: lock and copy go

	mu        gosync.Mutex
	last      uint64
	acked     uint64
	purged    uint64
	attention int
	oldest    time.Time
	broken    error
	closed    bool

	// The free-space guard's last look (see MinFreeBytes).
	freeCheckedAt  time.Time
	writtenSince   int64 // bytes enqueued since then
	lowSpace       bool  // then below 2 × MinFreeBytes: look every time
	freeSpaceLooks int   // statfs calls, for tests

	purgeMu gosync.Mutex // one Purge at a time (maintenance and callers)

	notify chan struct{}
	stop   chan struct{}
	wg     gosync.WaitGroup
}

// Key prefixes. Sequence keys are the prefix byte and 8 big-endian bytes,
// so they sort in sequence order.
const (
	pAction    = 'a' // a<seq> → record
	pVerdict   = 'v' // v<seq> → storedVerdict
	pAttention = 'n' // n<seq> → attentionEntry
	pAckTime   = 't' // t<seq> → unix nanos of the Ack that moved acked to seq
)

var (
	kIncarnation = []byte("m/incarnation")
	kAcked       = []byte("m/acked")
	kPurged      = []byte("m/purged")
)

func seqKey(p byte, seq uint64) []byte {
	k := make([]byte, 9)
	k[0] = p
	binary.BigEndian.PutUint64(k[1:], seq)
	return k
}

func keySeq(k []byte) uint64 { return binary.BigEndian.Uint64(k[1:9]) }

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// record is what is stored per action.
type record struct {
	EnqueuedAt time.Time       `json:"enqueued_at"`
	Hash       []byte          `json:"hash"`
	Action     json.RawMessage `json:"action"`
}

// encodeRecord writes a record's JSON by hand: json.Marshal would scan the
// already-encoded action again, a few µs on every durable enqueue.
func encodeRecord(at time.Time, hash, action []byte) []byte {
	b := make([]byte, 0, len(action)+128)
	b = append(b, `{"enqueued_at":"`...)
	b = at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","hash":"`...)
	b = base64.StdEncoding.AppendEncode(b, hash)
	b = append(b, `","action":`...)
	b = append(b, action...)
	return append(b, '}')
}

type storedVerdict struct {
	Verdict   bk.Verdict `json:"verdict"`
	DecidedAt time.Time  `json:"decided_at"`
}

var (
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("outbox is closed")
	// ErrDiskFull is returned by Enqueue when free space is below MinFreeBytes.
	ErrDiskFull = errors.New("outbox: not enough free disk space")
)

// saveError is an Enqueue failure: a person-safe *bk.Error for the screen
// and the cause for the log.
type saveError struct {
	safe  *bk.Error
	cause error
}

func (e *saveError) Error() string   { return "outbox: saving action: " + e.cause.Error() }
func (e *saveError) Unwrap() []error { return []error{e.safe, e.cause} }

func newSaveError(cause error) error {
	return &saveError{
		safe:  bk.Errorf(bk.EUnavailable, "The kiosk could not save your action, so nothing was done. Please ask staff for help."),
		cause: cause,
	}
}

// Open opens or creates the outbox in dir. See Options for the key file
// rules: a missing key for an existing outbox, or a wrong key, is an error
// (ErrKeyMissing, ErrWrongKey) and nothing on disk is changed.
func Open(dir string, opts Options) (*Outbox, error) {
	if dir == "" {
		return nil, errors.New("outbox: no data directory given")
	}
	dir = filepath.Clean(dir)
	if opts.KeyFile == "" {
		opts.KeyFile = dir + ".key"
	}
	if opts.Retention <= 0 {
		opts.Retention = 24 * time.Hour
	}
	if opts.MaintenanceInterval == 0 {
		opts.MaintenanceInterval = 5 * time.Minute
	}
	if opts.MinFreeBytes == 0 {
		opts.MinFreeBytes = 64 << 20
	}
	if opts.CloseTimeout <= 0 {
		opts.CloseTimeout = 15 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger.With("component", "outbox")

	var key []byte
	var err error
	if opts.ReadOnly {
		if !isOutbox(dir) {
			return nil, fmt.Errorf("outbox: no outbox in %s (no Badger MANIFEST there; the kiosk keeps its outbox in data_dir/outbox)", dir)
		}
		b, rerr := os.ReadFile(opts.KeyFile)
		if errors.Is(rerr, os.ErrNotExist) {
			return nil, fmt.Errorf("outbox: %w: %s (data in %s)", ErrKeyMissing, opts.KeyFile, dir)
		} else if rerr != nil {
			return nil, fmt.Errorf("outbox: reading key file: %w", rerr)
		}
		key, err = parseKey(opts.KeyFile, b)
	} else {
		key, err = loadOrCreateKey(opts.KeyFile, dir)
	}
	if err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
	}
	if !opts.ReadOnly {
		if err := badgerfix.Repair(dir, log); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
	}
	blog := &badgerLogger{l: log}
	var db *badger.DB
	copyDir, cleanup := "", func() {}
	if opts.ReadOnly {
		db, copyDir, cleanup, err = openReadOnly(dir, key, log, blog)
	} else {
		db, err = badger.Open(badgerOptions(dir, key, false, blog))
	}
	if errors.Is(err, badger.ErrEncryptionKeyMismatch) {
		return nil, fmt.Errorf("outbox: %w: %s does not open %s", ErrWrongKey, opts.KeyFile, dir)
	} else if err != nil {
		return nil, fmt.Errorf("outbox: opening %s: %w", dir, err)
	}
	o := &Outbox{db: db, dir: dir, opts: opts, log: log, blog: blog, copyDir: copyDir, cleanup: cleanup,
		notify: make(chan struct{}, 1), stop: make(chan struct{})}
	if err := o.load(); err != nil {
		db.Close()
		cleanup()
		return nil, err
	}
	if opts.MaintenanceInterval > 0 && !opts.ReadOnly {
		o.wg.Add(1)
		go o.maintain()
	}
	return o, nil
}

// badgerOptions are sized for a kiosk PC: small memtables and caches (a few
// tens of MB resident), values inline in the LSM tree (actions are ~1.5 KB),
// every commit synced.
func badgerOptions(dir string, key []byte, readOnly bool, log *badgerLogger) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithReadOnly(readOnly).
		WithLogger(log). // not WithLoggingLevel: it replaces the logger with Badger's own
		WithMetricsEnabled(false).
		WithNumVersionsToKeep(1).
		WithMemTableSize(4 << 20).
		WithNumMemtables(2).
		WithValueThreshold(MaxActionBytes + 1024).
		WithValueLogFileSize(1 << 20).
		WithBlockCacheSize(4 << 20).
		WithIndexCacheSize(2 << 20).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(4).
		WithBaseTableSize(2 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithCompactL0OnClose(true).
		WithEncryptionKey(key).
		WithEncryptionKeyRotationDuration(30 * 24 * time.Hour)
}

func (o *Outbox) load() error {
	return o.viewOrUpdate(func(txn *badger.Txn) error {
		item, err := txn.Get(kIncarnation)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			if o.opts.ReadOnly {
				return errors.New("outbox: the outbox has no incarnation id")
			}
			it := txn.NewIterator(badger.IteratorOptions{})
			it.Rewind()
			empty := !it.Valid()
			it.Close()
			if !empty {
				return errors.New("outbox: the database holds data but no incarnation id; refusing to use it")
			}
			var b [16]byte
			rand.Read(b[:])
			o.inc = hex.EncodeToString(b[:])
			return txn.Set(kIncarnation, []byte(o.inc))
		case err != nil:
			return fmt.Errorf("outbox: reading incarnation: %w", err)
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("outbox: reading incarnation: %w", err)
		}
		o.inc = string(v)
		if o.acked, err = getU64(txn, kAcked); err != nil {
			return err
		}
		if o.purged, err = getU64(txn, kPurged); err != nil {
			return err
		}
		o.last = o.acked
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAction}, Reverse: true})
		it.Seek(seqKey(pAction, ^uint64(0)))
		if it.Valid() {
			if s := keySeq(it.Item().Key()); s > o.last {
				o.last = s
			}
		}
		it.Close()
		it = txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAttention}})
		for it.Rewind(); it.Valid(); it.Next() {
			o.attention++
		}
		it.Close()
		o.oldest, err = o.enqueuedAt(txn, o.acked+1)
		return err
	})
}

func (o *Outbox) viewOrUpdate(fn func(*badger.Txn) error) error {
	if o.opts.ReadOnly {
		return o.db.View(fn)
	}
	return o.db.Update(fn)
}

// update runs fn in a read-write transaction; a read-only outbox (which may
// be a writable copy) refuses.
func (o *Outbox) update(fn func(*badger.Txn) error) error {
	if o.opts.ReadOnly {
		return ErrReadOnly
	}
	return o.db.Update(fn)
}

func getU64(txn *badger.Txn, k []byte) (uint64, error) {
	item, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("outbox: reading %s: %w", k, err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil || len(v) != 8 {
		return 0, fmt.Errorf("outbox: reading %s: bad value (%v)", k, err)
	}
	return binary.BigEndian.Uint64(v), nil
}

// enqueuedAt returns when action seq was queued, or zero if it is not stored.
func (o *Outbox) enqueuedAt(txn *badger.Txn, seq uint64) (time.Time, error) {
	r, err := getRecord(txn, seq)
	if err != nil || r == nil {
		return time.Time{}, err
	}
	return r.EnqueuedAt, nil
}

func getRecord(txn *badger.Txn, seq uint64) (*record, error) {
	item, err := txn.Get(seqKey(pAction, seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: reading action %d: %w", seq, err)
	}
	var r record
	err = item.Value(func(v []byte) error { return json.Unmarshal(v, &r) })
	if err != nil {
		return nil, fmt.Errorf("outbox: action %d is unreadable: %w", seq, err)
	}
	return &r, nil
}

// Incarnation returns the random id made when this outbox was created.
func (o *Outbox) Incarnation() string { return o.inc }

// Dir returns the data directory.
func (o *Outbox) Dir() string { return o.dir }

// Notify returns a channel that receives (coalesced) after each Enqueue.
func (o *Outbox) Notify() <-chan struct{} { return o.notify }

// Enqueue stores a signed action durably and returns its sequence number. It
// returns only after the action is synced to disk; on any error the action
// is not stored (the error carries a person-safe *bk.Error for the screen).
// After a write or sync error the outbox refuses further enqueues until it
// is reopened, because Badger's state after a failed write is not trusted.
func (o *Outbox) Enqueue(ctx context.Context, a *bk.Action) (uint64, error) {
	if a == nil {
		return 0, bk.Errorf(bk.EInvalid, "no action to save")
	}
	if err := a.Validate(); err != nil {
		return 0, err
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return 0, bk.Errorf(bk.EInvalid, "action cannot be encoded: %v", err)
	}
	if len(raw) > MaxActionBytes {
		return 0, bk.Errorf(bk.EInvalid, "action is too large (%d bytes, at most %d)", len(raw), MaxActionBytes)
	}
	now := o.opts.Now().UTC()
	val := encodeRecord(now, a.ContentHash(), raw)

	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return 0, newSaveError(ErrClosed)
	}
	if o.broken != nil {
		return 0, newSaveError(fmt.Errorf("outbox failed earlier and must be reopened: %w", o.broken))
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := o.checkFree(now, len(val)); err != nil {
		return 0, newSaveError(err)
	}
	seq := o.last + 1
	err = o.update(func(txn *badger.Txn) error { return txn.Set(seqKey(pAction, seq), val) })
	if err != nil {
		if !errors.Is(err, ErrReadOnly) {
			o.broken = err
		}
		o.log.Error("enqueue failed", "seq", seq, "err", err)
		return 0, newSaveError(err)
	}
	o.last = seq
	if o.last == o.acked+1 {
		o.oldest = now
	}
	select {
	case o.notify <- struct{}{}:
	default:
	}
	return seq, nil
}

// freeCheckEvery is how long Enqueue trusts its last look at free space.
const freeCheckEvery = time.Second

// checkFree is the free-space guard, called with o.mu held before n bytes
// are written: ErrDiskFull when the disk holds less than MinFreeBytes.
func (o *Outbox) checkFree(now time.Time, n int) error {
	if o.opts.MinFreeBytes <= 0 {
		return nil
	}
	o.writtenSince += int64(n)
	if age := now.Sub(o.freeCheckedAt); !o.lowSpace && age >= 0 && age < freeCheckEvery && o.writtenSince < o.opts.MinFreeBytes/16 {
		return nil
	}
	o.freeSpaceLooks++
	free, ok := diskFree(o.dir)
	if !ok {
		return nil
	}
	o.freeCheckedAt, o.writtenSince = now, 0
	o.lowSpace = free < 2*uint64(o.opts.MinFreeBytes)
	if free < uint64(o.opts.MinFreeBytes) {
		return fmt.Errorf("%w: %d bytes free, %d needed", ErrDiskFull, free, o.opts.MinFreeBytes)
	}
	return nil
}

// Pending returns up to maxN stored actions in sequence, starting at
// max(fromSeq, acked+1), whose encoded size stays within maxBytes (at least
// one action is always returned when any is pending).
func (o *Outbox) Pending(fromSeq uint64, maxN, maxBytes int) ([]bk.PushItem, error) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil, ErrClosed
	}
	start := max(fromSeq, o.acked+1)
	last := o.last // never hand out an action whose enqueue did not succeed
	o.mu.Unlock()
	return o.read(start, last, maxN, maxBytes)
}

// Kept returns up to maxN actions central has acknowledged that are still
// kept until the retention period ends, in sequence (for kioskctl queue).
func (o *Outbox) Kept(maxN int) ([]bk.PushItem, error) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil, ErrClosed
	}
	start, last := o.purged+1, o.acked
	o.mu.Unlock()
	return o.read(start, last, maxN, math.MaxInt)
}

// read returns the stored actions start…last, at most maxN of them and
// within maxBytes (but at least one).
func (o *Outbox) read(start, last uint64, maxN, maxBytes int) ([]bk.PushItem, error) {
	if maxN <= 0 || start > last {
		return nil, nil
	}
	var items []bk.PushItem
	size := 0
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAction}, PrefetchValues: true, PrefetchSize: min(maxN, 64)})
		defer it.Close()
		want := start
		for it.Seek(seqKey(pAction, start)); it.Valid() && len(items) < maxN; it.Next() {
			seq := keySeq(it.Item().Key())
			if seq > last {
				break
			}
			if seq != want {
				return fmt.Errorf("outbox: action %d is missing (found %d)", want, seq)
			}
			var r record
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &r) }); err != nil {
				return fmt.Errorf("outbox: action %d is unreadable: %w", seq, err)
			}
			n := len(r.Action) + 2*len(r.Hash) + 64
			if len(items) > 0 && size+n > maxBytes {
				break
			}
			var a bk.Action
			if err := json.Unmarshal(r.Action, &a); err != nil {
				return fmt.Errorf("outbox: action %d is unreadable: %w", seq, err)
			}
			items = append(items, bk.PushItem{Seq: seq, Hash: r.Hash, Action: &a})
			size += n
			want++
		}
		if len(items) == 0 {
			return fmt.Errorf("outbox: action %d is missing", start)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

// Ack records central's answer: verdicts for the acknowledged actions
// (rejected and superseded ones also go on the attention list) and the acked
// pointer moved to resp.LastSeq. An answer that acknowledges less than is
// already acked changes nothing; one that acknowledges more than was ever
// stored is an error (it means central's view of this kiosk is not ours).
func (o *Outbox) Ack(resp bk.PushResponse) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return ErrClosed
	}
	if resp.LastSeq > o.last {
		return fmt.Errorf("outbox: central acknowledges up to %d but this outbox only holds %d", resp.LastSeq, o.last)
	}
	if resp.LastSeq <= o.acked {
		return nil
	}
	now := o.opts.Now().UTC()
	from, to := o.acked+1, resp.LastSeq
	att := 0
	var oldest time.Time
	err := o.update(func(txn *badger.Txn) error {
		var ids map[string]uint64
		for _, v := range resp.Verdicts {
			seq := v.Seq
			if seq == 0 || seq < from || seq > to {
				if ids == nil {
					var err error
					if ids, err = actionIDs(txn, from, to); err != nil {
						return err
					}
				}
				s, ok := ids[v.ActionID]
				if !ok {
					continue // an answer about an action outside this ack
				}
				seq = s
			}
			if _, err := txn.Get(seqKey(pVerdict, seq)); err == nil {
				continue // the first verdict stays
			}
			if v.Outcome == bk.Duplicate && v.First != nil {
				// Our first push got through but its answer was lost: what
				// counts is what central decided then.
				v = *v.First
			}
			v.Seq = seq
			sv, _ := json.Marshal(storedVerdict{Verdict: v, DecidedAt: now})
			if err := txn.Set(seqKey(pVerdict, seq), sv); err != nil {
				return err
			}
			if v.NeedsAttention() {
				e, err := attentionFor(txn, seq, v, now)
				if err != nil {
					return err
				}
				if err := txn.Set(seqKey(pAttention, seq), e); err != nil {
					return err
				}
				att++
			}
		}
		if err := txn.Set(kAcked, u64(to)); err != nil {
			return err
		}
		if err := txn.Set(seqKey(pAckTime, to), u64(uint64(now.UnixNano()))); err != nil {
			return err
		}
		var err error
		oldest, err = o.enqueuedAt(txn, to+1)
		return err
	})
	if err != nil {
		return fmt.Errorf("outbox: recording acknowledgement: %w", err)
	}
	o.acked = to
	o.attention += att
	o.oldest = oldest
	return nil
}

func actionIDs(txn *badger.Txn, from, to uint64) (map[string]uint64, error) {
	ids := map[string]uint64{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAction}, PrefetchValues: true})
	defer it.Close()
	for it.Seek(seqKey(pAction, from)); it.Valid(); it.Next() {
		seq := keySeq(it.Item().Key())
		if seq > to {
			break
		}
		var r struct {
			Action struct {
				ID string `json:"action_id"`
			} `json:"action"`
		}
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &r) }); err != nil {
			return nil, fmt.Errorf("outbox: action %d is unreadable: %w", seq, err)
		}
		ids[r.Action.ID] = seq
	}
	return ids, nil
}

// Stats returns a snapshot of the queue.
func (o *Outbox) Stats() Stats {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := Stats{
		LastSeq: o.last, Acked: o.acked, Purged: o.purged,
		Pending:        int(o.last - o.acked),
		AckedNotPurged: int(o.acked - o.purged),
		Attention:      o.attention,
	}
	if s.Pending > 0 {
		s.OldestPending = o.oldest
	}
	return s
}

// Verdict returns central's stored verdict for seq; ok is false when there
// is none (not yet answered, or purged).
func (o *Outbox) Verdict(seq uint64) (v bk.Verdict, decidedAt time.Time, ok bool, err error) {
	err = o.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(seqKey(pVerdict, seq))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var sv storedVerdict
		if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &sv) }); err != nil {
			return err
		}
		v, decidedAt, ok = sv.Verdict, sv.DecidedAt, true
		return nil
	})
	return v, decidedAt, ok, err
}

// purgeChunk bounds the deletes in one transaction.
const purgeChunk = 512

// Purge deletes actions (and their verdicts) that were acknowledged at least
// Retention before now, and returns how many it deleted. It walks from the
// purge cursor, so its cost does not grow with history.
func (o *Outbox) Purge(now time.Time) (int, error) {
	cutoff := now.Add(-o.opts.Retention)
	o.purgeMu.Lock()
	defer o.purgeMu.Unlock()
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return 0, ErrClosed
	}
	purged := o.purged
	o.mu.Unlock()

	// Find the highest acked sequence whose acknowledgement is old enough.
	var target uint64
	var ackKeys [][]byte
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pAckTime}, PrefetchValues: true})
		defer it.Close()
		// Ack times up to the purge cursor are deleted; seeking past them
		// skips their tombstones.
		for it.Seek(seqKey(pAckTime, purged+1)); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil || len(v) != 8 {
				return fmt.Errorf("outbox: bad ack time: %v", err)
			}
			if time.Unix(0, int64(binary.BigEndian.Uint64(v))).After(cutoff) {
				break
			}
			target = keySeq(it.Item().Key())
			ackKeys = append(ackKeys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil || target <= purged {
		return 0, err
	}
	n := 0
	for from := purged + 1; from <= target; {
		to := min(from+purgeChunk-1, target)
		err := o.update(func(txn *badger.Txn) error {
			for s := from; s <= to; s++ {
				if err := txn.Delete(seqKey(pAction, s)); err != nil {
					return err
				}
				if err := txn.Delete(seqKey(pVerdict, s)); err != nil {
					return err
				}
			}
			for len(ackKeys) > 0 && keySeq(ackKeys[0]) <= to {
				if err := txn.Delete(ackKeys[0]); err != nil {
					return err
				}
				ackKeys = ackKeys[1:]
			}
			return txn.Set(kPurged, u64(to))
		})
		if err != nil {
			return n, fmt.Errorf("outbox: purging: %w", err)
		}
		o.mu.Lock()
		o.purged = to
		o.mu.Unlock()
		n += int(to - from + 1)
		from = to + 1
	}
	return n, nil
}

// GC runs Badger's value-log garbage collection until it finds nothing to
// rewrite.
func (o *Outbox) GC() {
	for i := 0; i < 16; i++ {
		if err := o.db.RunValueLogGC(0.5); err != nil {
			if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
				o.log.Warn("value-log GC", "err", err)
			}
			return
		}
	}
}

func (o *Outbox) maintain() {
	defer o.wg.Done()
	t := time.NewTicker(o.opts.MaintenanceInterval)
	defer t.Stop()
	for {
		select {
		case <-o.stop:
			return
		case <-t.C:
			if n, err := o.Purge(o.opts.Now()); err != nil {
				o.log.Warn("purge", "err", err)
			} else if n > 0 {
				o.log.Debug("purged acknowledged actions", "count", n)
			}
			o.GC()
		}
	}
}

// Close stops maintenance and closes the database. It is safe to call twice.
// It returns within CloseTimeout even when Badger cannot finish (it retries
// a failed flush forever): then it logs and returns an error and leaves
// Badger to the process's exit. Nothing confirmed is lost that way: every
// Enqueue was synced to the memtable log, which the next Open reads.
func (o *Outbox) Close() error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.closed = true
	o.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		close(o.stop)
		o.wg.Wait()
		err := o.db.Close()
		o.cleanup()
		done <- err
	}()
	t := time.NewTimer(o.opts.CloseTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			o.log.Error("closing the outbox failed", "err", err)
			return fmt.Errorf("outbox: closing: %w", err)
		}
		return nil
	case <-t.C:
		last := o.blog.lastError()
		o.log.Error("closing the outbox did not finish in time; stopping without a clean close (confirmed actions are in the memtable log and are read at the next start)",
			"timeout", o.opts.CloseTimeout, "badger_error", last)
		if last != "" {
			last = " (Badger's last error: " + last + ")"
		}
		return fmt.Errorf("outbox: closing did not finish within %v%s; confirmed actions are kept and are read at the next start", o.opts.CloseTimeout, last)
	}
}
