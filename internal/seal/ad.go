package seal

import "encoding/binary"

// Associated data names where a ciphertext belongs. Each part is length-prefixed so that
// ("ab","c") and ("a","bc") can never produce the same bytes, and each purpose has its own
// label so a wrapped key can never be opened as a field or the other way round.
const (
	labelField   = "kinko/field/v1"
	labelDEK     = "kinko/dek/v1"
	labelShopKey = "kinko/shopkey/v1"
)

func ad(label string, version uint32, parts ...string) []byte {
	n := len(label) + 1 + 4
	for _, p := range parts {
		n += 2 + len(p)
	}
	b := make([]byte, 0, n)
	b = append(b, label...)
	b = append(b, 0)
	for _, p := range parts {
		b = binary.BigEndian.AppendUint16(b, uint16(len(p)))
		b = append(b, p...)
	}
	return binary.BigEndian.AppendUint32(b, version)
}

// FieldAD binds a field ciphertext to its shop, customer, field name and the version of the
// customer's data key.
func FieldAD(shop, customer, field string, dekVersion uint32) []byte {
	return ad(labelField, dekVersion, shop, customer, field)
}

// DEKAD binds a wrapped customer data key to its shop, customer and master key version.
func DEKAD(shop, customer string, masterVersion uint32) []byte {
	return ad(labelDEK, masterVersion, shop, customer)
}

// ShopKeyAD binds a wrapped shop root key to its shop and master key version.
func ShopKeyAD(shop string, masterVersion uint32) []byte {
	return ad(labelShopKey, masterVersion, shop)
}
