package query

import (
	"strings"
	"testing"
)

func TestAcceptsTheFormsTheSyncSends(t *testing.T) {
	for _, text := range []string{
		"",
		"ExecutionStatus = 'Running' OR CloseTime >= '2026-01-01T00:00:00.000Z'",
		"StartTime >= '2025-12-01T00:00:00Z' AND StartTime < '2025-12-02T00:00:00.5Z'",
		"(ExecutionStatus = 'Running' OR CloseTime >= '2026-01-01T00:00:00Z') AND StartTime >= '2025-12-01T00:00:00Z' AND StartTime < '2025-12-02T00:00:00Z'",
		"ExecutionStatus IN ('Failed', \"Canceled\") and WorkflowType = 'A' or WorkflowId = 'it''s'",
		"`StartTime` BETWEEN '2025-12-01T00:00:00Z' AND '2025-12-02T00:00:00Z'",
		"CloseTime IS NULL AND TemporalScheduledById IS NOT NULL",
		"ExecutionStatus NOT IN ('Completed') AND ExecutionStatus != 2",
		"GROUP BY ExecutionStatus",
		"ExecutionStatus = 'Running' GROUP BY ExecutionStatus",
		"WorkflowId STARTS_WITH 'order-'",
	} {
		if _, err := Parse(text); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestRefusesWhatItDoesNotServeWithTheServersWording(t *testing.T) {
	for text, message := range map[string]string{
		"Foo = 'x'":                  "invalid expression: column name 'Foo' is not a valid search attribute",
		"HistoryLength > 5":          "operation is not supported: the cloud-like source does not filter on 'HistoryLength'",
		"ExecutionStatus = 'Runnin'": "invalid expression: invalid ExecutionStatus value 'Runnin'",
		"StartTime > 'yesterday'":    "invalid expression: unable to parse datetime 'yesterday'",
		"StartTime > '2025-01-01T00:00:00Z' ORDER BY StartTime": "operation is not supported: 'order by' clause",
		"LIMIT 5":                             "operation is not supported: 'limit' clause",
		"NOT ExecutionStatus = 'Running'":     "operation is not supported: 'not' expression",
		"GROUP BY WorkflowType":               "'group by' clause is only supported for ExecutionStatus search attribute",
		"WorkflowId = Running":                "did you forget to quote 'Running'?",
		"ExecutionStatus = 'Running' AND":     "malformed SQL query: syntax error at position 32 near end of query",
		"(StartTime > '2025-01-01T00:00:00Z'": "malformed SQL query",
		"WorkflowType BETWEEN 'a' AND 'b'":    "cannot do range condition on search attribute 'WorkflowType'",
		"StartTime NOT BETWEEN '2025-01-01T00:00:00Z' AND '2025-01-02T00:00:00Z'": "'not between' expression",
		"CloseTime IS 'x'":        "'IS' operator can only be used with 'NULL' or 'NOT NULL'",
		"WorkflowId = 'a' ; DROP": "malformed SQL query: syntax error",
	} {
		_, err := Parse(text)
		if err == nil || !strings.Contains(err.Error(), message) {
			t.Errorf("%q: got %v, want a message containing %q", text, err, message)
		}
		if _, ok := err.(*Error); err != nil && !ok {
			t.Errorf("%q: error is %T, not *Error", text, err)
		}
	}
}
