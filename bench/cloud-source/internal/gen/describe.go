package gen

import (
	"strconv"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var activityTypes = []string{"ChargeCard", "ReserveInventory", "SendEmail", "CallPartnerApi", "WriteLedger"}

// DescribeExecution is DescribeWorkflowExecution's answer for c: a running run has 0-3 pending
// activities, and about one in ten of them has been retrying for a while with its last failure
// (what a "stuck workflows" view looks for); a few have a workflow task failing again and again.
func (g *Generator) DescribeExecution(c Core) *workflowservice.DescribeWorkflowExecutionResponse {
	response := &workflowservice.DescribeWorkflowExecutionResponse{
		ExecutionConfig: &workflowpb.WorkflowExecutionConfig{
			TaskQueue:                  &taskqueuepb.TaskQueue{Name: g.names.queues[c.Queue], Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			DefaultWorkflowTaskTimeout: durationpb.New(10 * time.Second),
		},
		WorkflowExecutionInfo: g.Record(c),
	}
	if !IsOpen(c.Status) {
		return response
	}
	now := max(g.endNs, c.Start+int64(time.Second))
	d := newDraws(g.salt, c.Index, streamPending)
	for a, n := 0, d.below(4); a < n; a++ {
		response.PendingActivities = append(response.PendingActivities, pendingActivity(&d, a, c.Start, now))
	}
	if d.chance(0.02) {
		response.PendingWorkflowTask = &workflowpb.PendingWorkflowTaskInfo{
			State:                 enumspb.PENDING_WORKFLOW_TASK_STATE_SCHEDULED,
			ScheduledTime:         timestamppb.New(time.Unix(0, now-int64(time.Minute))),
			OriginalScheduledTime: timestamppb.New(time.Unix(0, c.Start)),
			Attempt:               int32(2 + d.below(30)),
		}
	}
	return response
}

func pendingActivity(d *draws, a int, startNs, nowNs int64) *workflowpb.PendingActivityInfo {
	scheduled := startNs + (nowNs-startNs)/int64(2+a)
	info := &workflowpb.PendingActivityInfo{
		ActivityId:         strconv.Itoa(5 + a*2),
		ActivityType:       &commonpb.ActivityType{Name: activityTypes[d.below(len(activityTypes))]},
		State:              enumspb.PENDING_ACTIVITY_STATE_STARTED,
		Attempt:            1,
		ScheduledTime:      timestamppb.New(time.Unix(0, scheduled)),
		LastStartedTime:    timestamppb.New(time.Unix(0, scheduled+int64(15*time.Millisecond))),
		LastHeartbeatTime:  timestamppb.New(time.Unix(0, nowNs-int64(d.below(30))*int64(time.Second))),
		LastWorkerIdentity: strconv.Itoa(1000+d.below(9000)) + "@worker-" + strconv.Itoa(d.below(8)),
	}
	if d.chance(0.1) {
		info.State = enumspb.PENDING_ACTIVITY_STATE_SCHEDULED
		info.Attempt = int32(5 + d.below(40))
		info.CurrentRetryInterval = durationpb.New(100 * time.Second)
		info.NextAttemptScheduleTime = timestamppb.New(time.Unix(0, nowNs+int64(d.below(100))*int64(time.Second)))
		info.LastAttemptCompleteTime = timestamppb.New(time.Unix(0, nowNs-int64(time.Second)))
		info.LastFailure = &failurepb.Failure{
			Message: "dial tcp 10.0.0.7:443: connect: connection refused",
			Source:  "TypeScriptSDK",
			FailureInfo: &failurepb.Failure_ApplicationFailureInfo{
				ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{Type: "ConnectionError"},
			},
		}
	}
	return info
}
