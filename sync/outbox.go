package sync

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	gosync "sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
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

	wal walSync // makes each commit durable (Badger's SyncWrites is off)

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
	pDismissed = 'd' // d<seq> → Dismissal, until Retention after it
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

func (o *Outbox) viewOrUpdate(fn func(*badger.Txn) error) error {
	if o.opts.ReadOnly {
		return o.db.View(fn)
	}
	return o.update(fn)
}

// update runs fn in a read-write transaction and returns once the commit is
// on disk; a read-only outbox (which may be a writable copy) refuses.
func (o *Outbox) update(fn func(*badger.Txn) error) error {
	if o.opts.ReadOnly {
		return ErrReadOnly
	}
	if err := o.db.Update(fn); err != nil {
		return err
	}
	return o.wal.sync()
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
