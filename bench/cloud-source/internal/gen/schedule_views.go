package gen

import (
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var overlapPolicies = []enumspb.ScheduleOverlapPolicy{
	enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE,
	enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL, enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER,
	enumspb.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER, enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
}

func (g *Generator) Schedules() int { return g.p.Schedules }

func (g *Generator) scheduleState(k int) *schedulepb.ScheduleState {
	state := &schedulepb.ScheduleState{}
	if k%20 == 3 {
		state.Paused = true
		state.Notes = "paused during the warehouse migration (ops@example.com)"
	}
	if k%25 == 7 {
		state.LimitedActions = true
		state.RemainingActions = 3
	}
	return state
}

func (g *Generator) scheduleMemo(k int) (*commonpb.Memo, *commonpb.SearchAttributes) {
	memo := &commonpb.Memo{Fields: map[string]*commonpb.Payload{
		"owner":   payload(metaKindJSON, jsonString(nil, "team-"+baseQueues[k%len(baseQueues)])),
		"runbook": payload(metaKindJSON, []byte(`{"url":"https://runbooks.example.com/`+g.names.scheduleID[k]+`","pages":[1,2]}`)),
	}}
	attributes := &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{
		"CustomKeyword": payload(saKeyword, jsonString(nil, "tenant-"+pad(k%50, 2))),
	}}
	return memo, attributes
}

func timestamps(ns []int64) []*timestamppb.Timestamp {
	out := make([]*timestamppb.Timestamp, len(ns))
	for j, t := range ns {
		out[j] = timestamppb.New(time.Unix(0, t))
	}
	return out
}

// DescribeSchedule of schedule k (0 <= k < Schedules).
func (g *Generator) DescribeSchedule(k int) ScheduleDescription {
	s := g.scheduleShape(k)
	past, future := s.fireTimes(g.endNs, 10, 10)
	results := g.scheduleResults(k, past)
	info := &schedulepb.ScheduleInfo{
		ActionCount:         (g.endNs - s.created) / s.step(),
		MissedCatchupWindow: int64(k % 3),
		OverlapSkipped:      int64(k % 7),
		RecentActions:       results,
		FutureActionTimes:   timestamps(future),
		CreateTime:          timestamppb.New(time.Unix(0, s.created)),
		UpdateTime:          timestamppb.New(time.Unix(0, s.created+int64(time.Hour))),
	}
	if n := len(results); n > 0 && results[n-1].StartWorkflowStatus == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		info.RunningWorkflows = []*commonpb.WorkflowExecution{results[n-1].StartWorkflowResult}
	}
	memo, attributes := g.scheduleMemo(k)
	return ScheduleDescription{
		Schedule: &schedulepb.Schedule{
			Spec:   g.scheduleSpec(s),
			Action: g.scheduleAction(k),
			Policies: &schedulepb.SchedulePolicies{
				OverlapPolicy:  overlapPolicies[k%len(overlapPolicies)],
				CatchupWindow:  durationpb.New(catchupWindows[k%len(catchupWindows)]),
				PauseOnFailure: k%5 == 0,
			},
			State: g.scheduleState(k),
		},
		Info: info, Memo: memo, SearchAttributes: attributes,
	}
}

// ScheduleListEntry of schedule k, as ListSchedules shows it (a summary of the description).
func (g *Generator) ScheduleListEntry(k int) *schedulepb.ScheduleListEntry {
	s := g.scheduleShape(k)
	past, future := s.fireTimes(g.endNs, 3, 5)
	state := g.scheduleState(k)
	memo, attributes := g.scheduleMemo(k)
	return &schedulepb.ScheduleListEntry{
		ScheduleId: g.names.scheduleID[k], Memo: memo, SearchAttributes: attributes,
		Info: &schedulepb.ScheduleListInfo{
			Spec:              g.scheduleSpec(s),
			WorkflowType:      &commonpb.WorkflowType{Name: g.names.types[scheduleType(k, g.p.WorkflowTypes)]},
			Notes:             state.Notes,
			Paused:            state.Paused,
			RecentActions:     g.scheduleResults(k, past),
			FutureActionTimes: timestamps(future),
		},
	}
}
