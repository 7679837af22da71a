package service

import (
	"encoding/binary"
	"hash/crc32"

	"go.temporal.io/api/serviceerror"
)

// A page token is opaque to clients: a version byte, the keyset position, and a checksum so a
// token from elsewhere is refused rather than misread.
const tokenVersion = 1

func encodeToken(position int) []byte {
	b := make([]byte, 13)
	b[0] = tokenVersion
	binary.BigEndian.PutUint64(b[1:9], uint64(position))
	binary.BigEndian.PutUint32(b[9:], crc32.ChecksumIEEE(b[:9]))
	return b
}

// decodeToken gives -1 for no token (the first page).
func decodeToken(token []byte) (int, error) {
	if len(token) == 0 {
		return -1, nil
	}
	if len(token) != 13 || token[0] != tokenVersion || binary.BigEndian.Uint32(token[9:]) != crc32.ChecksumIEEE(token[:9]) {
		return 0, serviceerror.NewInvalidArgument("invalid page token")
	}
	position := binary.BigEndian.Uint64(token[1:9])
	if position > 1<<40 {
		return 0, serviceerror.NewInvalidArgument("invalid page token")
	}
	return int(position), nil
}
