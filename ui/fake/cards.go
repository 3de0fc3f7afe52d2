package fake

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"sort"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// Card is a card that can be put in the fake slot. Its private key never
// leaves it; it signs after a correct PIN, until it is taken out.
type Card struct {
	Cert    *bk.Certificate
	encoded []byte
	key     ed25519.PrivateKey
	pin     string
	tries   int
	authed  bool
}

// TriesLeft returns how many wrong PINs the card still accepts.
func (c *Card) TriesLeft() int { return c.tries }

// NewCard issues a citizen card (staffID "") or a staff card, valid for a
// year either side of now, with the given PIN.
func (k *Kiosk) NewCard(name, cpr, staffID, pin string) *Card {
	now := k.now()
	return k.issue(name, cpr, staffID, pin, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), k.issuer)
}

// NewExpiredCard issues a card whose validity ended yesterday.
func (k *Kiosk) NewExpiredCard(name, cpr, pin string) *Card {
	now := k.now()
	return k.issue(name, cpr, "", pin, now.AddDate(-3, 0, 0), now.AddDate(0, 0, -1), k.issuer)
}

// NewForeignCard issues a card from an issuer the kiosk does not trust.
func (k *Kiosk) NewForeignCard(name, cpr, pin string) *Card {
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	now := k.now()
	return k.issue(name, cpr, "", pin, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), other)
}

func (k *Kiosk) issue(name, cpr, staffID, pin string, from, to time.Time, issuer ed25519.PrivateKey) *Card {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	k.mu.Lock()
	k.serial++
	serial := fmt.Sprintf("CARD-%04d", k.serial)
	k.mu.Unlock()
	role := bk.RoleCitizen
	if staffID != "" {
		role = bk.RoleStaff
	}
	c := &bk.Certificate{Serial: serial, CPR: bk.MustParseCPR(cpr), Name: name, Role: role, StaffID: staffID,
		NotBefore: from.UTC().Truncate(time.Second), NotAfter: to.UTC().Truncate(time.Second), CardKey: pub}
	bk.SignCertificate(c, issuer)
	return &Card{Cert: c, encoded: c.Encode(), key: key, pin: pin, tries: maxTries}
}

// RevokeCard puts the card on the revocation list of the kiosk's trust
// bundle and of central.
func (k *Kiosk) RevokeCard(c *Card) {
	k.mu.Lock()
	k.bundle.Revoked = append(k.bundle.Revoked, c.Cert.Serial)
	k.centralRevoked[c.Cert.Serial] = true
	k.mu.Unlock()
}

// RevokeAtCentral revokes the card at central only: the kiosk learns of it
// when actions signed with it are rejected at the next sync.
func (k *Kiosk) RevokeAtCentral(c *Card) {
	k.mu.Lock()
	k.centralRevoked[c.Cert.Serial] = true
	k.mu.Unlock()
}

// Insert puts c in the slot (taking out any card there first).
func (k *Kiosk) Insert(c *Card) {
	k.mu.Lock()
	prev := k.slot
	k.mu.Unlock()
	if prev != nil {
		k.Remove()
	}
	k.mu.Lock()
	k.slot = c
	k.mu.Unlock()
	k.emitCard(bk.CardInserted)
}

// Remove takes the card out; the card forgets its authentication.
func (k *Kiosk) Remove() {
	k.mu.Lock()
	if k.slot == nil {
		k.mu.Unlock()
		return
	}
	k.slot.authed = false
	k.slot = nil
	cur := k.current
	k.current = nil
	k.mu.Unlock()
	// Like the real kiosk service, the session ends before anyone hears of
	// the removal.
	if cur != nil {
		cur.Close()
	}
	k.emitCard(bk.CardRemoved)
}

// Scan delivers code as if read by the QR scanner.
func (k *Kiosk) Scan(code string) {
	for _, e := range k.events() {
		if e.Scan != nil {
			e.Scan(code)
		}
	}
}

func (k *Kiosk) events() []bk.Events {
	k.mu.Lock()
	defer k.mu.Unlock()
	ids := make([]int, 0, len(k.subs))
	for id := range k.subs {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	out := make([]bk.Events, 0, len(ids))
	for _, id := range ids {
		out = append(out, k.subs[id])
	}
	return out
}

func (k *Kiosk) emitCard(e bk.CardEvent) {
	for _, s := range k.events() {
		if s.Card != nil {
			s.Card(e)
		}
	}
}

func (k *Kiosk) emitStatus() {
	st := k.Status()
	for _, s := range k.events() {
		if s.Status != nil {
			s.Status(st)
		}
	}
}
