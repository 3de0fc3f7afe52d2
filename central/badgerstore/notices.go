package badgerstore

// Contact details and, later, the notice outbox: per-citizen data kept under
// H(cpr), with no CPR number in a value.
//
//	contact/<H(cpr)>                  bk.Contact

import (
	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
)

func (t *tx) Contact(cpr bk.CPR) (*bk.Contact, error) {
	var c bk.Contact
	if err := t.get(key("contact", t.cprHash(cpr)), &c, "contact"); err != nil {
		return nil, err
	}
	return &c, nil
}

func (t *tx) PutContact(cpr bk.CPR, c *bk.Contact) error {
	if err := central.CheckContact(cpr, c); err != nil {
		return err
	}
	return t.put(key("contact", t.cprHash(cpr)), c)
}
