package service

import (
	"context"
	"strings"

	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

func (s *Server) ListSchedules(_ context.Context, req *workflowservice.ListSchedulesRequest) (*workflowservice.ListSchedulesResponse, error) {
	ns, err := s.namespace(req.GetNamespace())
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.GetQuery()) != "" {
		return nil, serviceerror.NewInvalidArgument("invalid query: operation is not supported: the cloud-like source lists schedules without a query")
	}
	from, err := decodeToken(req.GetNextPageToken())
	if err != nil {
		return nil, err
	}
	from = max(from, 0)
	g := ns.Generator()
	size := s.pageSize(req.GetMaximumPageSize())
	response := &workflowservice.ListSchedulesResponse{Schedules: []*schedulepb.ScheduleListEntry{}}
	for k := from; k < g.Schedules() && len(response.Schedules) < size; k++ {
		response.Schedules = append(response.Schedules, g.ScheduleListEntry(k))
	}
	if next := from + len(response.Schedules); next < g.Schedules() {
		response.NextPageToken = encodeToken(next)
	}
	s.stats.Served("ListSchedules", req.GetNamespace(), len(response.Schedules))
	return response, nil
}

func (s *Server) CountSchedules(_ context.Context, req *workflowservice.CountSchedulesRequest) (*workflowservice.CountSchedulesResponse, error) {
	ns, err := s.namespace(req.GetNamespace())
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.GetQuery()) != "" {
		return nil, serviceerror.NewInvalidArgument("invalid query: operation is not supported: the cloud-like source counts schedules without a query")
	}
	return &workflowservice.CountSchedulesResponse{Count: int64(ns.Generator().Schedules())}, nil
}

func (s *Server) DescribeSchedule(_ context.Context, req *workflowservice.DescribeScheduleRequest) (*workflowservice.DescribeScheduleResponse, error) {
	ns, err := s.namespace(req.GetNamespace())
	if err != nil {
		return nil, err
	}
	g := ns.Generator()
	k := g.ScheduleIndex(req.GetScheduleId())
	if k < 0 {
		return nil, serviceerror.NewNotFound("schedule not found")
	}
	d := g.DescribeSchedule(k)
	return &workflowservice.DescribeScheduleResponse{
		Schedule: d.Schedule, Info: d.Info, Memo: d.Memo, SearchAttributes: d.SearchAttributes,
		ConflictToken: encodeToken(k),
	}, nil
}
