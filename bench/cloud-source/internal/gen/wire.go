package gen

import "google.golang.org/protobuf/encoding/protowire"

// encoder writes protobuf wire format directly. A page of executions built this way costs a
// fraction of building proto structs and marshalling them (maps of payloads dominate that), which
// is what keeps the source far from being a bench's limit.
type encoder struct {
	b     []byte
	stack []int
}

func (e *encoder) tag(field protowire.Number, t protowire.Type) {
	e.b = protowire.AppendTag(e.b, field, t)
}

func (e *encoder) bytes(field protowire.Number, v []byte) {
	e.tag(field, protowire.BytesType)
	e.b = protowire.AppendBytes(e.b, v)
}

func (e *encoder) string(field protowire.Number, v string) {
	if v == "" {
		return
	}
	e.tag(field, protowire.BytesType)
	e.b = protowire.AppendString(e.b, v)
}

func (e *encoder) varint(field protowire.Number, v uint64) {
	if v == 0 {
		return
	}
	e.tag(field, protowire.VarintType)
	e.b = protowire.AppendVarint(e.b, v)
}

// begin a nested message; its length is written by end.
func (e *encoder) begin(field protowire.Number) {
	e.tag(field, protowire.BytesType)
	e.b = append(e.b, 0)
	e.stack = append(e.stack, len(e.b))
}

func (e *encoder) end() {
	start := e.stack[len(e.stack)-1]
	e.stack = e.stack[:len(e.stack)-1]
	length := len(e.b) - start
	size := protowire.SizeVarint(uint64(length))
	if size > 1 {
		// The one byte reserved is too small: make room and move the body up.
		e.b = append(e.b, make([]byte, size-1)...)
		copy(e.b[start+size-1:], e.b[start:start+length])
	}
	protowire.AppendVarint(e.b[:start-1], uint64(length))
}

// timestamp (or duration: the same fields) in Unix nanoseconds.
func (e *encoder) timestamp(field protowire.Number, ns int64) {
	e.begin(field)
	e.varint(1, uint64(ns/1e9))
	e.varint(2, uint64(ns%1e9))
	e.end()
}

func (e *encoder) execution(field protowire.Number, workflowID, runID string) {
	e.begin(field)
	e.string(1, workflowID)
	e.string(2, runID)
	e.end()
}
