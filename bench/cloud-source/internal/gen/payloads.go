package gen

import (
	"sort"
	"strconv"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protowire"
)

// metaKind names a payload's metadata: a memo value, a codec's encrypted bytes, or a search
// attribute of one type (the server marks each with its type).
type metaKind uint8

const (
	metaKindJSON metaKind = iota
	metaKindEncrypted
	saKeyword
	saText
	saInt
	saDouble
	saBool
	saDatetime
	saKeywordList
	metaKinds
)

var metaMaps = [metaKinds]map[string][]byte{
	metaKindJSON:      {"encoding": []byte("json/plain")},
	metaKindEncrypted: {"encoding": []byte("binary/encrypted"), "encryption-key-id": []byte("key-2025-01")},
}

// metaWire is each kind's metadata map already in wire form (entries in key order).
var metaWire [metaKinds][]byte

func init() {
	for k, t := range []string{"Keyword", "Text", "Int", "Double", "Bool", "Datetime", "KeywordList"} {
		metaMaps[saKeyword+metaKind(k)] = map[string][]byte{"encoding": []byte("json/plain"), "type": []byte(t)}
	}
	for kind, m := range metaMaps {
		keys := make([]string, 0, len(m))
		for key := range m {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		var e encoder
		for _, key := range keys {
			e.begin(1)
			e.string(1, key)
			e.bytes(2, m[key])
			e.end()
		}
		metaWire[kind] = e.b
	}
}

// payload as a proto struct (schedules, describe: not on the listing's hot path).
func payload(kind metaKind, data []byte) *commonpb.Payload {
	return &commonpb.Payload{Metadata: metaMaps[kind], Data: data}
}

// KeywordPayload is a Keyword search-attribute value as the server encodes one (count groups use it).
func KeywordPayload(value string) *commonpb.Payload {
	return payload(saKeyword, jsonString(nil, value))
}

// BigInt is beyond 2^53: JavaScript's numbers cannot hold it exactly, as some real memos do.
const BigInt = 9007199254740993

var (
	tiers   = []string{"free", "team", "business", "enterprise"}
	regions = []string{"eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2", "sa-east-1"}
	sources = []string{"api", "web", "batch", "mobile"}
	colors  = []string{"red", "green", "blue", "amber", "violet"}
)

type field struct {
	key  string
	kind metaKind
	data []byte
}

// fields collects a map of payloads; their data share one scratch buffer, reused row after row.
type fields struct {
	list    []field
	scratch []byte
}

func (f *fields) reset() { f.list, f.scratch = f.list[:0], f.scratch[:0] }

// mark is where the next value starts in the scratch buffer; add takes what was appended since.
func (f *fields) mark() int { return len(f.scratch) }

func (f *fields) add(key string, kind metaKind, from int) {
	f.list = append(f.list, field{key: key, kind: kind, data: f.scratch[from:len(f.scratch):len(f.scratch)]})
}

func (f *fields) json(key string, kind metaKind, value string) {
	from := f.mark()
	f.scratch = jsonString(f.scratch, value)
	f.add(key, kind, from)
}

// encode the map (field number `number` of the message being written): entries of key and Payload.
func (f *fields) encode(e *encoder, number protowire.Number) {
	if len(f.list) == 0 {
		return
	}
	e.begin(number)
	for _, entry := range f.list {
		e.begin(1)
		e.string(1, entry.key)
		e.begin(2)
		e.b = append(e.b, metaWire[entry.kind]...)
		e.bytes(2, entry.data)
		e.end()
		e.end()
	}
	e.end()
}

// memo of execution i: a few keys, nested objects and arrays; in a few rows an integer past 2^53,
// a NUL and newlines in text, or a payload only a codec could read. Some runs have no memo.
func (g *Generator) memo(f *fields, i int) {
	f.reset()
	d := newDraws(g.salt, i, streamMemo)
	if d.chance(0.15) {
		return
	}
	from := f.mark()
	f.scratch = append(f.scratch, `{"id":"cus_`...)
	f.scratch = strconv.AppendUint(f.scratch, d.next()&0xffffffffff, 16)
	f.scratch = append(f.scratch, `","tier":`...)
	f.scratch = jsonString(f.scratch, tiers[d.below(len(tiers))])
	f.scratch = append(f.scratch, `,"region":`...)
	f.scratch = jsonString(f.scratch, regions[d.below(len(regions))])
	f.scratch = append(f.scratch, `,"since":`...)
	f.scratch = append(strconv.AppendInt(f.scratch, int64(2015+d.below(11)), 10), '}')
	f.add("customer", metaKindJSON, from)
	from = f.mark()
	f.scratch = jsonFloat(f.scratch, d.unit()*2000, 2)
	f.add("orderTotal", metaKindJSON, from)
	from = f.mark()
	f.scratch = items(f.scratch, &d)
	f.add("items", metaKindJSON, from)
	f.json("source", metaKindJSON, sources[d.below(len(sources))])
	if d.chance(0.002) {
		from = f.mark()
		f.scratch = strconv.AppendInt(f.scratch, BigInt+int64(d.below(1000)), 10)
		f.add("ledgerSequence", metaKindJSON, from)
	}
	if d.chance(0.0005) {
		f.json("note", metaKindJSON, "line one\nline two \x00 after a NUL, \"quoted\", ünïcødé 🚀")
	}
	if d.chance(0.0005) {
		from = f.mark()
		for k := 0; k < 32; k++ {
			f.scratch = append(f.scratch, byte(d.next()))
		}
		f.add("secret", metaKindEncrypted, from)
	}
}

func items(b []byte, d *draws) []byte {
	b = append(b, '[')
	for k, n := 0, 1+d.below(3); k < n; k++ {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"sku":"SKU-`...)
		b = strconv.AppendInt(b, int64(d.below(100000)), 10)
		b = append(b, `","qty":`...)
		b = strconv.AppendInt(b, int64(1+d.below(5)), 10)
		b = append(b, `,"tags":[`...)
		b = jsonString(b, colors[d.below(len(colors))])
		b = append(b, `]}`...)
	}
	return append(b, ']')
}

// searchAttributes of execution c: every custom type (Keyword, Text, Int, Double, Bool, Datetime,
// KeywordList) on a share of runs, and the system ones a real server sets.
func (g *Generator) searchAttributes(f *fields, c Core, headStart int64) {
	f.reset()
	d := newDraws(g.salt, c.Index, streamAttributes)
	if d.chance(0.8) {
		from := f.mark()
		f.scratch = append(strconv.AppendInt(append(f.scratch, `"tenant-`...), int64(d.below(50)), 10), '"')
		f.add("CustomKeyword", saKeyword, from)
	}
	if d.chance(0.5) {
		f.json("CustomText", saText, "order for "+tiers[d.below(len(tiers))]+" customer in "+regions[d.below(len(regions))])
	}
	if d.chance(0.7) {
		v := int64(d.below(100000))
		if d.chance(0.003) {
			v = BigInt + int64(d.below(1000))
		}
		from := f.mark()
		f.scratch = strconv.AppendInt(f.scratch, v, 10)
		f.add("CustomInt", saInt, from)
	}
	if d.chance(0.6) {
		from := f.mark()
		f.scratch = jsonFloat(f.scratch, d.unit()*1000, 3)
		f.add("CustomDouble", saDouble, from)
	}
	if d.chance(0.6) {
		from := f.mark()
		f.scratch = strconv.AppendBool(f.scratch, d.chance(0.5))
		f.add("CustomBool", saBool, from)
	}
	if d.chance(0.5) {
		from := f.mark()
		f.scratch = jsonTime(f.scratch, c.Start+int64(d.below(7*24*3600))*int64(time.Second))
		f.add("CustomDatetime", saDatetime, from)
	}
	if d.chance(0.4) {
		from := f.mark()
		f.scratch = keywordList(f.scratch, colors[d.below(len(colors))], colors[d.below(len(colors))])
		f.add("CustomKeywordList", saKeywordList, from)
	}
	g.systemAttributes(f, c, headStart, &d)
}

func (g *Generator) systemAttributes(f *fields, c Core, headStart int64, d *draws) {
	if c.Schedule >= 0 {
		f.json("TemporalScheduledById", saKeyword, g.names.scheduleID[c.Schedule])
		from := f.mark()
		f.scratch = jsonTime(f.scratch, time.Unix(0, headStart).Truncate(time.Second).UnixNano())
		f.add("TemporalScheduledStartTime", saDatetime, from)
	}
	from := f.mark()
	switch u := d.unit(); {
	case u < 0.2:
		f.scratch = keywordList(f.scratch, "unversioned")
		f.add("BuildIds", saKeywordList, from)
	case u < 0.3:
		build := "build-" + strconv.Itoa(100+d.below(20))
		f.scratch = keywordList(f.scratch, "assigned:"+build, "versioned:"+build)
		f.add("BuildIds", saKeywordList, from)
	}
	if d.chance(0.1) {
		from = f.mark()
		f.scratch = keywordList(f.scratch, "retry-fix-"+strconv.Itoa(1+d.below(3)))
		f.add("TemporalChangeVersion", saKeywordList, from)
	}
	if IsOpen(c.Status) && d.chance(0.05) {
		from = f.mark()
		f.scratch = keywordList(f.scratch, "category=WorkflowTaskFailed", "cause=WorkflowTaskFailedCauseWorkflowWorkerUnhandledFailure")
		f.add("TemporalReportedProblems", saKeywordList, from)
	}
}

func keywordList(b []byte, values ...string) []byte {
	b = append(b, '[')
	for k, v := range values {
		if k > 0 {
			b = append(b, ',')
		}
		b = jsonString(b, v)
	}
	return append(b, ']')
}
