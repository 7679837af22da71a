package gen

import (
	"strconv"
	"strings"
	"unicode"
)

var baseTypes = []string{
	"OrderFulfillment", "PaymentCapture", "InvoiceGeneration", "ShipmentTracking", "UserOnboarding",
	"SubscriptionRenewal", "FraudCheck", "InventorySync", "EmailCampaign", "DataExport",
	"ReportGeneration", "RefundProcessing", "AccountClosure", "KycVerification", "PriceUpdate",
	"SearchIndexing", "MediaTranscode", "NotificationFanout", "LedgerReconciliation", "CartAbandonment",
	"LoyaltyPoints", "WarehouseRestock", "TaxCalculation", "AuditLogArchive",
}

var baseQueues = []string{"orders", "payments", "notifications", "analytics", "fulfillment", "accounts", "media", "billing"}

// typeName of type t: the base names, then versioned ones ("OrderFulfillmentV2") past them.
func typeName(t int) string {
	name := baseTypes[t%len(baseTypes)]
	if generation := t / len(baseTypes); generation > 0 {
		name += "V" + strconv.Itoa(generation+1)
	}
	return name
}

func queueName(q int) string {
	name := baseQueues[q%len(baseQueues)]
	if generation := q / len(baseQueues); generation > 0 {
		name += "-" + strconv.Itoa(generation+1)
	}
	return name
}

// slug is the kebab-case of a type name, the prefix of its workflow IDs.
func slug(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// names holds the per-namespace tables built once: names, slugs and the type weights.
type names struct {
	types      []string
	slugs      []string
	queues     []string
	typeCum    []float64
	scheduleID []string
	actionID   []string
	scheduleOf map[string]int
	actionOf   map[string]int
}

func newNames(p Profile) names {
	n := names{scheduleOf: map[string]int{}, actionOf: map[string]int{}}
	total := 0.0
	for t := 0; t < p.WorkflowTypes; t++ {
		n.types = append(n.types, typeName(t))
		n.slugs = append(n.slugs, slug(typeName(t)))
		total += 1 / float64(t+1) // a few types run often, most rarely (Zipf)
		n.typeCum = append(n.typeCum, total)
	}
	for i := range n.typeCum {
		n.typeCum[i] /= total
	}
	for q := 0; q < p.TaskQueues; q++ {
		n.queues = append(n.queues, queueName(q))
	}
	for k := 0; k < p.Schedules; k++ {
		s := n.slugs[scheduleType(k, p.WorkflowTypes)]
		n.scheduleID = append(n.scheduleID, "sched-"+s+"-"+pad(k, 3))
		n.actionID = append(n.actionID, "scheduled-"+s+"-"+pad(k, 3))
		n.scheduleOf[n.scheduleID[k]], n.actionOf[n.actionID[k]] = k, k
	}
	return n
}

func (n names) pickType(u float64) int {
	for t, c := range n.typeCum {
		if u < c {
			return t
		}
	}
	return len(n.typeCum) - 1
}

// scheduleType is the workflow type schedule k starts.
func scheduleType(k, types int) int { return (k * 7) % types }

func pad(v, width int) string {
	s := strconv.Itoa(v)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
