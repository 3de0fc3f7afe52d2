package postgres

// Contact details and, later, the notice outbox: per-citizen rows keyed by
// cpr_hash, with no CPR number in a document.

import (
	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
)

func (t *tx) Contact(cpr bk.CPR) (*bk.Contact, error) {
	var c bk.Contact
	if err := t.one(&c, "contact", `SELECT doc FROM contacts WHERE cpr_hash = $1`, t.cprHash(cpr)); err != nil {
		return nil, err
	}
	return &c, nil
}

func (t *tx) PutContact(cpr bk.CPR, c *bk.Contact) error {
	if err := central.CheckContact(cpr, c); err != nil {
		return err
	}
	doc, err := encode(c, "contact")
	if err != nil {
		return err
	}
	_, err = t.exec("put contact", `INSERT INTO contacts (cpr_hash, doc) VALUES ($1, $2)
		ON CONFLICT (cpr_hash) DO UPDATE SET doc = excluded.doc`, t.cprHash(cpr), doc)
	return err
}
