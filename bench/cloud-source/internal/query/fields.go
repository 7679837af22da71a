package query

import (
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// Field is a search attribute the source can filter on.
type Field int

const (
	ExecutionStatus Field = iota
	WorkflowType
	WorkflowID
	RunID
	TaskQueue
	ScheduledByID
	StartTime
	CloseTime
)

type kind int

const (
	kindStatus kind = iota
	kindKeyword
	kindDatetime
)

type fieldInfo struct {
	field    Field
	kind     kind
	nullable bool // some rows have no value
}

var fields = map[string]fieldInfo{
	"ExecutionStatus":       {ExecutionStatus, kindStatus, false},
	"WorkflowType":          {WorkflowType, kindKeyword, false},
	"WorkflowId":            {WorkflowID, kindKeyword, false},
	"RunId":                 {RunID, kindKeyword, false},
	"TaskQueue":             {TaskQueue, kindKeyword, false},
	"TemporalScheduledById": {ScheduledByID, kindKeyword, true},
	"StartTime":             {StartTime, kindDatetime, false},
	"CloseTime":             {CloseTime, kindDatetime, true},
}

// Search attributes a real server knows but this source does not filter on: a query naming one
// is refused with a message that says so, not as if it did not exist.
var knownElsewhere = map[string]bool{
	"ExecutionTime": true, "ExecutionDuration": true, "HistoryLength": true, "HistorySizeBytes": true,
	"StateTransitionCount": true, "BuildIds": true, "TemporalScheduledStartTime": true,
	"TemporalChangeVersion": true, "TemporalReportedProblems": true, "TemporalNamespaceDivision": true,
	"BinaryChecksums": true, "BatcherUser": true, "RootWorkflowId": true, "RootRunId": true,
	"ParentWorkflowId": true, "ParentRunId": true, "TemporalWorkerDeploymentVersion": true,
	"TemporalWorkerDeployment": true, "TemporalWorkflowVersioningBehavior": true, "ScheduleId": true,
	"CustomKeyword": true, "CustomText": true, "CustomInt": true, "CustomDouble": true,
	"CustomBool": true, "CustomDatetime": true, "CustomKeywordList": true,
}

func lookupField(name string) (fieldInfo, error) {
	if info, ok := fields[name]; ok {
		return info, nil
	}
	if knownElsewhere[name] {
		return fieldInfo{}, newError("%s: the cloud-like source does not filter on '%s' (it serves %s)",
			NotSupported, name, "ExecutionStatus, WorkflowType, WorkflowId, RunId, TaskQueue, TemporalScheduledById, StartTime, CloseTime")
	}
	return fieldInfo{}, newError("%s: column name '%s' is not a valid search attribute", InvalidExpression, name)
}

// value is a parsed literal: a status, a keyword or a time in Unix nanoseconds.
type value struct {
	status  enumspb.WorkflowExecutionStatus
	keyword string
	nanos   int64
}

func parseValue(t token, name string, info fieldInfo) (value, error) {
	if t.kind == tokIdent {
		return value{}, newError("%s: column name on the right side of comparison expression (did you forget to quote '%s'?)", NotSupported, t.text)
	}
	if t.kind != tokString && t.kind != tokNumber {
		return value{}, unexpectedToken(t)
	}
	switch info.kind {
	case kindStatus:
		return parseStatus(t, name)
	case kindDatetime:
		return parseDatetime(t, name)
	}
	if t.kind != tokString {
		return value{}, newError("%s: search attribute %s of type Keyword needs a string value (got %s)", InvalidExpression, name, t.text)
	}
	return value{keyword: t.text}, nil
}

func parseStatus(t token, name string) (value, error) {
	if t.kind == tokNumber {
		n, err := strconv.ParseInt(t.text, 10, 32)
		if err != nil {
			return value{}, newError("%s: invalid %s value '%s'", InvalidExpression, name, t.text)
		}
		return value{status: enumspb.WorkflowExecutionStatus(n)}, nil
	}
	status, err := enumspb.WorkflowExecutionStatusFromString(t.text)
	if err != nil {
		return value{}, newError("%s: invalid %s value '%s'", InvalidExpression, name, t.text)
	}
	return value{status: status}, nil
}

func parseDatetime(t token, name string) (value, error) {
	if t.kind == tokNumber {
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return value{}, newError("%s: unable to parse datetime '%s'", InvalidExpression, t.text)
		}
		return value{nanos: n}, nil
	}
	parsed, err := time.Parse(time.RFC3339Nano, t.text)
	if err != nil {
		return value{}, newError("%s: unable to parse datetime '%s'", InvalidExpression, t.text)
	}
	return value{nanos: parsed.UnixNano()}, nil
}
