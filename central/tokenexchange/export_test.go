package tokenexchange

import bk "github.com/borgerkiosk/borgerkiosk"

// PairwiseSubject is the sub k gives tokens about cpr for client.
func PairwiseSubject(k *KeyRing, client string, cpr bk.CPR) string {
	return k.pairwiseSubject(client, cpr)
}
