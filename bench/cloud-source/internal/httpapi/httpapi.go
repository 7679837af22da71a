// Package httpapi is the source's side port for benches: JSON stats, a reset, runtime budget
// changes, and mutations that change the data between incremental passes.
package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"temporal-sync/bench/cloud-source/internal/stats"
	"temporal-sync/bench/cloud-source/internal/store"
)

type api struct {
	namespaces map[string]*store.Namespace
	recorder   *stats.Recorder
}

// Handler serves GET /stats, POST /reset, POST /config and POST /mutate.
func Handler(namespaces map[string]*store.Namespace, recorder *stats.Recorder) http.Handler {
	a := &api{namespaces: namespaces, recorder: recorder}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", a.stats)
	mux.HandleFunc("POST /reset", a.reset)
	mux.HandleFunc("POST /config", a.config)
	mux.HandleFunc("POST /mutate", a.mutate)
	return mux
}

func reply(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func fail(w http.ResponseWriter, code int, format string, args ...any) {
	reply(w, code, map[string]string{"error": fmt.Sprintf(format, args...)})
}

func decode(r *http.Request, into any) error {
	decoder := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(into); err != nil {
		return fmt.Errorf("bad JSON body: %v", err)
	}
	return nil
}

func (a *api) stats(w http.ResponseWriter, _ *http.Request) {
	snapshot := a.recorder.Snapshot()
	snapshot.Namespaces = map[string]any{}
	for name, ns := range a.namespaces {
		snapshot.Namespaces[name] = ns.Summary()
	}
	reply(w, http.StatusOK, snapshot)
}

func (a *api) reset(w http.ResponseWriter, _ *http.Request) {
	a.recorder.Reset()
	reply(w, http.StatusOK, map[string]bool{"reset": true})
}

type configRequest struct {
	LatencyMs       *float64 `json:"latencyMs"`
	VisibilityRPS   *float64 `json:"visibilityRps"`
	VisibilityBurst *float64 `json:"visibilityBurst"`
}

func (a *api) config(w http.ResponseWriter, r *http.Request) {
	var req configRequest
	if err := decode(r, &req); err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	c := a.recorder.Config()
	for _, v := range []*float64{req.LatencyMs, req.VisibilityRPS, req.VisibilityBurst} {
		if v != nil && *v < 0 {
			fail(w, http.StatusBadRequest, "latencyMs, visibilityRps and visibilityBurst must be >= 0")
			return
		}
	}
	if req.LatencyMs != nil {
		c.Latency = time.Duration(*req.LatencyMs * float64(time.Millisecond))
	}
	if req.VisibilityRPS != nil {
		c.VisibilityRPS = *req.VisibilityRPS
	}
	if req.VisibilityBurst != nil {
		c.Burst = *req.VisibilityBurst
	}
	a.recorder.SetConfig(c)
	reply(w, http.StatusOK, c.JSON())
}

type mutateRequest struct {
	Namespace string `json:"namespace"`
	Close     int    `json:"close"`
	Start     int    `json:"start"`
	Expire    int    `json:"expire"`
	// At is when the changes happen (RFC 3339); by default now, or just after the last change.
	At string `json:"at"`
}

func (a *api) mutate(w http.ResponseWriter, r *http.Request) {
	var req mutateRequest
	if err := decode(r, &req); err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	ns, ok := a.namespaces[req.Namespace]
	if !ok {
		fail(w, http.StatusNotFound, "no namespace %q", req.Namespace)
		return
	}
	at := max(time.Now().UnixNano(), ns.EarliestMutation())
	if req.At != "" {
		parsed, err := time.Parse(time.RFC3339Nano, req.At)
		if err != nil {
			fail(w, http.StatusBadRequest, "at: not an RFC 3339 time: %q", req.At)
			return
		}
		at = parsed.UnixNano()
	} else {
		at -= at % int64(time.Microsecond)
		at = max(at, ns.EarliestMutation())
	}
	result, err := ns.Mutate(store.Mutation{Close: req.Close, Start: req.Start, Expire: req.Expire, At: at})
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	reply(w, http.StatusOK, result)
}
