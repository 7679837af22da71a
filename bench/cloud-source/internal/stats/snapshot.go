package stats

import "time"

// VisibilityStats of one namespace since the last reset.
type VisibilityStats struct {
	Calls                 int64 `json:"calls"`
	Rejected              int64 `json:"rejected"`
	PeakPerSecond         int   `json:"peakPerSecond"`
	PeakAdmittedPerSecond int   `json:"peakAdmittedPerSecond"`
	// The calls that arrived in the first busiest second.
	BusiestSecond []Arrival `json:"busiestSecond"`
}

// Snapshot is the JSON the stats endpoint serves.
type Snapshot struct {
	Since      string                      `json:"since"`
	Seconds    float64                     `json:"seconds"`
	Config     ConfigJSON                  `json:"config"`
	Calls      map[string]map[string]int64 `json:"calls"`
	Rejected   map[string]map[string]int64 `json:"rejected"`
	RowsServed map[string]map[string]int64 `json:"rowsServed"`
	Visibility map[string]VisibilityStats  `json:"visibility"`
	Namespaces map[string]any              `json:"namespaces"`
}

// ConfigJSON is Config as the HTTP side port reads and writes it.
type ConfigJSON struct {
	LatencyMs       float64 `json:"latencyMs"`
	VisibilityRPS   float64 `json:"visibilityRps"`
	VisibilityBurst float64 `json:"visibilityBurst"`
}

func (c Config) JSON() ConfigJSON {
	return ConfigJSON{LatencyMs: float64(c.Latency) / float64(time.Millisecond), VisibilityRPS: c.VisibilityRPS, VisibilityBurst: c.Burst}
}

func (r *Recorder) Snapshot() Snapshot {
	r.mu.Lock()
	s := Snapshot{
		Since:   r.since.UTC().Format(time.RFC3339Nano),
		Seconds: time.Since(r.since).Seconds(),
		Calls:   r.calls.copy(), Rejected: r.rejected.copy(), RowsServed: r.rows.copy(),
		Visibility: map[string]VisibilityStats{},
	}
	r.mu.Unlock()
	r.budget.mu.Lock()
	defer r.budget.mu.Unlock()
	s.Config = r.budget.config.JSON()
	for ns, n := range r.budget.per {
		v := VisibilityStats{PeakPerSecond: n.all.peak, PeakAdmittedPerSecond: n.admitted.peak, BusiestSecond: n.all.busiest}
		for method := range VisibilityMethods {
			v.Calls += s.Calls[method][ns]
			v.Rejected += s.Rejected[method][ns]
		}
		if v.Calls > 0 || v.PeakPerSecond > 0 {
			s.Visibility[ns] = v
		}
	}
	return s
}
