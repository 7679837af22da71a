package gen

import (
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	workflowpb "go.temporal.io/api/workflow/v1"
)

// Field numbers of temporal.api.workflow.v1.WorkflowExecutionInfo.
const (
	fieldExecution            = 1
	fieldType                 = 2
	fieldStartTime            = 3
	fieldCloseTime            = 4
	fieldStatus               = 5
	fieldHistoryLength        = 6
	fieldParentNamespaceID    = 7
	fieldParentExecution      = 8
	fieldExecutionTime        = 9
	fieldMemo                 = 10
	fieldSearchAttributes     = 11
	fieldTaskQueue            = 13
	fieldStateTransitionCount = 14
	fieldHistorySizeBytes     = 15
	fieldExecutionDuration    = 17
	fieldRootExecution        = 18
	fieldFirstRunID           = 21
)

// Writer builds executions in wire form; one per page (or per goroutine), reused row after row.
type Writer struct {
	e      encoder
	fields fields
}

// TypicalRecordBytes is a little more than an average execution's wire size (about 935 bytes).
const TypicalRecordBytes = 1024

// NewWriter with room for `capacity` bytes: a page grown from nothing would be copied a dozen times.
func NewWriter(capacity int) *Writer { return &Writer{e: encoder{b: make([]byte, 0, capacity)}} }

// Bytes written so far.
func (w *Writer) Bytes() []byte { return w.e.b }

// head of c's chain and that head's start time.
func (g *Generator) headOf(c Core) (int, int64) {
	if c.Index >= g.p.Executions || c.Role != RoleContinuation {
		return c.Index, c.Start
	}
	head := g.chainHead(c.Index)
	return head, g.tl.at(head)
}

// refID is the workflow ID of generated index i, for parent and root links.
func (g *Generator) refID(i int) string {
	head := g.chainHead(i)
	typ, queue, schedule := g.shape(head, g.role(head))
	return g.WorkflowID(Core{Index: i, Type: typ, Queue: queue, Schedule: schedule}, head, g.tl.at(head))
}

// AppendExecution writes c as field `number` of the message being built (a listing's
// `executions`). Counters (history length and size, state transitions, duration) are those of a
// closed run; a running one reports none, as visibility writes them only on close.
func (g *Generator) AppendExecution(w *Writer, number protowire.Number, c Core) {
	w.e.begin(number)
	g.writeRecord(w, c)
	w.e.end()
}

func (g *Generator) writeRecord(w *Writer, c Core) {
	e := &w.e
	head, headStart := g.headOf(c)
	workflowID, runID := g.WorkflowID(c, head, headStart), g.RunID(c.Index)
	e.execution(fieldExecution, workflowID, runID)
	e.begin(fieldType)
	e.string(1, g.names.types[c.Type])
	e.end()
	e.timestamp(fieldStartTime, c.Start)
	e.varint(fieldStatus, uint64(c.Status))
	e.timestamp(fieldExecutionTime, c.Start)
	g.memo(&w.fields, c.Index)
	w.fields.encode(e, fieldMemo)
	g.searchAttributes(&w.fields, c, headStart)
	w.fields.encode(e, fieldSearchAttributes)
	e.string(fieldTaskQueue, g.names.queues[c.Queue])
	if c.Close != 0 {
		g.closedCounters(e, c)
	}
	g.lineage(e, c.Index, workflowID, runID)
}

func (g *Generator) lineage(e *encoder, i int, workflowID, runID string) {
	first, parent, root := i, -1, i
	if i < g.p.Executions {
		first, parent, root = g.firstRun(i), g.parent(i), g.root(i)
	}
	if parent >= 0 {
		e.string(fieldParentNamespaceID, g.namespaceID)
		e.execution(fieldParentExecution, g.refID(parent), g.RunID(parent))
	}
	if root != i {
		e.execution(fieldRootExecution, g.refID(root), g.RunID(root))
	} else {
		e.execution(fieldRootExecution, workflowID, runID)
	}
	if first != i {
		e.string(fieldFirstRunID, g.RunID(first))
	} else {
		e.string(fieldFirstRunID, runID)
	}
}

func (g *Generator) closedCounters(e *encoder, c Core) {
	d := newDraws(g.salt, c.Index, streamCounters)
	length := 8 + int64(expUnit(d.unit())*5000)
	e.timestamp(fieldCloseTime, c.Close)
	e.varint(fieldHistoryLength, uint64(length))
	e.varint(fieldHistorySizeBytes, uint64(length*int64(180+d.below(420))))
	e.varint(fieldStateTransitionCount, uint64(length/2+3))
	e.timestamp(fieldExecutionDuration, c.Close-c.Start)
}

// Record is the execution as a proto struct (describe, tests): the wire form, decoded.
func (g *Generator) Record(c Core) *workflowpb.WorkflowExecutionInfo {
	var w Writer
	g.writeRecord(&w, c)
	info := &workflowpb.WorkflowExecutionInfo{}
	if err := proto.Unmarshal(w.Bytes(), info); err != nil {
		panic(err) // the writer produced invalid wire format: a bug here, not bad input
	}
	return info
}

// WorkflowIDOf the execution c.
func (g *Generator) WorkflowIDOf(c Core) string {
	head, headStart := g.headOf(c)
	return g.WorkflowID(c, head, headStart)
}
