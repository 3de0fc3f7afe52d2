package borgerkiosk

import "context"

// CardEvent is what a card reader reports about the card slot.
type CardEvent int

const (
	CardInserted CardEvent = iota + 1
	CardRemoved
)

func (e CardEvent) String() string {
	switch e {
	case CardInserted:
		return "inserted"
	case CardRemoved:
		return "removed"
	}
	return "unknown"
}

// CardReader is the kiosk's view of a smart-card reader. The card holds its
// private key and PIN; the kiosk only ever sees signatures.
//
// Every method returns an *Error with code ENoCard when no card is present and
// EUnavailable when the reader cannot be reached.
type CardReader interface {
	// Events delivers inserted/removed events. The channel is closed when the
	// reader is closed. A removal must end the session at once.
	Events() <-chan CardEvent

	// Certificate returns the inserted card's encoded certificate
	// (see DecodeCertificate).
	Certificate(ctx context.Context) ([]byte, error)

	// Authenticate checks pin on the card and returns the card's signature over
	// nonce. A wrong PIN returns *PINError with the tries left; a locked card
	// returns an *Error with code ECardLocked.
	Authenticate(ctx context.Context, pin string, nonce []byte) ([]byte, error)

	// Sign returns the card's Ed25519 signature over digest. It only works
	// after a successful Authenticate and until the card is removed; otherwise
	// it returns an *Error with code ENotAuthed.
	Sign(ctx context.Context, digest []byte) ([]byte, error)
}

// Signer signs a digest with a person's card. The card reader driver is a
// Signer once the card holder has authenticated; tests use a software card.
type Signer interface {
	Sign(ctx context.Context, digest []byte) ([]byte, error)
}
