package gen

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	workflowpb "go.temporal.io/api/workflow/v1"
)

func benchProfile() Profile {
	return Profile{
		Namespace: "b", Seed: 1, Executions: 1_000_000,
		End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Span: 720 * time.Hour,
		OpenShare: 0.01, ClosedMix: DefaultClosedMix(), WorkflowTypes: 12, TaskQueues: 4,
		ChildShare: 0.1, ContinuationShare: 0.05, ScheduledShare: 0.1, Schedules: 200,
		MaxDuration: 36 * time.Hour, Retention: 720 * time.Hour,
	}
}

// The wire form decodes to a record that re-encodes to the same bytes: the hand-written encoder
// writes valid protobuf, with every field where proto's own marshalling puts it.
func TestWireFormRoundTrips(t *testing.T) {
	g, _ := New(benchProfile())
	for i := 0; i < 20_000; i++ {
		c := g.Core(i)
		info := g.Record(c)
		again, err := proto.Marshal(info)
		if err != nil {
			t.Fatal(err)
		}
		decoded := &workflowpb.WorkflowExecutionInfo{}
		if err := proto.Unmarshal(again, decoded); err != nil || !proto.Equal(decoded, info) {
			t.Fatalf("row %d does not survive a round trip: %v", i, err)
		}
		if info.GetExecution().GetWorkflowId() != g.WorkflowIDOf(c) || info.GetStartTime().AsTime().UnixNano() != c.Start {
			t.Fatalf("row %d: record and core disagree", i)
		}
	}
}

func BenchmarkCore(b *testing.B) {
	g, _ := New(benchProfile())
	for i := 0; i < b.N; i++ {
		g.Core(i % 1_000_000)
	}
}

// A listing row as the server builds it: core, then wire form.
func BenchmarkAppendExecution(b *testing.B) {
	g, _ := New(benchProfile())
	var w Writer
	for i := 0; i < b.N; i++ {
		if i%1000 == 0 {
			w.e.b = w.e.b[:0]
		}
		g.AppendExecution(&w, 1, g.Core(i%1_000_000))
	}
}
