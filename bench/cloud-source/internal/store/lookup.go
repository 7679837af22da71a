package store

import "temporal-sync/bench/cloud-source/internal/gen"

// Find the run with this workflow ID and run ID; with no run ID, the workflow's latest run.
func (ns *Namespace) Find(workflowID, runID string) (gen.Core, bool) {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	r := ns.candidatesForID(workflowID)
	for i := r.hi - 1; i >= max(r.lo, ns.first); i-- {
		c := ns.core(i)
		if ns.gen.WorkflowIDOf(c) == workflowID && (runID == "" || ns.gen.RunID(i) == runID) {
			return c, true
		}
	}
	return gen.Core{}, false
}
