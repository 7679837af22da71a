package query

import "fmt"

// The server's wording, so messages read the same as a real Temporal's.
const (
	MalformedQuery    = "malformed SQL query"
	NotSupported      = "operation is not supported"
	InvalidExpression = "invalid expression"
)

// Error is a query the source rejects; the service answers it as INVALID_ARGUMENT "invalid query: …".
type Error struct{ message string }

func (e *Error) Error() string { return e.message }

func newError(format string, args ...any) error { return &Error{message: fmt.Sprintf(format, args...)} }
