package central

import bk "github.com/borgerkiosk/borgerkiosk"

// CheckContact reports what is wrong with a PutContact (EInvalid), else nil.
func CheckContact(cpr bk.CPR, c *bk.Contact) error {
	if cpr.IsZero() {
		return bk.Errorf(bk.EInvalid, "contact details need the citizen's CPR number")
	}
	if c == nil {
		return bk.Errorf(bk.EInvalid, "contact details are missing")
	}
	return c.Check()
}
