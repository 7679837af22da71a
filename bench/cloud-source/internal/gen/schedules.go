package gen

import (
	"strconv"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var intervals = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}
var catchupWindows = []time.Duration{time.Minute, 5 * time.Minute, time.Hour, 365 * 24 * time.Hour}

// ScheduleDescription is what DescribeSchedule answers for schedule k: an interval or a calendar
// spec, a start-workflow action with input, retry and timeouts, policies, state, and counters and
// recent actions as if it had fired since its creation until the end of the span.
type ScheduleDescription struct {
	Schedule         *schedulepb.Schedule
	Info             *schedulepb.ScheduleInfo
	Memo             *commonpb.Memo
	SearchAttributes *commonpb.SearchAttributes
}

type scheduleShape struct {
	k        int
	interval time.Duration // 0 for a calendar
	hour     int
	minute   int
	created  int64
}

func (g *Generator) scheduleShape(k int) scheduleShape {
	d := newDraws(g.salt, k, streamSchedule)
	s := scheduleShape{k: k, hour: d.below(24), minute: d.below(60)}
	if k%10 >= 3 {
		s.interval = intervals[d.below(len(intervals))]
	}
	s.created = g.tl.startNs - int64(1+d.below(90*24))*int64(time.Hour)
	return s
}

func (s scheduleShape) step() int64 {
	if s.interval > 0 {
		return int64(s.interval)
	}
	return int64(24 * time.Hour)
}

// fireTimes are the schedule's last `back` fires before the end of the span (oldest first) and
// its next `ahead` fires after it.
func (s scheduleShape) fireTimes(endNs int64, back, ahead int) (past, future []int64) {
	step := s.step()
	offset := int64(s.hour)*int64(time.Hour) + int64(s.minute)*int64(time.Minute)
	if s.interval > 0 {
		offset = int64(s.k) * int64(time.Second) % step
	}
	next := (endNs-offset)/step*step + offset
	if next <= endNs {
		next += step
	}
	for j := back; j >= 1; j-- {
		if t := next - int64(j)*step; t >= s.created {
			past = append(past, t)
		}
	}
	for j := 0; j < ahead; j++ {
		future = append(future, next+int64(j)*step)
	}
	return past, future
}

func (g *Generator) scheduleSpec(s scheduleShape) *schedulepb.ScheduleSpec {
	if s.interval > 0 {
		spec := &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{{
			Interval: durationpb.New(s.interval),
			Phase:    durationpb.New(time.Duration(int64(s.k) * int64(time.Second) % int64(s.interval))),
		}}}
		if s.k%4 == 0 {
			spec.Jitter = durationpb.New(30 * time.Second)
		}
		return spec
	}
	one := func(v int32) []*schedulepb.Range { return []*schedulepb.Range{{Start: v, End: v, Step: 1}} }
	span := func(a, b int32) []*schedulepb.Range { return []*schedulepb.Range{{Start: a, End: b, Step: 1}} }
	return &schedulepb.ScheduleSpec{StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{
		Second: one(0), Minute: one(int32(s.minute)), Hour: one(int32(s.hour)),
		DayOfMonth: span(1, 31), Month: span(1, 12), DayOfWeek: span(0, 6),
		Comment: "daily at " + pad(s.hour, 2) + ":" + pad(s.minute, 2) + " UTC",
	}}}
}

func (g *Generator) scheduleAction(k int) *schedulepb.ScheduleAction {
	typ := scheduleType(k, g.p.WorkflowTypes)
	input := []byte(`{"scheduleIndex":` + strconv.Itoa(k) + `,"mode":"scheduled","note":"ünïcødé \"quoted\""}`)
	start := &workflowpb.NewWorkflowExecutionInfo{
		WorkflowId:          g.names.actionID[k],
		WorkflowType:        &commonpb.WorkflowType{Name: g.names.types[typ]},
		TaskQueue:           &taskqueuepb.TaskQueue{Name: g.names.queues[typ%g.p.TaskQueues], Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Input:               &commonpb.Payloads{Payloads: []*commonpb.Payload{payload(metaKindJSON, input)}},
		WorkflowTaskTimeout: durationpb.New(10 * time.Second),
		Memo:                &commonpb.Memo{Fields: map[string]*commonpb.Payload{"startedBy": payload(metaKindJSON, jsonString(nil, g.names.scheduleID[k]))}},
	}
	if k%3 == 0 {
		start.WorkflowRunTimeout = durationpb.New(time.Hour)
		start.RetryPolicy = &commonpb.RetryPolicy{
			InitialInterval: durationpb.New(time.Second), BackoffCoefficient: 2,
			MaximumInterval: durationpb.New(100 * time.Second), MaximumAttempts: 5,
		}
	}
	return &schedulepb.ScheduleAction{Action: &schedulepb.ScheduleAction_StartWorkflow{StartWorkflow: start}}
}

func (g *Generator) scheduleResults(k int, past []int64) []*schedulepb.ScheduleActionResult {
	results := make([]*schedulepb.ScheduleActionResult, 0, len(past))
	for j, t := range past {
		// Drawn from the fire time, so a fire shows the same run in the list and in the describe.
		d := newDraws(g.salt^uint64(t), k, streamSchedule)
		status := enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
		if j == len(past)-1 && k%5 == 1 {
			status = enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		}
		results = append(results, &schedulepb.ScheduleActionResult{
			ScheduleTime:        timestamppb.New(time.Unix(0, t)),
			ActualTime:          timestamppb.New(time.Unix(0, t+int64(20+d.below(900))*int64(time.Millisecond))),
			StartWorkflowResult: &commonpb.WorkflowExecution{WorkflowId: g.ScheduledWorkflowID(k, t), RunId: uuidFrom(d)},
			StartWorkflowStatus: status,
		})
	}
	return results
}
