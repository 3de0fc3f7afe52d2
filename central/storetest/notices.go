package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
)

var errRollback = errors.New("roll back")

func testContacts(t *testing.T, s central.Store) {
	a := &bk.Contact{Email: "mads@example.dk", Language: bk.LangDanish, EmailReminders: true, ChangedAt: T0, ChangedBy: "a1"}
	view(t, s, func(tx central.Tx) error {
		_, err := tx.Contact(cprA)
		wantCode(t, "Contact(absent)", err, bk.ENotFound)
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "PutContact(zero cpr)", tx.PutContact(bk.CPR{}, a), bk.EInvalid)
		wantCode(t, "PutContact(nil)", tx.PutContact(cprA, nil), bk.EInvalid)
		wantCode(t, "PutContact(bad address)", tx.PutContact(cprA, &bk.Contact{Email: "not an address", Language: bk.LangDanish}), bk.EInvalid)
		wantCode(t, "PutContact(bad language)", tx.PutContact(cprA, &bk.Contact{Language: "de"}), bk.EInvalid)
		return tx.PutContact(cprA, a)
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.Contact(cprA)
		if err != nil {
			return err
		}
		wantEqual(t, "Contact(a)", got, a)
		_, err = tx.Contact(cprB)
		wantCode(t, "Contact(another citizen)", err, bk.ENotFound)
		return nil
	})
	// Removing the address keeps the record: it says when it was removed.
	removed := &bk.Contact{Language: bk.LangEnglish, ChangedAt: T0.Add(1), ChangedBy: "a2"}
	other := &bk.Contact{Email: "b@example.com", Language: bk.LangEnglish, ChangedAt: T0}
	update(t, s, func(tx central.Tx) error {
		if err := tx.PutContact(cprA, removed); err != nil {
			return err
		}
		return tx.PutContact(cprB, other)
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.Contact(cprA)
		if err != nil {
			return err
		}
		wantEqual(t, "Contact(a) after removal", got, removed)
		got, err = tx.Contact(cprB)
		if err != nil {
			return err
		}
		wantEqual(t, "Contact(b)", got, other)
		got.Email = "changed@example.com" // a copy: the store keeps its own
		got, err = tx.Contact(cprB)
		if err != nil {
			return err
		}
		wantEqual(t, "Contact(b) after changing the returned copy", got, other)
		return nil
	})
	// Nothing of a failed transaction is kept.
	if err := s.Update(ctx, func(tx central.Tx) error {
		if err := tx.PutContact(cprB, a); err != nil {
			return err
		}
		return errRollback
	}); err != errRollback {
		t.Fatalf("Update(rolled back) = %v; want %v", err, errRollback)
	}
	view(t, s, func(tx central.Tx) error {
		got, err := tx.Contact(cprB)
		if err != nil {
			return err
		}
		wantEqual(t, "Contact(b) after a rolled-back put", got, other)
		return nil
	})
}

func notice(id string, next time.Time) *central.Notice {
	return &central.Notice{ID: id, Kind: bk.NoticeEnding, To: bk.ToPrincipal, Subject: "d1", EndsAt: T0.AddDate(0, 1, 0), Days: 30,
		CreatedAt: T0, State: central.NoticePending, NextAt: next}
}

func noticeIDs(list []*central.Notice) []string {
	out := []string{}
	for _, n := range list {
		out = append(out, n.ID)
	}
	return out
}

func testNotices(t *testing.T, s central.Store) {
	a, b, c := notice("a", T0.Add(2*time.Minute)), notice("b", T0), notice("c", T0.Add(time.Hour))
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "AddNotice(no id)", addErr(tx.AddNotice(&central.Notice{Kind: bk.NoticeEnded, To: bk.ToPrincipal, Subject: "d", State: central.NoticePending})), bk.EInvalid)
		for _, n := range []*central.Notice{a, b, c} {
			if added, err := tx.AddNotice(n); err != nil || !added {
				t.Errorf("AddNotice(%s) = %v, %v; want true, nil", n.ID, added, err)
			}
		}
		// Found again (another process, a restart): stored once, the first kept.
		again := notice("a", T0)
		again.Cause = "other"
		if added, err := tx.AddNotice(again); err != nil || added {
			t.Errorf("AddNotice(a again) = %v, %v; want false, nil", added, err)
		}
		wantCode(t, "PutNotice(absent)", tx.PutNotice(notice("zz", T0)), bk.ENotFound)
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.Notice("a")
		if err != nil {
			return err
		}
		wantEqual(t, "Notice(a)", got, a)
		_, err = tx.Notice("zz")
		wantCode(t, "Notice(absent)", err, bk.ENotFound)
		for _, tc := range []struct {
			now   time.Time
			limit int
			want  []string
		}{
			{T0.Add(-time.Second), 0, []string{}},
			{T0, 0, []string{"b"}},
			{T0.Add(2 * time.Minute), 0, []string{"b", "a"}},
			{T0.Add(2 * time.Hour), 0, []string{"b", "a", "c"}},
			{T0.Add(2 * time.Hour), 2, []string{"b", "a"}},
		} {
			due, err := tx.DueNotices(tc.now, tc.limit)
			if err != nil {
				return err
			}
			wantEqual(t, fmt.Sprintf("DueNotices(%s, %d)", tc.now.Sub(T0), tc.limit), noticeIDs(due), tc.want)
		}
		return nil
	})
	// Claiming moves the next try; a delivered one leaves the due list.
	update(t, s, func(tx central.Tx) error {
		b.Attempts, b.NextAt = 1, T0.Add(3*time.Hour)
		if err := tx.PutNotice(b); err != nil {
			return err
		}
		a.State, a.NextAt, a.DoneAt, a.Channel = central.NoticeSent, time.Time{}, T0, "email"
		if err := tx.PutNotice(a); err != nil {
			return err
		}
		c.State, c.NextAt, c.LastError = central.NoticeDead, time.Time{}, "550 no such user"
		return tx.PutNotice(c)
	})
	view(t, s, func(tx central.Tx) error {
		due, err := tx.DueNotices(T0.Add(2*time.Hour), 0)
		if err != nil {
			return err
		}
		wantEqual(t, "DueNotices after claims", noticeIDs(due), []string{})
		due, err = tx.DueNotices(T0.Add(3*time.Hour), 0)
		if err != nil {
			return err
		}
		wantEqual(t, "DueNotices at the claim's end", noticeIDs(due), []string{"b"})
		got, err := tx.Notice("a")
		if err != nil {
			return err
		}
		wantEqual(t, "Notice(a) sent", got, a)
		for _, tc := range []struct {
			state central.NoticeState
			after string
			limit int
			want  []string
		}{
			{central.NoticeDead, "", 0, []string{"c"}},
			{central.NoticeSent, "", 0, []string{"a"}},
			{central.NoticePending, "", 0, []string{"b"}},
			{central.NoticeDead, "c", 0, []string{}},
			{central.NoticeUnreachable, "", 0, []string{}},
		} {
			list, err := tx.NoticesIn(tc.state, tc.after, tc.limit)
			if err != nil {
				return err
			}
			wantEqual(t, fmt.Sprintf("NoticesIn(%s, %q)", tc.state, tc.after), noticeIDs(list), tc.want)
		}
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		for _, id := range []string{"d", "e", "f"} {
			n := notice(id, T0)
			n.State = central.NoticeDead
			if _, err := tx.AddNotice(n); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		list, err := tx.NoticesIn(central.NoticeDead, "c", 2)
		if err != nil {
			return err
		}
		wantEqual(t, "NoticesIn(dead, after c, 2)", noticeIDs(list), []string{"d", "e"})
		return nil
	})
}

func addErr(_ bool, err error) error { return err }

func timer(id string, due time.Time) *central.Timer {
	return &central.Timer{ID: id, DueAt: due, Kind: bk.NoticeEnded, Subject: "d1", EndsAt: due}
}

func timerIDs(list []*central.Timer) []string {
	out := []string{}
	for _, tm := range list {
		out = append(out, tm.ID)
	}
	return out
}

func testTimers(t *testing.T, s central.Store) {
	x, y := timer("x", T0.Add(time.Hour)), timer("y", T0)
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "AddTimer(no time)", tx.AddTimer(&central.Timer{ID: "z", Kind: bk.NoticeEnded, Subject: "d"}), bk.EInvalid)
		if err := tx.AddTimer(x); err != nil {
			return err
		}
		if err := tx.AddTimer(y); err != nil {
			return err
		}
		return tx.AddTimer(timer("x", T0)) // again: the first is kept
	})
	view(t, s, func(tx central.Tx) error {
		for _, tc := range []struct {
			now   time.Time
			limit int
			want  []string
		}{
			{T0.Add(-1), 0, []string{}},
			{T0, 0, []string{"y"}},
			{T0.Add(time.Hour), 0, []string{"y", "x"}},
			{T0.Add(time.Hour), 1, []string{"y"}},
		} {
			due, err := tx.DueTimers(tc.now, tc.limit)
			if err != nil {
				return err
			}
			wantEqual(t, fmt.Sprintf("DueTimers(%s, %d)", tc.now.Sub(T0), tc.limit), timerIDs(due), tc.want)
		}
		due, err := tx.DueTimers(T0.Add(time.Hour), 0)
		if err == nil && len(due) == 2 {
			wantEqual(t, "DueTimers()[1]", due[1], x)
		}
		return err
	})
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "DeleteTimer(absent)", tx.DeleteTimer("nope"), bk.ENotFound)
		return tx.DeleteTimer("y")
	})
	view(t, s, func(tx central.Tx) error {
		due, err := tx.DueTimers(T0.Add(time.Hour), 0)
		wantEqual(t, "DueTimers after delete", timerIDs(due), []string{"x"})
		return err
	})
}
