package store

import (
	"temporal-sync/bench/cloud-source/internal/gen"
	"temporal-sync/bench/cloud-source/internal/query"
)

// scan visits the matching rows in [lo, hi) of one block, highest index first, until visit
// returns false (then scan does too). When only open rows can match it walks the sparse list of
// open executions instead of the whole block.
func (ns *Namespace) scan(where query.Expr, d *decisions, lo, hi int, visit func(gen.Core) bool) bool {
	if d.onlyOpen() {
		for k := ns.openBelow(hi) - 1; k >= 0 && int(ns.open[k]) >= lo; k-- {
			c := ns.core(int(ns.open[k]))
			if ns.matches(where, d, c) && !visit(c) {
				return false
			}
		}
		return true
	}
	for i := hi - 1; i >= lo; i-- {
		c := ns.core(i)
		if ns.matches(where, d, c) && !visit(c) {
			return false
		}
	}
	return true
}

// List returns up to limit matching executions with an index below `below` (-1: from the newest),
// newest first: a keyset scan, so a page token is just the last index served. more is true when
// the page is full, even if nothing follows (the next page is then empty, as on a real server).
func (ns *Namespace) List(q *query.Query, below, limit int) (cores []gen.Core, next int, more bool) {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	if below < 0 || below > ns.total() {
		below = ns.total()
	}
	kb := newKeywordBounds(ns)
	cores = make([]gen.Core, 0, min(limit, 1024))
	for b := (below - 1) / BlockSize; b >= 0 && below > 0; b-- {
		blk := &ns.blocks[b]
		lo, hi := max(blk.lo, ns.first), min(blk.hi, below)
		if lo >= hi {
			if blk.hi <= ns.first {
				break
			}
			continue
		}
		d := ns.decide(q.Where, blk, kb)
		if d.none() {
			continue
		}
		full := !ns.scan(q.Where, &d, lo, hi, func(c gen.Core) bool {
			cores = append(cores, c)
			return len(cores) < limit
		})
		if full {
			return cores, cores[len(cores)-1].Index, true
		}
	}
	return cores, 0, false
}

// Count of matching executions, in total and per status.
func (ns *Namespace) Count(q *query.Query) (total int64, byStatus [numStatuses]int64) {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	kb := newKeywordBounds(ns)
	for b := range ns.blocks {
		blk := &ns.blocks[b]
		if blk.hi <= ns.first {
			continue
		}
		d := ns.decide(q.Where, blk, kb)
		if d.none() {
			continue
		}
		lo := max(blk.lo, ns.first)
		if lo == blk.lo {
			// Whole statuses that surely match are counted from the summary; only "maybe" rows are looked at.
			for s, t := range d {
				if t == query.Yes {
					byStatus[s] += int64(blk.counts[s])
					d[s] = query.No
				}
			}
			if d.none() {
				continue
			}
		}
		ns.scan(q.Where, &d, lo, blk.hi, func(c gen.Core) bool {
			byStatus[c.Status]++
			return true
		})
	}
	for _, n := range byStatus {
		total += n
	}
	return total, byStatus
}
