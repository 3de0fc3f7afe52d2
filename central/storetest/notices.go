package storetest

import (
	"errors"
	"testing"

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
