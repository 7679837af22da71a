package store

import (
	"fmt"
	"testing"
	"time"

	"temporal-sync/bench/cloud-source/internal/gen"
	"temporal-sync/bench/cloud-source/internal/query"
)

func testProfile(n int) gen.Profile {
	return gen.Profile{
		Namespace: "unit", Seed: 7, Executions: n,
		End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Span: 48 * time.Hour,
		OpenShare: 0.05, ClosedMix: gen.DefaultClosedMix(), WorkflowTypes: 12, TaskQueues: 4,
		ChildShare: 0.1, ContinuationShare: 0.06, ScheduledShare: 0.1, Schedules: 20,
		MaxDuration: 36 * time.Hour, Retention: 720 * time.Hour,
	}
}

func newTestNamespace(t *testing.T, n int) *Namespace {
	t.Helper()
	g, err := gen.New(testProfile(n))
	if err != nil {
		t.Fatal(err)
	}
	return New(g, nil)
}

// reference answers a query by looking at every row: what List and Count must agree with.
func reference(ns *Namespace, q *query.Query) []int {
	var matched []int
	for i := ns.total() - 1; i >= ns.first; i-- {
		c := ns.core(i)
		if q.Where == nil || q.Where.Match(&rowView{ns: ns, c: c}) {
			matched = append(matched, i)
		}
	}
	return matched
}

func listAll(ns *Namespace, q *query.Query, pageSize int) (indices []int, pages int) {
	below := -1
	for {
		cores, next, more := ns.List(q, below, pageSize)
		pages++
		for _, c := range cores {
			indices = append(indices, c.Index)
		}
		if !more {
			return indices, pages
		}
		below = next
	}
}

func rfc(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

func queriesFor(ns *Namespace) []string {
	g := ns.gen
	mid := ns.startOf(ns.total() / 2)
	quarter := ns.startOf(ns.total() / 4)
	some := ns.core(ns.total() / 3)
	closed := ns.core(101)
	for closed.Close == 0 {
		closed = ns.core(closed.Index + 1)
	}
	return []string{
		"",
		"ExecutionStatus = 'Running'",
		fmt.Sprintf("ExecutionStatus = 'Running' OR CloseTime >= '%s'", rfc(mid)),
		fmt.Sprintf("StartTime >= '%s' AND StartTime < '%s'", rfc(quarter), rfc(mid)),
		fmt.Sprintf("(ExecutionStatus = 'Running' OR CloseTime >= '%s') AND StartTime >= '%s' AND StartTime < '%s'", rfc(mid), rfc(quarter), rfc(mid)),
		"ExecutionStatus != 'Completed'",
		"ExecutionStatus IN ('Failed', 'Canceled', 'ContinuedAsNew')",
		"ExecutionStatus NOT IN ('Completed', 'Running')",
		"WorkflowType = 'PaymentCapture' AND ExecutionStatus = 'Failed'",
		fmt.Sprintf("WorkflowId = '%s'", g.WorkflowIDOf(some)),
		fmt.Sprintf("WorkflowId = '%s' AND RunId = '%s'", g.WorkflowIDOf(some), g.RunID(some.Index)),
		"TemporalScheduledById = 'sched-order-fulfillment-000' OR TemporalScheduledById = 'sched-invoice-generation-001'",
		"TemporalScheduledById IS NOT NULL AND CloseTime IS NULL",
		fmt.Sprintf("CloseTime BETWEEN '%s' AND '%s'", rfc(quarter), rfc(mid)),
		"CloseTime IS NULL",
		fmt.Sprintf("CloseTime = '%s'", rfc(closed.Close)),
		fmt.Sprintf("StartTime = '%s'", rfc(some.Start)),
		fmt.Sprintf("CloseTime != '%s'", rfc(closed.Close)),
		fmt.Sprintf("StartTime <= '%s' OR StartTime > '%s'", rfc(quarter), rfc(mid)),
		fmt.Sprintf("CloseTime < '%s' AND CloseTime > '%s'", rfc(mid), rfc(quarter)),
		"WorkflowId STARTS_WITH 'order-fulfillment-1'",
		"WorkflowType = 'NoSuchType'",
		"TaskQueue IN ('orders', 'payments') AND ExecutionStatus = 'TimedOut'",
	}
}

func checkQueries(t *testing.T, ns *Namespace) {
	t.Helper()
	for _, text := range queriesFor(ns) {
		q, err := query.Parse(text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		want := reference(ns, q)
		got, pages := listAll(ns, q, 333)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: listed %d rows, reference has %d", text, len(got), len(want))
		}
		if len(want)%333 == 0 && pages != len(want)/333+1 {
			t.Errorf("%q: a listing ending on a full page must add one empty page (pages=%d, rows=%d)", text, pages, len(want))
		}
		total, byStatus := ns.Count(q)
		var sum int64
		for _, n := range byStatus {
			sum += n
		}
		if total != int64(len(want)) || sum != total {
			t.Errorf("%q: counted %d (groups sum %d), reference has %d", text, total, sum, len(want))
		}
	}
}

func TestListAndCountAgreeWithAScanOfEveryRow(t *testing.T) {
	ns := newTestNamespace(t, 20_000)
	checkQueries(t, ns)
}

func TestMutationsKeepListAndCountExact(t *testing.T) {
	ns := newTestNamespace(t, 20_000)
	openBefore := ns.Summary().Open
	at := ns.EarliestMutation() + int64(time.Minute)
	result, err := ns.Mutate(Mutation{Close: 100, Start: 2_100, At: at})
	if err != nil {
		t.Fatal(err)
	}
	if result.Closed != 100 || result.Started != 2_100 {
		t.Fatalf("mutation result %+v", result)
	}
	q, _ := query.Parse(fmt.Sprintf("CloseTime >= '%s'", rfc(at)))
	if total, _ := ns.Count(q); total != 100 {
		t.Fatalf("closed at the mutation time: %d, want 100", total)
	}
	checkQueries(t, ns)
	if result, err = ns.Mutate(Mutation{Expire: 3_000, At: ns.EarliestMutation()}); err != nil || result.Expired != 3_000 {
		t.Fatalf("expire: %+v %v", result, err)
	}
	if s := ns.Summary(); s.Visible != 20_000+2_100-3_000 {
		t.Fatalf("visible %d", s.Visible)
	}
	q, _ = query.Parse("ExecutionStatus = 'Running'")
	expiredOpen := ns.openBelow(3_000)
	if total, _ := ns.Count(q); total != int64(openBefore-100+2_100-expiredOpen) {
		t.Fatalf("running after mutation: %d", total)
	}
	checkQueries(t, ns)
	if _, err := ns.Mutate(Mutation{Close: 1, At: at}); err == nil {
		t.Fatal("a mutation before the last start must be refused")
	}
}

func TestSameSeedSameData(t *testing.T) {
	a, b := newTestNamespace(t, 5_000), newTestNamespace(t, 5_000)
	for _, i := range []int{0, 1, 777, 4_999} {
		ra, rb := a.gen.Record(a.core(i)), b.gen.Record(b.core(i))
		if ra.String() != rb.String() {
			t.Fatalf("record %d differs between two namespaces with the same profile", i)
		}
	}
}

func TestFindByWorkflowID(t *testing.T) {
	ns := newTestNamespace(t, 20_000)
	for _, i := range []int{0, 5, 1234, 19_999} {
		c := ns.core(i)
		id := ns.gen.WorkflowIDOf(c)
		found, ok := ns.Find(id, ns.gen.RunID(i))
		if !ok || found.Index != i {
			t.Fatalf("run %d (%s) not found by its IDs", i, id)
		}
		latest, ok := ns.Find(id, "")
		if !ok || latest.Index < i || ns.gen.WorkflowIDOf(latest) != id {
			t.Fatalf("latest run of %s: %v %v", id, latest.Index, ok)
		}
	}
}
