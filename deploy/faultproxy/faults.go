package main

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Kind is what the proxy does to one request.
type Kind string

const (
	Pass        Kind = "pass"  // forwarded untouched
	Reset       Kind = "reset" // the connection is reset before anything is forwarded
	Lost        Kind = "lost"  // forwarded, then the connection is reset instead of answering
	TooMany     Kind = "429"   // answered 429 with Retry-After, not forwarded
	ServerError Kind = "500"   // answered 500, not forwarded
	Unavailable Kind = "503"   // answered 503, not forwarded
	Delay       Kind = "delay" // counted apart: a delay can come with any of the above
)

// Rates are the probabilities of each fault, per request. Reset, Lost, TooMany, ServerError and
// Unavailable exclude each other (their sum must not exceed 1); Delay is drawn independently.
type Rates struct {
	Reset, Lost, TooMany, ServerError, Unavailable, Delay float64
	DelayMin, DelayMax                                    time.Duration
	RetryAfter                                            time.Duration
	// Streams: faults may also hit the start of watch, log-follow and upgrade (exec) requests.
	// Never their middle: once a stream is flowing, the proxy leaves it alone.
	Streams bool
}

func (r Rates) validate() error {
	for name, p := range map[string]float64{"reset": r.Reset, "lost": r.Lost, "429": r.TooMany,
		"500": r.ServerError, "503": r.Unavailable, "delay": r.Delay} {
		if p < 0 || p > 1 {
			return fmt.Errorf("rate %s=%v is not a probability", name, p)
		}
	}
	if sum := r.Reset + r.Lost + r.TooMany + r.ServerError + r.Unavailable; sum > 1 {
		return fmt.Errorf("reset+lost+429+500+503 = %v exceeds 1", sum)
	}
	if r.DelayMin < 0 || r.DelayMax < r.DelayMin {
		return fmt.Errorf("delay range [%v, %v] is empty", r.DelayMin, r.DelayMax)
	}
	if r.TooMany > 0 && r.RetryAfter < time.Second {
		return fmt.Errorf("retry-after %v: HTTP carries whole seconds, at least 1", r.RetryAfter)
	}
	return nil
}

// Decision is the fate of one request.
type Decision struct {
	Seq   uint64
	Kind  Kind
	Delay time.Duration
}

// Injector draws decisions from one seeded generator, in the order requests arrive: the n-th
// request gets the same decision for the same seed and rates, whatever it is.
type Injector struct {
	mu      sync.Mutex
	rng     *rand.Rand
	rates   Rates
	enabled bool
	seq     uint64
	stats   Stats
	pending map[string]rejected // 429s not yet followed by a retry, by request identity
	// OnTooSoon, when set, hears of every retry that came before its Retry-After (called with
	// the injector locked).
	OnTooSoon func(identity string, gap, retryAfter time.Duration)
}

type rejected struct {
	at         time.Time
	retryAfter time.Duration
}

// Stats are the counters exposed on the admin port.
type Stats struct {
	Requests  uint64            `json:"requests"`
	Forwarded uint64            `json:"forwarded"`
	Faults    map[Kind]uint64   `json:"faults"`
	Streams   map[string]uint64 `json:"streams"`
	// RetryAfter tracks what followed each 429: the next request with the same method, URI and
	// body digest is taken as its retry, and the gap measured.
	RetryAfter RetryAfterStats `json:"retry_after"`
}

type RetryAfterStats struct {
	Seconds    int    `json:"seconds"`
	Followed   uint64 `json:"followed"`
	TooSoon    uint64 `json:"too_soon"`
	MinGapMs   int64  `json:"min_gap_ms"`
	Unfollowed int    `json:"unfollowed"`
}

func NewInjector(seed uint64, rates Rates) (*Injector, error) {
	if err := rates.validate(); err != nil {
		return nil, err
	}
	return &Injector{
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		rates:   rates,
		enabled: true,
		stats: Stats{Faults: map[Kind]uint64{}, Streams: map[string]uint64{},
			RetryAfter: RetryAfterStats{Seconds: int(rates.RetryAfter / time.Second), MinGapMs: -1}},
		pending: map[string]rejected{},
	}, nil
}

// Decide draws the fate of the next request. identity names the request for the Retry-After
// bookkeeping; stream says whether it opens a watch, a log follow or an upgrade.
func (in *Injector) Decide(identity, stream string, now time.Time) Decision {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.seq++
	in.stats.Requests++
	if stream != "" {
		in.stats.Streams[stream]++
	}
	in.followUp(identity, now)
	// Always three draws per request, so that the sequence does not depend on what was decided.
	u, v, w := in.rng.Float64(), in.rng.Float64(), in.rng.Float64()
	d := Decision{Seq: in.seq, Kind: Pass}
	if !in.enabled || (stream != "" && !in.rates.Streams) {
		in.stats.Forwarded++
		return d
	}
	r := in.rates
	switch {
	case u < r.Reset:
		d.Kind = Reset
	case u < r.Reset+r.TooMany:
		d.Kind = TooMany
	case u < r.Reset+r.TooMany+r.ServerError:
		d.Kind = ServerError
	case u < r.Reset+r.TooMany+r.ServerError+r.Unavailable:
		d.Kind = Unavailable
	case u < r.Reset+r.TooMany+r.ServerError+r.Unavailable+r.Lost && stream == "":
		// a lost answer mid-stream would be a mid-stream fault: streams are only failed at the start
		d.Kind = Lost
	}
	if v < r.Delay {
		d.Delay = r.DelayMin + time.Duration(w*float64(r.DelayMax-r.DelayMin))
		in.stats.Faults[Delay]++
	}
	if d.Kind != Pass {
		in.stats.Faults[d.Kind]++
	}
	if d.Kind == Pass || d.Kind == Lost {
		in.stats.Forwarded++
	}
	if d.Kind == TooMany {
		// stamped when the answer leaves (Rejected), not here: a delay may come first
		in.pending[identity] = rejected{retryAfter: r.RetryAfter}
	}
	return d
}

// Rejected records when the 429 for identity was sent.
func (in *Injector) Rejected(identity string, at time.Time) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if p, ok := in.pending[identity]; ok {
		p.at = at
		in.pending[identity] = p
	}
}

func (in *Injector) followUp(identity string, now time.Time) {
	p, ok := in.pending[identity]
	if !ok || p.at.IsZero() {
		return
	}
	delete(in.pending, identity)
	gap := now.Sub(p.at)
	s := &in.stats.RetryAfter
	s.Followed++
	if gap < p.retryAfter {
		s.TooSoon++
		if in.OnTooSoon != nil {
			in.OnTooSoon(identity, gap, p.retryAfter)
		}
	}
	if ms := gap.Milliseconds(); s.MinGapMs < 0 || ms < s.MinGapMs {
		s.MinGapMs = ms
	}
}

// SetEnabled turns fault injection on or off; requests are counted either way.
func (in *Injector) SetEnabled(on bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.enabled = on
}

// Snapshot is a copy of the counters.
func (in *Injector) Snapshot() Stats {
	in.mu.Lock()
	defer in.mu.Unlock()
	s := in.stats
	s.Faults = map[Kind]uint64{}
	for k, v := range in.stats.Faults {
		s.Faults[k] = v
	}
	s.Streams = map[string]uint64{}
	for k, v := range in.stats.Streams {
		s.Streams[k] = v
	}
	s.RetryAfter.Unfollowed = len(in.pending)
	return s
}
