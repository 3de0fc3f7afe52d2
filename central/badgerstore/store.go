// Package badgerstore is central's embedded store on Badger: zero set-up,
// durable writes (SyncWrites), JSON values.
//
// Key layout (all keys start with a one-word table name and '/'):
//
//	meta/index-key                    32 random bytes, made at first open
//	kiosk/<id>                        Kiosk
//	enroll/<token hash>               EnrollToken
//	cursor/<kiosk>/<incarnation>      8-byte big-endian last seq
//	action/<kiosk>/<incarnation><seq> ActionRecord (seq 8-byte big-endian)
//	actionid/<action id>              the action/ key of the first record
//	consent/<id>                      bk.Consent
//	consent-cpr/<H(cpr)><id>          index, empty value
//	consent-auth/<authority><H(cpr)><id>
//	consent-auth-id/<authority><id>    index for paging, empty value
//	delegation/<id>                   bk.Delegation
//	deleg-principal/<H(cpr)><id>
//	deleg-delegate/<H(cpr)><id>
//	handover/<delegation id>          handover.CodeRecord
//	revoked/<serial>                  central.Revocation
//	revoked-seq/<seq>                 the same, by its number (8-byte big-endian)
//	meta/revoked-last                 the revocation with the highest number
//	nonce/<value>                     central.Nonce, with a Badger TTL
//	usage/<H(cpr)><id>                bk.UsageRecord (no CPR in it)
//	usage-at/<at><id>                 the H(cpr)s of the record's copies (at: 8-byte big-endian Unix ns)
//
// The two usage tables are in a second Badger database in dir/usage (see
// usageDir), opened, encrypted and closed with the first.
//
// Strings inside composite keys are length-prefixed, so no id can run into
// the next. H(cpr) is HMAC-SHA256 keyed with the store's own index key, so
// the keys of a store copy do not list CPR numbers. The values still hold
// them (they are the records), which is why cmd/central also turns on
// Badger's encryption at rest with a key file kept outside the store.
package badgerstore

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/internal/badgerfix"
	"github.com/dgraph-io/badger/v4"
)

var _ central.Store = (*Store)(nil)

// Options tune Open. The zero value is a plain, unencrypted store.
type Options struct {
	// EncryptionKey turns on encryption at rest: 16, 24 or 32 bytes (AES).
	EncryptionKey []byte
	// Logger receives Badger's warnings and errors; nil discards them.
	Logger *slog.Logger

	sharedUsage bool // the old layout, for the benchmark's baseline
}

// Store is a central.Store on a Badger database, with the usage log in a
// second one in dir/usage.
type Store struct {
	db       *badger.DB
	usage    *badger.DB // the usage/ and usage-at/ keys
	indexKey []byte
}

// usageDir is where the usage log's database lives, inside the store's.
// Its own database because a Badger read waits for every commit in flight
// (oracle.readTs → WaitForMark): with the log in the main database, every
// consent or delegation check read waited for the usage writer's fsync.
const usageDir = "usage"

// Memory: Badger holds up to NumMemtables memtables, a block cache and an
// index cache per database; these bound them (Badger's defaults are five
// 64 MB memtables and a 256 MB block cache, with table indexes unbounded).
const (
	mainMemtable, mainMemtables = 32 << 20, 3 // a push of MaxPushBytes must fit a transaction (15 %)
	mainBlockCache, mainIndex   = 64 << 20, 32 << 20
	usageMemtable, usageTables  = 8 << 20, 2
	usageBlockCache, usageIndex = 8 << 20, 8 << 20
)

// Open opens or creates the store in dir. It first removes the log files a
// kill can leave that Badger would refuse (see internal/badgerfix), so
// central starts on the first try after any crash.
func Open(dir string, opt Options) (*Store, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	open := func(dir string, memtable int64, memtables int, blocks, index int64) (*badger.DB, error) {
		if err := badgerfix.Repair(dir, log.With("component", "store")); err != nil {
			return nil, fmt.Errorf("badgerstore: open %s: %w", dir, err)
		}
		o := badger.DefaultOptions(dir).
			WithSyncWrites(true).
			WithLogger(badgerLogger{opt.Logger}).
			WithMemTableSize(memtable).
			WithNumMemtables(memtables).
			WithNumLevelZeroTables(memtables).
			WithBlockCacheSize(blocks).
			WithNumCompactors(2). // each holds a table builder's buffers (about twice its table)
			WithIndexCacheSize(index).
			WithValueLogFileSize(64 << 20)
		if len(opt.EncryptionKey) > 0 {
			o = o.WithEncryptionKey(opt.EncryptionKey)
		}
		db, err := badger.Open(o)
		if err != nil {
			return nil, fmt.Errorf("badgerstore: open %s: %w", dir, err)
		}
		return db, nil
	}
	db, err := open(dir, mainMemtable, mainMemtables, mainBlockCache, mainIndex)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, usage: db}
	if opt.sharedUsage {
		return s, s.loadIndexKey()
	}
	if s.usage, err = open(filepath.Join(dir, usageDir), usageMemtable, usageTables, usageBlockCache, usageIndex); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadIndexKey(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.moveUsage(); err != nil {
		s.Close()
		return nil, fmt.Errorf("badgerstore: moving the usage log to %s: %w", usageDir, err)
	}
	if err := s.numberRevocations(); err != nil {
		s.Close()
		return nil, fmt.Errorf("badgerstore: numbering revocations: %w", err)
	}
	if err := s.indexConsentPages(); err != nil {
		s.Close()
		return nil, fmt.Errorf("badgerstore: indexing consents for paging: %w", err)
	}
	return s, nil
}

// moveUsage moves usage records a store from before the second database
// kept in the main one: copied first, then deleted, so a crash in between
// only copies them again.
func (s *Store) moveUsage() error {
	for _, prefix := range [][]byte{key("usage"), key("usage-at")} {
		for {
			var keys, vals [][]byte
			err := s.db.View(func(txn *badger.Txn) error {
				o := badger.DefaultIteratorOptions
				o.Prefix = prefix
				it := txn.NewIterator(o)
				defer it.Close()
				for it.Rewind(); it.Valid() && len(keys) < 10_000; it.Next() {
					v, err := it.Item().ValueCopy(nil)
					if err != nil {
						return err
					}
					keys, vals = append(keys, it.Item().KeyCopy(nil)), append(vals, v)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				break
			}
			wb := s.usage.NewWriteBatch()
			for i := range keys {
				if err := wb.Set(keys[i], vals[i]); err != nil {
					wb.Cancel()
					return err
				}
			}
			if err := wb.Flush(); err != nil {
				return err
			}
			del := s.db.NewWriteBatch()
			for _, k := range keys {
				if err := del.Delete(k); err != nil {
					del.Cancel()
					return err
				}
			}
			if err := del.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

var metaIndexKey = []byte("meta/index-key")

func (s *Store) loadIndexKey() error {
	return s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(metaIndexKey)
		if err == nil {
			s.indexKey, err = item.ValueCopy(nil)
			if err == nil && len(s.indexKey) != 32 {
				err = errors.New("badgerstore: index key has the wrong length")
			}
			return err
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return err
		}
		s.indexKey = k
		return txn.Set(metaIndexKey, k)
	})
}

// Update implements central.Store. It re-runs fn when Badger reports a
// conflict with a concurrent transaction.
func (s *Store) Update(ctx context.Context, fn func(tx central.Tx) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := s.db.Update(func(txn *badger.Txn) error {
			t := &tx{s: s, txn: txn, update: true}
			defer t.discardUsage()
			if err := fn(t); err != nil {
				return err
			}
			// Central never writes the usage log and the rest in one
			// transaction; if it did, the log would commit first.
			if t.utxn != nil {
				return t.utxn.Commit()
			}
			return nil
		})
		if errors.Is(err, badger.ErrConflict) {
			continue
		}
		return err
	}
}

// View implements central.Store.
func (s *Store) View(ctx context.Context, fn func(tx central.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(txn *badger.Txn) error {
		t := &tx{s: s, txn: txn}
		defer t.discardUsage()
		return fn(t)
	})
}

// Ping implements central.Store: it reads the meta key.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(metaIndexKey)
		return err
	})
}

// Close implements central.Store.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.usage != s.db {
		err = errors.Join(err, s.usage.Close())
	}
	return err
}

type tx struct {
	s      *Store
	txn    *badger.Txn
	update bool
	utxn   *badger.Txn // on the usage database, made when first needed
}

// usageTxn returns the transaction on the usage database, as a tx whose
// helpers work on it.
func (t *tx) usageTxn() *tx {
	if t.utxn == nil {
		t.utxn = t.s.usage.NewTransaction(t.update)
	}
	return &tx{s: t.s, txn: t.utxn, update: t.update}
}

func (t *tx) discardUsage() {
	if t.utxn != nil {
		t.utxn.Discard()
	}
}

// --- keys ---

func key(table string, parts ...[]byte) []byte {
	k := append([]byte(table), '/')
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// seg length-prefixes s so that composite keys cannot be ambiguous.
func seg(s string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(s)))
	return append(b, s...)
}

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func (t *tx) cprHash(c bk.CPR) []byte {
	m := hmac.New(sha256.New, t.s.indexKey)
	m.Write([]byte(c.Digits()))
	return m.Sum(nil)
}

// --- generic helpers ---

func notFound(what string) error { return bk.Errorf(bk.ENotFound, "%s not found", what) }

func (t *tx) get(k []byte, v any, what string) error {
	item, err := t.txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return notFound(what)
	}
	if err != nil {
		return err
	}
	return item.Value(func(b []byte) error {
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("badgerstore: decode %s: %w", what, err)
		}
		return nil
	})
}

func (t *tx) exists(k []byte) (bool, error) {
	_, err := t.txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (t *tx) put(k []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("badgerstore: encode: %w", err)
	}
	return t.txn.Set(k, b)
}

func (t *tx) del(k []byte, what string) error {
	ok, err := t.exists(k)
	if err != nil {
		return err
	}
	if !ok {
		return notFound(what)
	}
	return t.txn.Delete(k)
}

// scan calls fn with the key suffix and value of every key under prefix, in
// key order; values are only fetched when withValues.
func (t *tx) scan(prefix []byte, withValues bool, fn func(suffix, val []byte) error) error {
	o := badger.DefaultIteratorOptions
	o.PrefetchValues = withValues
	o.Prefix = prefix
	it := t.txn.NewIterator(o)
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		var val []byte
		if withValues {
			var err error
			if val, err = item.ValueCopy(nil); err != nil {
				return err
			}
		}
		if err := fn(bytes.Clone(item.Key()[len(prefix):]), val); err != nil {
			return err
		}
	}
	return nil
}

// --- kiosks ---

// Prefetch implements central.Tx: each read here is a local lookup already.
func (t *tx) Prefetch(central.Keys) error { return nil }

func (t *tx) Kiosk(id string) (*central.Kiosk, error) {
	var k central.Kiosk
	if err := t.get(key("kiosk", []byte(id)), &k, "kiosk"); err != nil {
		return nil, err
	}
	return &k, nil
}

func (t *tx) PutKiosk(k *central.Kiosk) error {
	kk := key("kiosk", []byte(k.ID))
	if ok, err := t.exists(kk); err != nil {
		return err
	} else if ok {
		return bk.Errorf(bk.EConflict, "kiosk %q is already enrolled", k.ID)
	}
	return t.put(kk, k)
}

func (t *tx) Kiosks() ([]*central.Kiosk, error) {
	out := []*central.Kiosk{}
	err := t.scan(key("kiosk"), true, func(_, v []byte) error {
		var k central.Kiosk
		if err := json.Unmarshal(v, &k); err != nil {
			return fmt.Errorf("badgerstore: decode kiosk: %w", err)
		}
		out = append(out, &k)
		return nil
	})
	return out, err
}

// --- enrolment tokens ---

func (t *tx) EnrollToken(hash string) (*central.EnrollToken, error) {
	var e central.EnrollToken
	if err := t.get(key("enroll", []byte(hash)), &e, "enrolment token"); err != nil {
		return nil, err
	}
	return &e, nil
}

func (t *tx) PutEnrollToken(e *central.EnrollToken) error {
	k := key("enroll", []byte(e.Hash))
	if ok, err := t.exists(k); err != nil {
		return err
	} else if ok {
		return bk.Errorf(bk.EConflict, "enrolment token exists")
	}
	return t.put(k, e)
}

func (t *tx) DeleteEnrollToken(hash string) error {
	return t.del(key("enroll", []byte(hash)), "enrolment token")
}

// --- push cursors and actions ---

func cursorKey(kiosk, inc string) []byte { return key("cursor", seg(kiosk), seg(inc)) }

func (t *tx) PushCursor(kiosk, inc string) (uint64, error) {
	item, err := t.txn.Get(cursorKey(kiosk, inc))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n uint64
	err = item.Value(func(b []byte) error {
		if len(b) != 8 {
			return errors.New("badgerstore: push cursor has the wrong length")
		}
		n = binary.BigEndian.Uint64(b)
		return nil
	})
	return n, err
}

func (t *tx) SetPushCursor(kiosk, inc string, last uint64) error {
	return t.txn.Set(cursorKey(kiosk, inc), u64(last))
}

func actionPrefix(kiosk, inc string) []byte { return key("action", seg(kiosk), seg(inc)) }

func actionKey(kiosk, inc string, seq uint64) []byte {
	return append(actionPrefix(kiosk, inc), u64(seq)...)
}

func (t *tx) PutAction(r *central.ActionRecord) error {
	if r.Action == nil {
		return bk.Errorf(bk.EInvalid, "action record without action")
	}
	k := actionKey(r.Kiosk, r.Incarnation, r.Seq)
	if ok, err := t.exists(k); err != nil {
		return err
	} else if ok {
		return bk.Errorf(bk.EConflict, "sequence number %d of this kiosk incarnation is taken", r.Seq)
	}
	if err := t.put(k, r); err != nil {
		return err
	}
	if !r.TookEffect() {
		return nil
	}
	ik := key("actionid", []byte(r.Action.ID))
	if ok, err := t.exists(ik); err != nil {
		return err
	} else if !ok {
		return t.txn.Set(ik, k)
	}
	return nil
}

func (t *tx) ActionAt(kiosk, inc string, seq uint64) (*central.ActionRecord, error) {
	var r central.ActionRecord
	if err := t.get(actionKey(kiosk, inc, seq), &r, "action"); err != nil {
		return nil, err
	}
	return &r, nil
}

func (t *tx) ActionByID(id string) (*central.ActionRecord, error) {
	item, err := t.txn.Get(key("actionid", []byte(id)))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, notFound("action")
	}
	if err != nil {
		return nil, err
	}
	k, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	var r central.ActionRecord
	if err := t.get(k, &r, "action"); err != nil {
		return nil, err
	}
	return &r, nil
}

func (t *tx) Actions(kiosk, inc string, after uint64, limit int) ([]*central.ActionRecord, error) {
	out := []*central.ActionRecord{}
	prefix := actionPrefix(kiosk, inc)
	o := badger.DefaultIteratorOptions
	o.Prefix = prefix
	it := t.txn.NewIterator(o)
	defer it.Close()
	for it.Seek(append(bytes.Clone(prefix), u64(after+1)...)); it.ValidForPrefix(prefix); it.Next() {
		if after == ^uint64(0) || (limit > 0 && len(out) >= limit) {
			break
		}
		var r central.ActionRecord
		err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &r) })
		if err != nil {
			return nil, fmt.Errorf("badgerstore: decode action: %w", err)
		}
		out = append(out, &r)
	}
	return out, nil
}

// --- consents ---

func (t *tx) Consent(id string) (*bk.Consent, error) {
	var c bk.Consent
	if err := t.get(key("consent", []byte(id)), &c, "consent"); err != nil {
		return nil, err
	}
	return &c, nil
}

func (t *tx) PutConsent(c *bk.Consent) error {
	if c.ID == "" || c.CPR.IsZero() || c.AuthorityID == "" {
		return bk.Errorf(bk.EInvalid, "a consent needs an id, a CPR number and an authority")
	}
	old, err := t.Consent(c.ID)
	switch {
	case err == nil:
		if old.CPR != c.CPR || old.AuthorityID != c.AuthorityID {
			return bk.Errorf(bk.EInvalid, "the CPR number and authority of a consent cannot change")
		}
	case bk.ErrorCode(err) != bk.ENotFound:
		return err
	default:
		h := t.cprHash(c.CPR)
		if err := t.txn.Set(key("consent-cpr", h, []byte(c.ID)), nil); err != nil {
			return err
		}
		if err := t.txn.Set(key("consent-auth", seg(c.AuthorityID), h, []byte(c.ID)), nil); err != nil {
			return err
		}
		if err := t.txn.Set(consentPageKey(c.AuthorityID, c.ID), nil); err != nil {
			return err
		}
	}
	return t.put(key("consent", []byte(c.ID)), c)
}

// consentsUnder lists the consents whose index keys start with prefix; skip
// bytes of the key suffix come before the id (a CPR hash, in a scan of a
// whole authority).
func (t *tx) consentsUnder(prefix []byte, skip int) ([]*bk.Consent, error) {
	out := []*bk.Consent{}
	err := t.scan(prefix, false, func(suffix, _ []byte) error {
		if len(suffix) < skip {
			return errors.New("badgerstore: short consent index key")
		}
		c, err := t.Consent(string(suffix[skip:]))
		if err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (t *tx) ConsentsByCPR(cpr bk.CPR) ([]*bk.Consent, error) {
	return t.consentsUnder(key("consent-cpr", t.cprHash(cpr)), 0)
}

func (t *tx) ConsentsByAuthority(authorityID string, cpr bk.CPR) ([]*bk.Consent, error) {
	if cpr.IsZero() {
		return t.consentsUnder(key("consent-auth", seg(authorityID)), sha256.Size)
	}
	return t.consentsUnder(key("consent-auth", seg(authorityID), t.cprHash(cpr)), 0)
}

func consentPageKey(authorityID, id string) []byte {
	return key("consent-auth-id", seg(authorityID), []byte(id))
}

func (t *tx) ConsentsPage(authorityID, after string, limit int) ([]*bk.Consent, error) {
	prefix := key("consent-auth-id", seg(authorityID))
	o := badger.DefaultIteratorOptions
	o.PrefetchValues = false
	o.Prefix = prefix
	it := t.txn.NewIterator(o)
	defer it.Close()
	out := []*bk.Consent{}
	for it.Seek(append(bytes.Clone(prefix), after...)); it.ValidForPrefix(prefix); it.Next() {
		if limit > 0 && len(out) >= limit {
			break
		}
		id := string(it.Item().Key()[len(prefix):])
		if id <= after { // the seek lands on after itself
			continue
		}
		c, err := t.Consent(id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

var metaConsentPages = []byte("meta/consent-pages")

// indexConsentPages writes the consent-auth-id index of a store from before
// it, from the consent-auth index, once; a crash before the mark only writes
// it again.
func (s *Store) indexConsentPages() error {
	var done bool
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(metaConsentPages)
		done = err == nil
		if errors.Is(err, badger.ErrKeyNotFound) {
			err = nil
		}
		return err
	})
	if err != nil || done {
		return err
	}
	wb := s.db.NewWriteBatch()
	prefix := key("consent-auth")
	err = s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = prefix
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()[len(prefix):] // <authority seg><H(cpr)><id>
			if len(k) < 2 || len(k) < 2+int(binary.BigEndian.Uint16(k))+sha256.Size {
				return errors.New("short consent index key")
			}
			n := 2 + int(binary.BigEndian.Uint16(k))
			auth, id := string(k[2:n]), string(k[n+sha256.Size:])
			if err := wb.Set(consentPageKey(auth, id), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = wb.Set(metaConsentPages, nil)
	}
	if err != nil {
		wb.Cancel()
		return err
	}
	return wb.Flush()
}

// --- delegations ---

func (t *tx) Delegation(id string) (*bk.Delegation, error) {
	var d bk.Delegation
	if err := t.get(key("delegation", []byte(id)), &d, "delegation"); err != nil {
		return nil, err
	}
	return &d, nil
}

func (t *tx) PutDelegation(d *bk.Delegation) error {
	if d.ID == "" || d.Principal.IsZero() || d.Delegate.IsZero() {
		return bk.Errorf(bk.EInvalid, "a delegation needs an id, a principal and a delegate")
	}
	old, err := t.Delegation(d.ID)
	switch {
	case err == nil:
		if old.Principal != d.Principal || old.Delegate != d.Delegate {
			return bk.Errorf(bk.EInvalid, "the principal and delegate of a delegation cannot change")
		}
	case bk.ErrorCode(err) != bk.ENotFound:
		return err
	default:
		if err := t.txn.Set(key("deleg-principal", t.cprHash(d.Principal), []byte(d.ID)), nil); err != nil {
			return err
		}
		if err := t.txn.Set(key("deleg-delegate", t.cprHash(d.Delegate), []byte(d.ID)), nil); err != nil {
			return err
		}
	}
	return t.put(key("delegation", []byte(d.ID)), d)
}

func (t *tx) delegationsUnder(prefix []byte) ([]*bk.Delegation, error) {
	out := []*bk.Delegation{}
	err := t.scan(prefix, false, func(id, _ []byte) error {
		d, err := t.Delegation(string(id))
		if err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

func (t *tx) DelegationsByPrincipal(cpr bk.CPR) ([]*bk.Delegation, error) {
	return t.delegationsUnder(key("deleg-principal", t.cprHash(cpr)))
}

func (t *tx) DelegationsByDelegate(cpr bk.CPR) ([]*bk.Delegation, error) {
	return t.delegationsUnder(key("deleg-delegate", t.cprHash(cpr)))
}

// --- handover codes ---

func (t *tx) HandoverCodes(delegationID string) (handover.CodeRecord, error) {
	var rec handover.CodeRecord
	err := t.get(key("handover", []byte(delegationID)), &rec, "handover codes")
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
	return t.put(key("handover", []byte(delegationID)), rec)
}

func (t *tx) TypedCode(code string) (handover.TypedEntry, error) {
	var e handover.TypedEntry
	err := t.get(key("typed", []byte(code)), &e, "typed code")
	return e, err
}

func (t *tx) PutTypedCode(e handover.TypedEntry) error {
	if e.Code == "" || e.DelegationID == "" {
		return bk.Errorf(bk.EInvalid, "a typed code needs its code and delegation id")
	}
	old, err := t.TypedCode(e.Code)
	switch {
	case err == nil && old.Same(e):
		return nil
	case err == nil:
		return bk.Errorf(bk.EConflict, "the typed code is taken")
	case bk.ErrorCode(err) != bk.ENotFound:
		return err
	}
	return t.put(key("typed", []byte(e.Code)), e)
}

// --- revocations ---

func (t *tx) Revoke(r central.Revocation) error {
	if r.Serial == "" {
		return bk.Errorf(bk.EInvalid, "a revocation needs a card serial")
	}
	k := key("revoked", []byte(r.Serial))
	if ok, err := t.exists(k); err != nil || ok {
		return err
	}
	// Every revocation reads and writes meta/revoked-last, so two at once
	// conflict and one runs again: the numbers have no gaps or doubles.
	last, err := t.LastRevocation()
	if err != nil {
		return err
	}
	r = r.Numbered(last)
	for _, k := range [][]byte{k, key("revoked-seq", u64(r.Seq)), metaRevokedLast} {
		if err := t.put(k, r); err != nil {
			return err
		}
	}
	return nil
}

var metaRevokedLast = []byte("meta/revoked-last")

func (t *tx) LastRevocation() (central.Revocation, error) {
	var r central.Revocation
	err := t.get(metaRevokedLast, &r, "revocation")
	if bk.ErrorCode(err) == bk.ENotFound {
		err = nil
	}
	return r, err
}

func (t *tx) RevocationsSince(seq uint64, limit int) ([]central.Revocation, error) {
	out := []central.Revocation{}
	if seq == ^uint64(0) {
		return out, nil
	}
	prefix := key("revoked-seq")
	o := badger.DefaultIteratorOptions
	o.Prefix = prefix
	it := t.txn.NewIterator(o)
	defer it.Close()
	for it.Seek(append(bytes.Clone(prefix), u64(seq+1)...)); it.ValidForPrefix(prefix); it.Next() {
		if limit > 0 && len(out) >= limit {
			break
		}
		var r central.Revocation
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &r) }); err != nil {
			return nil, fmt.Errorf("badgerstore: decode revocation: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// numberRevocations numbers the revocations of a store from before they
// had numbers, in serial order, once (while meta/revoked-last is absent).
func (s *Store) numberRevocations() error {
	var rs []central.Revocation
	err := s.View(context.Background(), func(tx central.Tx) error {
		if last, err := tx.LastRevocation(); err != nil || last.Seq > 0 {
			return err
		}
		var err error
		rs, err = tx.Revocations()
		return err
	})
	if err != nil || len(rs) == 0 {
		return err
	}
	for i := range rs {
		rs[i].Seq, rs[i].Chain = 0, nil
	}
	return s.writeNumbered(central.Revocation{}, rs)
}

// writeNumbered writes rs, none of them revoked yet, numbered after last,
// in one write batch, and the new last.
func (s *Store) writeNumbered(last central.Revocation, rs []central.Revocation) error {
	wb := s.db.NewWriteBatch()
	for _, r := range rs {
		r = r.Numbered(last)
		last = r
		v, err := json.Marshal(r)
		if err == nil {
			err = wb.Set(key("revoked", []byte(r.Serial)), v)
		}
		if err == nil {
			err = wb.Set(key("revoked-seq", u64(r.Seq)), v)
		}
		if err != nil {
			wb.Cancel()
			return err
		}
	}
	v, err := json.Marshal(last)
	if err == nil {
		err = wb.Set(metaRevokedLast, v)
	}
	if err != nil {
		wb.Cancel()
		return err
	}
	return wb.Flush()
}

func (t *tx) Revocation(serial string) (central.Revocation, error) {
	var r central.Revocation
	err := t.get(key("revoked", []byte(serial)), &r, "revocation")
	return r, err
}

func (t *tx) Revocations() ([]central.Revocation, error) {
	out := []central.Revocation{}
	err := t.scan(key("revoked"), true, func(_, v []byte) error {
		var r central.Revocation
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("badgerstore: decode revocation: %w", err)
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// --- nonces ---

// nonceGrace keeps an expired nonce a little longer than its expiry, so a
// late use is answered "expired" rather than "unknown".
const nonceGrace = time.Minute

func (t *tx) PutNonce(n *central.Nonce) error {
	if len(n.Value) == 0 {
		return bk.Errorf(bk.EInvalid, "empty nonce")
	}
	k := key("nonce", n.Value)
	if ok, err := t.exists(k); err != nil {
		return err
	} else if ok {
		return bk.Errorf(bk.EConflict, "nonce exists")
	}
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	e := badger.NewEntry(k, b)
	if ttl := time.Until(n.ExpiresAt) + nonceGrace; ttl > 0 {
		e = e.WithTTL(ttl)
	}
	return t.txn.SetEntry(e)
}

func (t *tx) Nonce(value []byte) (*central.Nonce, error) {
	var n central.Nonce
	if err := t.get(key("nonce", value), &n, "nonce"); err != nil {
		return nil, err
	}
	return &n, nil
}

func (t *tx) DeleteNonce(value []byte) error { return t.del(key("nonce", value), "nonce") }

// --- usage log ---

func usageAtKey(at time.Time, id string) []byte {
	return key("usage-at", u64(uint64(at.UnixNano())), []byte(id))
}

func (t *tx) PutUsage(entries []central.UsageEntry) error {
	t = t.usageTxn()
	for _, e := range entries {
		if err := e.Check(); err != nil {
			return err
		}
		var hashes []byte
		for _, c := range e.Copies() {
			h := t.cprHash(c.CPR)
			k := key("usage", h, []byte(c.Record.ID))
			if ok, err := t.exists(k); err != nil {
				return err
			} else if ok {
				return bk.Errorf(bk.EConflict, "usage record %q is already in the log", c.Record.ID)
			}
			if err := t.put(k, c.Record); err != nil {
				return err
			}
			hashes = append(hashes, h...)
		}
		if err := t.txn.Set(usageAtKey(e.Record.At, e.Record.ID), hashes); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) Usage(cpr bk.CPR, before string, limit int) ([]*bk.UsageRecord, error) {
	t = t.usageTxn()
	out := []*bk.UsageRecord{}
	prefix := key("usage", t.cprHash(cpr))
	o := badger.DefaultIteratorOptions
	o.Reverse = true
	o.Prefix = prefix
	it := t.txn.NewIterator(o)
	defer it.Close()
	// Seeking in reverse finds the last key at or before the seek key.
	seek := append(bytes.Clone(prefix), 0xff)
	if before != "" {
		seek = append(bytes.Clone(prefix), before...)
	}
	for it.Seek(seek); it.ValidForPrefix(prefix); it.Next() {
		if limit > 0 && len(out) >= limit {
			break
		}
		if before != "" && string(it.Item().Key()[len(prefix):]) >= before {
			continue
		}
		var r bk.UsageRecord
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &r) }); err != nil {
			return nil, fmt.Errorf("badgerstore: decode usage record: %w", err)
		}
		out = append(out, &r)
	}
	return out, nil
}

func (t *tx) DeleteUsageBefore(before time.Time, limit int) (int, error) {
	t = t.usageTxn()
	prefix := key("usage-at")
	end := u64(uint64(before.UnixNano()))
	type gone struct{ at, hashes []byte }
	var list []gone
	err := t.scan(prefix, true, func(suffix, val []byte) error {
		if len(suffix) < 8 || bytes.Compare(suffix[:8], end) >= 0 || (limit > 0 && len(list) >= limit) {
			return errStopScan
		}
		list = append(list, gone{suffix, val})
		return nil
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return 0, err
	}
	for _, g := range list {
		if len(g.hashes)%sha256.Size != 0 {
			return 0, errors.New("badgerstore: usage time index has a bad value")
		}
		id := g.at[8:]
		for h := g.hashes; len(h) > 0; h = h[sha256.Size:] {
			if err := t.txn.Delete(key("usage", h[:sha256.Size], id)); err != nil {
				return 0, err
			}
		}
		if err := t.txn.Delete(key("usage-at", g.at)); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// errStopScan ends a scan early; it is not an error.
var errStopScan = errors.New("stop scan")

// badgerLogger passes Badger's warnings and errors to slog and drops the
// chatty info and debug lines.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	if b.l != nil {
		b.l.Error("badger: " + fmt.Sprintf(f, a...))
	}
}

func (b badgerLogger) Warningf(f string, a ...any) {
	if b.l != nil {
		b.l.Warn("badger: " + fmt.Sprintf(f, a...))
	}
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}

// LoadRevocations adds many revocations at once (an issuer's list when
// central is set up, a benchmark), numbered in the order given after the
// last, in a write batch: not while central revokes cards (Revoke through
// central does single cards). A serial already revoked keeps its record.
func (s *Store) LoadRevocations(rs []central.Revocation) error {
	var last central.Revocation
	fresh := make([]central.Revocation, 0, len(rs))
	err := s.View(context.Background(), func(tx central.Tx) error {
		var err error
		if last, err = tx.LastRevocation(); err != nil {
			return err
		}
		seen := make(map[string]bool, len(rs))
		for _, r := range rs {
			if r.Serial == "" {
				return bk.Errorf(bk.EInvalid, "a revocation needs a card serial")
			}
			if seen[r.Serial] {
				continue
			}
			seen[r.Serial] = true
			if _, err := tx.Revocation(r.Serial); bk.ErrorCode(err) != bk.ENotFound {
				if err != nil {
					return err
				}
				continue
			}
			fresh = append(fresh, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.writeNumbered(last, fresh)
}
