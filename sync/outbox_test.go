package sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestOutboxEnqueuePendingAck(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	p := newPeople(nil)
	o := mustOpen(t, dir, Options{})
	ctx := context.Background()
	var ids []string
	for i := 1; i <= 10; i++ {
		a := p.delegation("k1", time.Now())
		seq, err := o.Enqueue(ctx, a)
		if err != nil || seq != uint64(i) {
			t.Fatalf("Enqueue #%d = %d, %v; want %d, nil", i, seq, err, i)
		}
		ids = append(ids, a.ID)
	}
	items, err := o.Pending(0, 4, bk.MaxPushBytes)
	if err != nil || seqs(items) != "1,2,3,4," {
		t.Fatalf("Pending(0,4) = %s, %v; want 1,2,3,4,", seqs(items), err)
	}
	if !bytes.Equal(items[0].Hash, items[0].Action.ContentHash()) || items[0].Action.ID != ids[0] {
		t.Fatalf("Pending item 1 does not round-trip")
	}
	if err := o.Ack(bk.PushResponse{LastSeq: 11}); err == nil {
		t.Fatalf("Ack(last_seq 11) with 10 stored = nil; want error")
	}
	resp := bk.PushResponse{LastSeq: 3, Verdicts: []bk.Verdict{
		{ActionID: ids[0], Seq: 1, Outcome: bk.Applied},
		{ActionID: ids[1], Outcome: bk.Rejected, Reason: bk.ECardRevoked, Message: "revoked"}, // no seq: found by id
		{ActionID: ids[2], Seq: 3, Outcome: bk.Superseded, Reason: bk.EInvalidState},
	}}
	if err := o.Ack(resp); err != nil {
		t.Fatalf("Ack = %v", err)
	}
	if err := o.Ack(bk.PushResponse{LastSeq: 2}); err != nil {
		t.Fatalf("stale Ack = %v; want nil", err)
	}
	st := o.Stats()
	if st.Pending != 7 || st.Acked != 3 || st.AckedNotPurged != 3 || st.Attention != 2 || st.OldestPending.IsZero() {
		t.Fatalf("Stats = %+v; want 7 pending, acked 3, 2 attention", st)
	}
	items, _ = o.Pending(0, 100, bk.MaxPushBytes)
	if seqs(items) != "4,5,6,7,8,9,10," {
		t.Fatalf("Pending after ack = %s", seqs(items))
	}
	v, _, ok, err := o.Verdict(2)
	if err != nil || !ok || v.Reason != bk.ECardRevoked || v.Seq != 2 {
		t.Fatalf("Verdict(2) = %+v, %v, %v", v, ok, err)
	}
	att, err := o.Attention()
	if err != nil || len(att) != 2 {
		t.Fatalf("Attention() = %d items, %v; want 2", len(att), err)
	}
	if att[0].Seq != 2 || att[0].Kind != bk.CreateDelegation || att[0].ActorName != "Karen Jensen" || att[0].ActorCPR != "010180-xxxx" || !att[0].Assisted {
		t.Fatalf("Attention()[0] = %+v", att[0])
	}

	// Reopen: everything survives, same incarnation.
	inc := o.Incarnation()
	o.Close()
	o = mustOpen(t, dir, Options{})
	if o.Incarnation() != inc || len(inc) != 32 {
		t.Fatalf("Incarnation after reopen = %q; want %q", o.Incarnation(), inc)
	}
	if st2 := o.Stats(); st2 != st {
		t.Fatalf("Stats after reopen = %+v; want %+v", st2, st)
	}
	seq, err := o.Enqueue(ctx, p.delegation("k1", time.Now()))
	if err != nil || seq != 11 {
		t.Fatalf("Enqueue after reopen = %d, %v; want 11", seq, err)
	}
}

func TestOutboxPendingByteLimit(t *testing.T) {
	p := newPeople(nil)
	o := mustOpen(t, filepath.Join(t.TempDir(), "ob"), Options{})
	for i := 0; i < 20; i++ {
		if _, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	one, _ := o.Pending(0, 1, bk.MaxPushBytes)
	per := len(mustJSON(t, one[0]))
	items, err := o.Pending(0, 100, per*5+per/2)
	if err != nil || len(items) < 4 || len(items) > 6 {
		t.Fatalf("Pending(maxBytes=%d) = %d items, %v; want about 5", per*5+per/2, len(items), err)
	}
	items, _ = o.Pending(0, 100, 1)
	if len(items) != 1 {
		t.Fatalf("Pending(maxBytes=1) = %d items; want 1 (always at least one)", len(items))
	}
	items, _ = o.Pending(18, 100, bk.MaxPushBytes)
	if seqs(items) != "18,19,20," {
		t.Fatalf("Pending(18) = %s", seqs(items))
	}
}

func TestOutboxRefusesBadActions(t *testing.T) {
	p := newPeople(nil)
	o := mustOpen(t, filepath.Join(t.TempDir(), "ob"), Options{})
	unsigned, _ := bk.NewAction(bk.WithdrawConsent, bk.Payload{ConsentID: bk.NewID(time.Now())}, "k1", time.Now())
	big := p.delegation("k1", time.Now())
	big.ActorCert = bytes.Repeat([]byte{1}, MaxActionBytes)
	for name, a := range map[string]*bk.Action{"nil": nil, "unsigned": unsigned, "too large": big} {
		if _, err := o.Enqueue(context.Background(), a); bk.ErrorCode(err) != bk.EInvalid {
			t.Errorf("Enqueue(%s) = %v; want code %s", name, err, bk.EInvalid)
		}
	}
	if st := o.Stats(); st.LastSeq != 0 {
		t.Fatalf("LastSeq after refusals = %d; want 0", st.LastSeq)
	}
}

func TestOutboxPurgeAfterRetention(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	p := newPeople(nil)
	dir := filepath.Join(t.TempDir(), "ob")
	o := mustOpen(t, dir, Options{Now: clock, Retention: time.Hour})
	var ids []string
	for i := 0; i < 1200; i++ {
		a := p.delegation("k1", time.Now())
		ids = append(ids, a.ID)
		if _, err := o.Enqueue(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	o.Ack(bk.PushResponse{LastSeq: 600, Verdicts: []bk.Verdict{{ActionID: ids[9], Seq: 10, Outcome: bk.Rejected, Reason: bk.EAgeRule}}})
	now = now.Add(30 * time.Minute)
	o.Ack(bk.PushResponse{LastSeq: 1100})
	if n, err := o.Purge(now); n != 0 || err != nil {
		t.Fatalf("Purge before retention = %d, %v; want 0", n, err)
	}
	if n, err := o.Purge(now.Add(40 * time.Minute)); n != 600 || err != nil {
		t.Fatalf("Purge(+70m) = %d, %v; want 600", n, err)
	}
	att, _ := o.Attention()
	if len(att) != 1 || att[0].ActorName != "" || att[0].ActorCPR != "" || att[0].Reason != bk.EAgeRule {
		t.Fatalf("Attention after purge = %+v; want one entry without name or CPR", att)
	}
	if n, err := o.Purge(now.Add(2 * time.Hour)); n != 500 || err != nil {
		t.Fatalf("Purge(+2h30m) = %d, %v; want 500", n, err)
	}
	st := o.Stats()
	if st.Purged != 1100 || st.AckedNotPurged != 0 || st.Pending != 100 {
		t.Fatalf("Stats = %+v", st)
	}
	if err := o.Dismiss(10, "staff-7"); err != nil {
		t.Fatalf("Dismiss(10) = %v", err)
	}
	if err := o.Dismiss(10, "staff-7"); !errors.Is(err, ErrNotOnList) {
		t.Fatalf("second Dismiss(10) = %v; want ErrNotOnList", err)
	}
	if _, _, ok, _ := o.Verdict(10); ok {
		t.Fatalf("Verdict(10) still stored after purge")
	}
	o.Close()
	o = mustOpen(t, dir, Options{Now: clock})
	st2 := o.Stats()
	if st2.Purged != 1100 || st2.LastSeq != 1200 || st2.Attention != 0 || st2.Pending != 100 {
		t.Fatalf("Stats after reopen = %+v", st2)
	}
	items, err := o.Pending(0, 1000, bk.MaxPushBytes)
	if err != nil || len(items) != 100 || items[0].Seq != 1101 {
		t.Fatalf("Pending after purge+reopen = %d items from %v, %v", len(items), seqs(items[:1]), err)
	}
}

// No plain citizen data at rest: the delegate's CPR (in the payload) and the
// principal's (in the card certificate) must not appear in any file.
func TestOutboxEncryptedAtRest(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "ob")
	p := newPeople(nil)
	o := mustOpen(t, dir, Options{})
	for i := 0; i < 300; i++ {
		if _, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir + ".key")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", fi, err)
	}
	needles := [][]byte{[]byte(delegateCPR), []byte(strings.ReplaceAll(delegateCPR, "-", "")),
		[]byte(principalCPR), []byte(strings.ReplaceAll(principalCPR, "-", "")), []byte("Karen Jensen"), []byte("create_delegation")}
	files := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files++
		for _, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%s holds %q in plain text", path, n)
			}
		}
		return nil
	})
	if files == 0 {
		t.Fatalf("no files in %s", dir)
	}
	// And grep agrees (an outside tool, in case our walk missed something).
	if grep, err := exec.LookPath("grep"); err == nil {
		out, _ := exec.Command(grep, "-rlaF", "-e", delegateCPR, "-e", strings.ReplaceAll(delegateCPR, "-", ""), dir).Output()
		if len(out) > 0 {
			t.Errorf("grep finds the delegate CPR in: %s", out)
		}
	}
}

// snapshot hashes every file under dir, so a test can show nothing changed.
func snapshot(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	m := map[string][32]byte{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		m[path] = sha256.Sum256(b)
		return nil
	})
	return m
}

func sameSnapshot(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestOutboxKeyProblemsTouchNothing(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "ob")
	p := newPeople(nil)
	o := mustOpen(t, dir, Options{})
	if _, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); err != nil {
		t.Fatal(err)
	}
	o.Close()

	wrong := filepath.Join(base, "wrong.key")
	os.WriteFile(wrong, bytes.Repeat([]byte("ab"), 32), 0o600)
	bad := filepath.Join(base, "bad.key")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	before := snapshot(t, base)
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"missing key", Options{KeyFile: filepath.Join(base, "gone.key")}, ErrKeyMissing},
		{"wrong key", Options{KeyFile: wrong}, ErrWrongKey},
		{"bad key file", Options{KeyFile: bad}, ErrBadKeyFile},
		{"missing key, read-only", Options{KeyFile: filepath.Join(base, "gone.key"), ReadOnly: true}, ErrKeyMissing},
	}
	for _, tt := range tests {
		tt.opts.Logger = quietLogger()
		o, err := Open(dir, tt.opts)
		if !errors.Is(err, tt.want) {
			if o != nil {
				o.Close()
			}
			t.Errorf("%s: Open = %v; want %v", tt.name, err, tt.want)
		}
		if after := snapshot(t, base); !sameSnapshot(before, after) {
			t.Errorf("%s: files changed", tt.name)
		}
	}
	// The right key still opens it, with the action intact.
	o = mustOpen(t, dir, Options{})
	if items, err := o.Pending(0, 10, bk.MaxPushBytes); err != nil || len(items) != 1 {
		t.Fatalf("Pending after failed opens = %d, %v; want 1", len(items), err)
	}
}

// A write error reaches the caller as a clear error; nothing half-written
// shows, earlier actions stay intact.
func TestOutboxWriteErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ob")
	p := newPeople(nil)
	o := mustOpen(t, dir, Options{})
	for i := 0; i < 5; i++ {
		o.Enqueue(context.Background(), p.delegation("k1", time.Now()))
	}
	o.Close()

	t.Run("read-only", func(t *testing.T) {
		ro := mustOpen(t, dir, Options{ReadOnly: true})
		_, err := ro.Enqueue(context.Background(), p.delegation("k1", time.Now()))
		if bk.ErrorCode(err) != bk.EUnavailable || !strings.Contains(bk.ErrorMessage(err), "could not save") {
			t.Fatalf("Enqueue on read-only outbox = %v; want an %s error", err, bk.EUnavailable)
		}
		ro.Close()
	})
	t.Run("database closed underneath", func(t *testing.T) {
		o := mustOpen(t, dir, Options{})
		o.db.Close() // as if the disk went away
		_, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now()))
		if bk.ErrorCode(err) != bk.EUnavailable {
			t.Fatalf("Enqueue on closed database = %v; want an %s error", err, bk.EUnavailable)
		}
		if st := o.Stats(); st.LastSeq != 5 {
			t.Fatalf("LastSeq after failed enqueue = %d; want 5", st.LastSeq)
		}
		_, err = o.Enqueue(context.Background(), p.delegation("k1", time.Now()))
		if err == nil || !strings.Contains(err.Error(), "reopened") {
			t.Fatalf("second Enqueue after failure = %v; want refusal until reopened", err)
		}
		o.closed = true // the database is already closed
	})
	o = mustOpen(t, dir, Options{})
	items, err := o.Pending(0, 100, bk.MaxPushBytes)
	if err != nil || seqs(items) != "1,2,3,4,5," {
		t.Fatalf("Pending after write errors = %s, %v; want 1..5", seqs(items), err)
	}
	if seq, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); seq != 6 || err != nil {
		t.Fatalf("Enqueue after reopen = %d, %v; want 6", seq, err)
	}
}

func TestEncodeRecordRoundTrip(t *testing.T) {
	a := newPeople(nil).delegation("k1", time.Now())
	raw := mustJSON(t, a)
	at := time.Date(2026, 2, 3, 4, 5, 6, 789, time.UTC)
	var r record
	if err := json.Unmarshal(encodeRecord(at, a.ContentHash(), raw), &r); err != nil {
		t.Fatalf("encodeRecord output does not decode: %v", err)
	}
	if !r.EnqueuedAt.Equal(at) || !bytes.Equal(r.Hash, a.ContentHash()) || !bytes.Equal(r.Action, raw) {
		t.Fatalf("encodeRecord round trip = %v %x %d bytes; want %v %x %d bytes", r.EnqueuedAt, r.Hash, len(r.Action), at, a.ContentHash(), len(raw))
	}
}
