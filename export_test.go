package borgerkiosk

import "time"

// BundleSignedBytes lets the external tests sign bundle bytes that
// SignBundle would never produce (unknown fields, bad catalogues).
var BundleSignedBytes = bundleSignedBytes

// Test-only views of the domain: nothing in production needs them.

// BirthDate returns the date of birth encoded in the number.
func (c CPR) BirthDate() time.Time {
	t, _ := c.birthDate()
	return t
}
