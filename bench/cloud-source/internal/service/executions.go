package service

import (
	"context"
	"errors"
	"fmt"
	"sort"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"temporal-sync/bench/cloud-source/internal/gen"
	"temporal-sync/bench/cloud-source/internal/query"
)

// parseQuery turns a query error into the server's INVALID_ARGUMENT "invalid query: …".
func parseQuery(text string) (*query.Query, error) {
	q, err := query.Parse(text)
	var qe *query.Error
	if errors.As(err, &qe) {
		return nil, serviceerror.NewInvalidArgumentf("invalid query: %s", qe.Error())
	}
	return q, err
}

func (s *Server) ListWorkflowExecutions(_ context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	ns, err := s.namespace(req.GetNamespace())
	if err != nil {
		return nil, err
	}
	q, err := parseQuery(req.GetQuery())
	if err != nil {
		return nil, err
	}
	if q.GroupByStatus {
		return nil, serviceerror.NewInvalidArgumentf("invalid query: %s: 'group by' clause", query.NotSupported)
	}
	below, err := decodeToken(req.GetNextPageToken())
	if err != nil {
		return nil, err
	}
	cores, next, more := ns.List(q, below, s.pageSize(req.GetPageSize()))
	// The executions are written in wire form (field 1, `executions`) and carried as the message's
	// unknown fields, which marshalling copies as they are: to the client it is the same message.
	// They are built outside the namespace's lock: the cores carry everything they need.
	w := gen.NewWriter(len(cores) * gen.TypicalRecordBytes)
	g := ns.Generator()
	for _, c := range cores {
		g.AppendExecution(w, 1, c)
	}
	response := &workflowservice.ListWorkflowExecutionsResponse{}
	response.ProtoReflect().SetUnknown(w.Bytes())
	if more {
		response.NextPageToken = encodeToken(next)
	}
	s.stats.Served("ListWorkflowExecutions", req.GetNamespace(), len(cores))
	return response, nil
}

func (s *Server) CountWorkflowExecutions(_ context.Context, req *workflowservice.CountWorkflowExecutionsRequest) (*workflowservice.CountWorkflowExecutionsResponse, error) {
	ns, err := s.namespace(req.GetNamespace())
	if err != nil {
		return nil, err
	}
	q, err := parseQuery(req.GetQuery())
	if err != nil {
		return nil, err
	}
	total, byStatus := ns.Count(q)
	response := &workflowservice.CountWorkflowExecutionsResponse{Count: total}
	if !q.GroupByStatus {
		return response, nil
	}
	for status, n := range byStatus {
		if n == 0 {
			continue
		}
		name := enumspb.WorkflowExecutionStatus(status).String()
		response.Groups = append(response.Groups, &workflowservice.CountWorkflowExecutionsResponse_AggregationGroup{
			GroupValues: []*commonpb.Payload{gen.KeywordPayload(name)},
			Count:       n,
		})
	}
	// Largest group first, as Elasticsearch orders its buckets.
	sort.SliceStable(response.Groups, func(a, b int) bool { return response.Groups[a].Count > response.Groups[b].Count })
	return response, nil
}

func (s *Server) DescribeWorkflowExecution(_ context.Context, req *workflowservice.DescribeWorkflowExecutionRequest) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	ns, err := s.namespace(req.GetNamespace())
	if err != nil {
		return nil, err
	}
	workflowID, runID := req.GetExecution().GetWorkflowId(), req.GetExecution().GetRunId()
	if workflowID == "" {
		return nil, serviceerror.NewInvalidArgument("WorkflowId is not set on request.")
	}
	c, ok := ns.Find(workflowID, runID)
	if !ok {
		return nil, serviceerror.NewNotFound(fmt.Sprintf("workflow execution not found for workflow ID %q and run ID %q", workflowID, runID))
	}
	return ns.Generator().DescribeExecution(c), nil
}
