package gen

// parent of execution i, or -1. A child's parent is an earlier run of its group; a continuation
// keeps the parent of the run it continues (as continue-as-new does).
func (g *Generator) parent(i int) int {
	if i >= g.p.Executions {
		return -1
	}
	switch g.role(i) {
	case RoleChild:
		start := i - i%GroupSize
		d := newDraws(g.salt, i, streamRole)
		d.next()
		return start + d.below(i-start)
	case RoleContinuation:
		return g.parent(i - 1)
	}
	return -1
}

// root of execution i: the top of its parent chain; a top-level run is its own root.
func (g *Generator) root(i int) int {
	for {
		p := g.parent(i)
		if p < 0 {
			return i
		}
		i = p
	}
}

// firstRun of i's continue-as-new chain.
func (g *Generator) firstRun(i int) int {
	if i >= g.p.Executions {
		return i
	}
	return g.chainHead(i)
}
