package store

import (
	enumspb "go.temporal.io/api/enums/v1"

	"temporal-sync/bench/cloud-source/internal/gen"
	"temporal-sync/bench/cloud-source/internal/query"
)

// decisions for one block: per status, whether none, all or some of its rows match.
type decisions [numStatuses]query.Tri

// onlyOpenMaybe is true when the rows to look at are all open ones (the sparse list serves them).
func (d *decisions) onlyOpen() bool {
	for s, t := range d {
		if t != query.No && !gen.IsOpen(enumspb.WorkflowExecutionStatus(s)) {
			return false
		}
	}
	return true
}

func (d *decisions) none() bool {
	for _, t := range d {
		if t != query.No {
			return false
		}
	}
	return true
}

func (ns *Namespace) decide(where query.Expr, b *block, kb *keywordBounds) decisions {
	var d decisions
	kb.lo, kb.hi = b.lo, b.hi
	for s := range d {
		if b.counts[s] == 0 {
			d[s] = query.No
			continue
		}
		if where == nil {
			d[s] = query.Yes
			continue
		}
		bounds := query.Bounds{
			Status:   enumspb.WorkflowExecutionStatus(s),
			StartMin: b.startMin, StartMax: b.startMax,
			CloseMin: b.closeMin, CloseMax: b.closeMax,
			Keywords: kb,
		}
		d[s] = where.Decide(&bounds)
	}
	return d
}

// matches says whether row i (already decided "maybe" or "yes" by its block) matches.
func (ns *Namespace) matches(where query.Expr, d *decisions, c gen.Core) bool {
	switch d[c.Status] {
	case query.Yes:
		return true
	case query.Maybe:
		return where.Match(&rowView{ns: ns, c: c})
	}
	return false
}
