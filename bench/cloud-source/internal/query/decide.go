package query

import enumspb "go.temporal.io/api/enums/v1"

// Tri is a decision about every row of a block at once.
type Tri int8

const (
	No    Tri = iota // no row matches
	Yes              // every row matches
	Maybe            // look at the rows
)

// KeywordBounds says whether a block can hold a row with that keyword (false: surely not).
type KeywordBounds interface {
	MayHave(f Field, value string) bool
}

// Bounds describe the rows of one status in a block: their start and close times lie within
// these ranges; keywords are checked through Keywords (nil: anything may be there).
type Bounds struct {
	Status             enumspb.WorkflowExecutionStatus
	StartMin, StartMax int64
	CloseMin, CloseMax int64
	Keywords           KeywordBounds
}

func (b *Bounds) mayHave(f Field, v string) bool {
	return b.Keywords == nil || b.Keywords.MayHave(f, v)
}

func not(t Tri) Tri {
	switch t {
	case Yes:
		return No
	case No:
		return Yes
	}
	return Maybe
}

func (e andExpr) Decide(b *Bounds) Tri {
	l := e.left.Decide(b)
	if l == No {
		return No
	}
	r := e.right.Decide(b)
	if r == No {
		return No
	}
	if l == Yes && r == Yes {
		return Yes
	}
	return Maybe
}

func (e orExpr) Decide(b *Bounds) Tri {
	l := e.left.Decide(b)
	if l == Yes {
		return Yes
	}
	r := e.right.Decide(b)
	if r == Yes {
		return Yes
	}
	if l == No && r == No {
		return No
	}
	return Maybe
}

func exact(match bool) Tri {
	if match {
		return Yes
	}
	return No
}

// decideRange: does every / no value in [lo, hi] satisfy `x op v`?
func decideRange(o op, lo, hi, v int64) Tri {
	switch o {
	case opEq:
		if v < lo || v > hi {
			return No
		}
		if lo == hi {
			return Yes
		}
	case opNe:
		return not(decideRange(opEq, lo, hi, v))
	case opLt:
		return orMaybe(hi < v, lo >= v)
	case opLe:
		return orMaybe(hi <= v, lo > v)
	case opGt:
		return orMaybe(lo > v, hi <= v)
	case opGe:
		return orMaybe(lo >= v, hi < v)
	}
	return Maybe
}

func orMaybe(all, none bool) Tri {
	switch {
	case all:
		return Yes
	case none:
		return No
	}
	return Maybe
}

// timeRange of a datetime field over the block; false when the rows have no value (open runs' CloseTime).
func (b *Bounds) timeRange(f Field) (lo, hi int64, ok bool) {
	if f == StartTime {
		return b.StartMin, b.StartMax, true
	}
	if isOpen(b.Status) {
		return 0, 0, false
	}
	return b.CloseMin, b.CloseMax, true
}

func (e compareExpr) Decide(b *Bounds) Tri {
	switch e.info.kind {
	case kindStatus:
		return exact(compareOrdered(e.op, int64(b.Status), int64(e.v.status)))
	case kindDatetime:
		lo, hi, ok := b.timeRange(e.info.field)
		if !ok {
			return No
		}
		return decideRange(e.op, lo, hi, e.v.nanos)
	}
	switch {
	case e.op == opEq && !b.mayHave(e.info.field, e.v.keyword):
		return No
	case e.op == opNe && !b.mayHave(e.info.field, e.v.keyword) && !e.info.nullable:
		return Yes
	}
	return Maybe
}

func (e inExpr) Decide(b *Bounds) Tri {
	decision := No
	for _, v := range e.values {
		switch (compareExpr{info: e.info, op: opEq, v: v}).Decide(b) {
		case Yes:
			decision = Yes
		case Maybe:
			if decision == No {
				decision = Maybe
			}
		}
	}
	if !e.negate {
		return decision
	}
	if e.info.nullable && decision == No && e.info.kind != kindStatus {
		// NOT IN is false on rows without a value; whether the block has some is not known here.
		return nullExpr{info: e.info, negate: true}.Decide(b)
	}
	return not(decision)
}

func (e betweenExpr) Decide(b *Bounds) Tri {
	lo, hi, ok := b.timeRange(e.info.field)
	if !ok {
		return No
	}
	if e.lo.nanos > e.hi.nanos || hi < e.lo.nanos || lo > e.hi.nanos {
		return No
	}
	return orMaybe(lo >= e.lo.nanos && hi <= e.hi.nanos, false)
}

func (e nullExpr) Decide(b *Bounds) Tri {
	switch {
	case e.info.field == CloseTime:
		return exact(isOpen(b.Status) != e.negate)
	case !e.info.nullable:
		return exact(e.negate)
	}
	return Maybe
}
