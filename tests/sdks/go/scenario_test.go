// The official stripe-go SDK against a running arrears server, used as a Go user would use it.
//
// ARREARS_URL (the server's base URL) and ARREARS_KEY (a test key) say where: without them every test is
// skipped, so that a bare `go test` never talks to api.stripe.com. tests/sdks/test_go_sdk.py compiles this
// package once and runs it against a fresh server on each backend.
package sdks_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	stripe "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/customer"
	"github.com/stripe/stripe-go/v85/invoice"
	"github.com/stripe/stripe-go/v85/invoiceitem"
	"github.com/stripe/stripe-go/v85/webhook"
	"github.com/stripe/stripe-go/v85/webhookendpoint"
)

// arrears' words for the refused cells of mark_uncollectible (tests/api/test_state_table.py).
const (
	notOpen              = "You can only pass in open invoices. This invoice isn't open."
	alreadyUncollectible = "This invoice has already been marked uncollectible."
)

var sc *stripe.Client // the v2 client (stripe.NewClient), beside the package-level calls of the docs

func TestMain(m *testing.M) {
	flag.Parse()
	if listing := flag.Lookup("test.list"); listing != nil && listing.Value.String() != "" {
		os.Exit(m.Run()) // -test.list only names the tests
	}
	url, key := os.Getenv("ARREARS_URL"), os.Getenv("ARREARS_KEY")
	if url == "" || key == "" {
		fmt.Println("ARREARS_URL and ARREARS_KEY are not set: nothing to test against")
		os.Exit(0)
	}
	// The official way to point stripe-go elsewhere: a backend built with BackendConfig.URL.
	config := &stripe.BackendConfig{
		URL:               stripe.String(url),
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, config)
	stripe.Key = key
	stripe.SetBackend(stripe.APIBackend, backend)
	sc = stripe.NewClient(key, stripe.WithBackends(&stripe.Backends{API: backend}))
	os.Exit(m.Run())
}

func newCustomer(t *testing.T, email string, balance int64) *stripe.Customer {
	t.Helper()
	cus, err := customer.New(&stripe.CustomerParams{Email: stripe.String(email), Balance: stripe.Int64(balance)})
	if err != nil {
		t.Fatalf("customer.New: %v", err)
	}
	return cus
}

// openInvoice is the docs' set-up: a 10.99 usd item taken into an invoice that is then finalized.
func openInvoice(t *testing.T, cus *stripe.Customer) *stripe.Invoice {
	t.Helper()
	_, err := invoiceitem.New(&stripe.InvoiceItemParams{
		Customer: stripe.String(cus.ID), Amount: stripe.Int64(1099), Currency: stripe.String("usd"),
	})
	if err != nil {
		t.Fatalf("invoiceitem.New: %v", err)
	}
	inv, err := invoice.New(&stripe.InvoiceParams{
		Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include"),
	})
	if err != nil {
		t.Fatalf("invoice.New: %v", err)
	}
	if inv.Status != stripe.InvoiceStatusDraft || inv.Total != 1099 {
		t.Fatalf("new invoice: status %q total %d, want draft 1099", inv.Status, inv.Total)
	}
	inv, err = invoice.FinalizeInvoice(inv.ID, nil)
	if err != nil {
		t.Fatalf("invoice.FinalizeInvoice: %v", err)
	}
	if inv.Status != stripe.InvoiceStatusOpen {
		t.Fatalf("finalized invoice: status %q, want open", inv.Status)
	}
	return inv
}

// refusal asserts that err is the *stripe.Error of a 400 invalid_request_error with the given message.
func refusal(t *testing.T, what string, err error, message string) {
	t.Helper()
	var se *stripe.Error
	if !errors.As(err, &se) {
		t.Fatalf("%s: got %v (%T), want a *stripe.Error", what, err, err)
	}
	if se.HTTPStatusCode != 400 || se.Type != stripe.ErrorTypeInvalidRequest || se.Msg != message {
		t.Fatalf("%s: got %d %s %q, want 400 invalid_request_error %q", what, se.HTTPStatusCode, se.Type, se.Msg,
			message)
	}
}

func TestTheDocsScenarioWritesTheDebtOffAndItCanStillBePaid(t *testing.T) {
	cus := newCustomer(t, "go@example.com", -500)
	inv := openInvoice(t, cus)

	// The docs' own call.
	inv, err := invoice.MarkUncollectible(inv.ID, &stripe.InvoiceMarkUncollectibleParams{})
	if err != nil {
		t.Fatalf("invoice.MarkUncollectible: %v", err)
	}
	if inv.Status != stripe.InvoiceStatusUncollectible {
		t.Fatalf("status %q, want uncollectible", inv.Status)
	}
	if inv.Total != 1099 || inv.AmountDue != 599 || inv.AmountRemaining != 599 || inv.AmountPaid != 0 {
		t.Fatalf("total/due/remaining/paid %d/%d/%d/%d, want 1099/599/599/0", inv.Total, inv.AmountDue,
			inv.AmountRemaining, inv.AmountPaid)
	}
	if inv.StatusTransitions == nil || inv.StatusTransitions.MarkedUncollectibleAt == 0 {
		t.Fatalf("status_transitions.marked_uncollectible_at is not set")
	}
	// stripe-go asks for its own API version (2026-03-25.dahlia), older than the one that added
	// status_details (2026-09-30.endive): arrears answers in the version asked and leaves it out.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(inv.LastResponse.RawJSON, &raw); err != nil {
		t.Fatalf("raw invoice: %v", err)
	}
	if _, shown := raw["status_details"]; shown {
		t.Fatalf("status_details shown in %s: %s", stripe.APIVersion, raw["status_details"])
	}
	if version := inv.LastResponse.Header.Get("Stripe-Version"); version != stripe.APIVersion {
		t.Fatalf("Stripe-Version of the answer %q, want %q", version, stripe.APIVersion)
	}

	paid, err := invoice.Pay(inv.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)})
	if err != nil {
		t.Fatalf("invoice.Pay: %v", err)
	}
	if paid.Status != stripe.InvoiceStatusPaid || paid.AmountPaid != 599 || paid.AmountRemaining != 0 {
		t.Fatalf("paid: status %q paid %d remaining %d, want paid 599 0", paid.Status, paid.AmountPaid,
			paid.AmountRemaining)
	}
}

func TestMarkingADraftAPaidOrAnUncollectibleInvoiceIsRefusedWithStripesWords(t *testing.T) {
	cus := newCustomer(t, "go-refusals@example.com", 0)

	draft, err := invoice.New(&stripe.InvoiceParams{Customer: stripe.String(cus.ID)})
	if err != nil {
		t.Fatalf("invoice.New: %v", err)
	}
	_, err = invoice.MarkUncollectible(draft.ID, nil)
	refusal(t, "mark_uncollectible on a draft", err, notOpen)

	open := openInvoice(t, cus)
	if _, err = invoice.MarkUncollectible(open.ID, nil); err != nil {
		t.Fatalf("invoice.MarkUncollectible: %v", err)
	}
	_, err = invoice.MarkUncollectible(open.ID, nil)
	refusal(t, "mark_uncollectible twice", err, alreadyUncollectible)

	paid := openInvoice(t, cus)
	if _, err = invoice.Pay(paid.ID, &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)}); err != nil {
		t.Fatalf("invoice.Pay: %v", err)
	}
	_, err = invoice.MarkUncollectible(paid.ID, nil)
	refusal(t, "mark_uncollectible on a paid invoice", err, notOpen)

	// The v2 client raises the same error.
	_, err = sc.V1Invoices.MarkUncollectible(context.Background(), paid.ID, nil)
	refusal(t, "V1Invoices.MarkUncollectible on a paid invoice", err, notOpen)
}

func TestAutoPaginationWalksEveryPageAndKeepsTheExpansion(t *testing.T) {
	email := "go-pages@example.com"
	cus := newCustomer(t, email, 0)
	var want []string
	for i := 0; i < 3; i++ {
		inv, err := invoice.New(&stripe.InvoiceParams{Customer: stripe.String(cus.ID)})
		if err != nil {
			t.Fatalf("invoice.New: %v", err)
		}
		want = append([]string{inv.ID}, want...) // lists are newest first
	}

	params := &stripe.InvoiceListParams{Customer: stripe.String(cus.ID)}
	params.Limit = stripe.Int64(1)
	params.AddExpand("data.customer")
	var got []string
	it := invoice.List(params)
	for it.Next() {
		inv := it.Invoice()
		if inv.Customer == nil || inv.Customer.Email != email {
			t.Fatalf("invoice %s: customer not expanded on its page: %+v", inv.ID, inv.Customer)
		}
		got = append(got, inv.ID)
	}
	if err := it.Err(); err != nil {
		t.Fatalf("invoice.List: %v", err)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("invoice.List pages gave %v, want %v", got, want)
	}

	// The v2 client's iterator walks the same pages.
	params2 := &stripe.InvoiceListParams{Customer: stripe.String(cus.ID)}
	params2.Limit = stripe.Int64(1)
	params2.AddExpand("data.customer")
	got = nil
	for inv, err := range sc.V1Invoices.List(context.Background(), params2).All(context.Background()) {
		if err != nil {
			t.Fatalf("V1Invoices.List: %v", err)
		}
		if inv.Customer == nil || inv.Customer.Email != email {
			t.Fatalf("invoice %s: customer not expanded: %+v", inv.ID, inv.Customer)
		}
		got = append(got, inv.ID)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("V1Invoices.List pages gave %v, want %v", got, want)
	}
}

func TestTheSameIdempotencyKeyTwiceGivesTheSameObject(t *testing.T) {
	key := fmt.Sprintf("go-retry-%d", time.Now().UnixNano())
	create := func() *stripe.Customer {
		params := &stripe.CustomerParams{Email: stripe.String("go-retry@example.com")}
		params.SetIdempotencyKey(key)
		cus, err := customer.New(params)
		if err != nil {
			t.Fatalf("customer.New with Idempotency-Key: %v", err)
		}
		return cus
	}
	first, second := create(), create()
	if first.ID != second.ID {
		t.Fatalf("the retry made %s after %s: want the same customer", second.ID, first.ID)
	}
	if replayed := second.LastResponse.Header.Get("Idempotent-Replayed"); replayed != "true" {
		t.Fatalf("Idempotent-Replayed on the retry: %q, want true", replayed)
	}
	if first.LastResponse.Header.Get("Idempotent-Replayed") == "true" {
		t.Fatalf("the first request says it was replayed")
	}
}

// delivery is one webhook POST as the receiver saw it.
type delivery struct {
	body      []byte
	signature string
}

// receive starts a loopback receiver and an endpoint on arrears that sends it invoice.marked_uncollectible
// in stripe-go's API version (as the webhook docs advise); it returns the endpoint's secret and the
// deliveries as they arrive.
func receive(t *testing.T) (string, <-chan delivery) {
	t.Helper()
	got := make(chan delivery, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- delivery{body: body, signature: r.Header.Get("Stripe-Signature")}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(hook.Close)
	endpoint, err := webhookendpoint.New(&stripe.WebhookEndpointParams{
		URL:           stripe.String(hook.URL + "/webhook"),
		EnabledEvents: stripe.StringSlice([]string{"invoice.marked_uncollectible"}),
		APIVersion:    stripe.String(stripe.APIVersion),
	})
	if err != nil {
		t.Fatalf("webhookendpoint.New: %v", err)
	}
	t.Cleanup(func() { _, _ = webhookendpoint.Del(endpoint.ID, nil) })
	if !strings.HasPrefix(endpoint.Secret, "whsec_") {
		t.Fatalf("endpoint secret %q, want whsec_...", endpoint.Secret)
	}
	return endpoint.Secret, got
}

func markedUncollectible(t *testing.T, got <-chan delivery) (string, delivery) {
	t.Helper()
	inv := openInvoice(t, newCustomer(t, "go-hooks@example.com", 0))
	if _, err := invoice.MarkUncollectible(inv.ID, nil); err != nil {
		t.Fatalf("invoice.MarkUncollectible: %v", err)
	}
	select {
	case d := <-got:
		return inv.ID, d
	case <-time.After(30 * time.Second):
		t.Fatalf("no webhook delivery within 30 s")
	}
	return "", delivery{}
}

func TestAWebhookIsVerifiedByTheSDKsSignatureCheck(t *testing.T) {
	secret, got := receive(t)
	id, d := markedUncollectible(t, got)

	// The signature and the timestamp are checked; the API version is checked in the next test.
	options := webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true}
	event, err := webhook.ConstructEventWithOptions(d.body, d.signature, secret, options)
	if err != nil {
		t.Fatalf("webhook.ConstructEventWithOptions: %v", err)
	}
	if event.Type != "invoice.marked_uncollectible" {
		t.Fatalf("event type %q, want invoice.marked_uncollectible", event.Type)
	}
	var inv stripe.Invoice
	if err := json.Unmarshal(event.Data.Raw, &inv); err != nil {
		t.Fatalf("event data: %v", err)
	}
	if inv.ID != id || inv.Status != stripe.InvoiceStatusUncollectible {
		t.Fatalf("event object %s %q, want %s uncollectible", inv.ID, inv.Status, id)
	}
	// A body signed with another secret, or changed on the way, is refused.
	if _, err := webhook.ConstructEventWithOptions(d.body, d.signature, "whsec_other", options); err == nil {
		t.Fatalf("a wrong secret was accepted")
	}
	tampered := []byte(strings.Replace(string(d.body), "uncollectible", "paid", 1))
	if _, err := webhook.ConstructEventWithOptions(tampered, d.signature, secret, options); err == nil {
		t.Fatalf("a changed body was accepted")
	}
}

// Stripe renders an endpoint's events in the endpoint's api_version, so webhook.ConstructEvent (which
// refuses another release train than the SDK's) accepts them: the webhook docs' own advice.
func TestAWebhookForAnEndpointInTheSDKsAPIVersionPassesTheStrictCheck(t *testing.T) {
	secret, got := receive(t)
	_, d := markedUncollectible(t, got)
	if _, err := webhook.ConstructEvent(d.body, d.signature, secret); err != nil {
		t.Fatalf("webhook.ConstructEvent: %v", err)
	}
}
