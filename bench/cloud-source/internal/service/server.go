// Package service answers Temporal's WorkflowService from generated namespaces: the calls a sync
// worker makes (connection, namespaces, visibility, schedules, describe). Every other method
// answers UNIMPLEMENTED.
package service

import (
	"sort"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"temporal-sync/bench/cloud-source/internal/stats"
	"temporal-sync/bench/cloud-source/internal/store"
)

// Server implements workflowservice.WorkflowServiceServer.
type Server struct {
	workflowservice.UnimplementedWorkflowServiceServer
	namespaces  map[string]*store.Namespace
	names       []string
	stats       *stats.Recorder
	maxPageSize int
}

func New(namespaces map[string]*store.Namespace, recorder *stats.Recorder, maxPageSize int) *Server {
	names := make([]string, 0, len(namespaces))
	for name := range namespaces {
		names = append(names, name)
	}
	sort.Strings(names)
	return &Server{namespaces: namespaces, names: names, stats: recorder, maxPageSize: maxPageSize}
}

func (s *Server) namespace(name string) (*store.Namespace, error) {
	ns, ok := s.namespaces[name]
	if !ok {
		return nil, serviceerror.NewNamespaceNotFound(name)
	}
	return ns, nil
}

// pageSize as the server clamps it: none or too large means the maximum (frontend.visibilityMaxPageSize).
func (s *Server) pageSize(requested int32) int {
	if requested <= 0 || int(requested) > s.maxPageSize {
		return s.maxPageSize
	}
	return int(requested)
}
