package query

import (
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
)

// Row is one execution as a query sees it.
type Row interface {
	Status() enumspb.WorkflowExecutionStatus
	StartNanos() int64
	CloseNanos() int64 // 0 while open: no close time
	Keyword(Field) (string, bool)
}

// Expr is a parsed condition. Match decides one row; Decide decides a whole block of rows from
// their bounds (see decide.go), which is what keeps counting and sparse listing cheap.
type Expr interface {
	Match(Row) bool
	Decide(*Bounds) Tri
}

type op int

const (
	opEq op = iota
	opNe
	opLt
	opLe
	opGt
	opGe
	opStartsWith
)

var operators = map[string]op{"=": opEq, "!=": opNe, "<": opLt, "<=": opLe, ">": opGt, ">=": opGe}

type andExpr struct{ left, right Expr }
type orExpr struct{ left, right Expr }

type compareExpr struct {
	info fieldInfo
	op   op
	v    value
}

type inExpr struct {
	info   fieldInfo
	values []value
	negate bool
}

type betweenExpr struct {
	info   fieldInfo
	lo, hi value
}

type nullExpr struct {
	info   fieldInfo
	negate bool // IS NOT NULL
}

func (e andExpr) Match(r Row) bool { return e.left.Match(r) && e.right.Match(r) }
func (e orExpr) Match(r Row) bool  { return e.left.Match(r) || e.right.Match(r) }

func isOpen(s enumspb.WorkflowExecutionStatus) bool {
	return s == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || s == enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED
}

// timeOf a row's datetime field; false when the row has none (an open run's close time).
func timeOf(r Row, f Field) (int64, bool) {
	if f == StartTime {
		return r.StartNanos(), true
	}
	close := r.CloseNanos()
	return close, close != 0
}

func compareOrdered[T int64 | string](o op, a, b T) bool {
	switch o {
	case opEq:
		return a == b
	case opNe:
		return a != b
	case opLt:
		return a < b
	case opLe:
		return a <= b
	case opGt:
		return a > b
	case opGe:
		return a >= b
	}
	return false
}

// Match follows SQL: a comparison with a missing value (an open run's CloseTime, an absent
// TemporalScheduledById) is false, whatever the operator.
func (e compareExpr) Match(r Row) bool {
	switch e.info.kind {
	case kindStatus:
		return compareOrdered(e.op, int64(r.Status()), int64(e.v.status))
	case kindDatetime:
		t, ok := timeOf(r, e.info.field)
		return ok && compareOrdered(e.op, t, e.v.nanos)
	}
	k, ok := r.Keyword(e.info.field)
	if !ok {
		return false
	}
	if e.op == opStartsWith {
		return strings.HasPrefix(k, e.v.keyword)
	}
	return compareOrdered(e.op, k, e.v.keyword)
}

func (e inExpr) Match(r Row) bool {
	for _, v := range e.values {
		c := compareExpr{info: e.info, op: opEq, v: v}
		if c.Match(r) {
			return !e.negate
		}
	}
	if e.negate {
		// NOT IN on a missing value is false too.
		return nullExpr{info: e.info, negate: true}.Match(r)
	}
	return false
}

func (e betweenExpr) Match(r Row) bool {
	t, ok := timeOf(r, e.info.field)
	return ok && t >= e.lo.nanos && t <= e.hi.nanos
}

func (e nullExpr) Match(r Row) bool {
	var present bool
	switch e.info.kind {
	case kindDatetime:
		_, present = timeOf(r, e.info.field)
	case kindKeyword:
		_, present = r.Keyword(e.info.field)
	default:
		present = true
	}
	return present == e.negate
}
