package arrears.sdks;

import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Event;
import com.stripe.model.Invoice;
import com.stripe.model.InvoiceItem;
import com.stripe.model.StripeObject;
import com.stripe.model.WebhookEndpoint;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.InvoiceCreateParams;
import com.stripe.param.InvoiceItemCreateParams;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.InvoiceMarkUncollectibleParams;
import com.stripe.param.InvoicePayParams;
import com.stripe.param.WebhookEndpointCreateParams;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The official stripe-java SDK against a running arrears server, used as a Java user would use it.
 *
 * <p>ARREARS_URL (the server's base URL) and ARREARS_KEY (a test key) say where: without them it does
 * nothing, so that it never talks to api.stripe.com. tests/sdks/test_java_sdk.py builds it once and runs it
 * against a fresh server on each backend. Each check prints PASS or FAIL with its name; the last line is
 * "N passed, N failed", and the exit status is 1 when any check failed. Arguments, if any, name the checks
 * to run; --list prints their names.
 */
public final class Scenario {
  // arrears' words for the refused cells of mark_uncollectible (tests/api/test_state_table.py).
  static final String NOT_OPEN = "You can only pass in open invoices. This invoice isn't open.";
  static final String ALREADY_UNCOLLECTIBLE = "This invoice has already been marked uncollectible.";

  static StripeClient client; // the StripeClient, beside the static resource calls of the docs

  interface Check {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put("the docs scenario writes the debt off and it can still be paid", Scenario::docsScenario);
    checks.put("marking a draft, a paid or an uncollectible invoice is refused with Stripe's words",
        Scenario::refusals);
    checks.put("auto-pagination walks every page and keeps the expansion", Scenario::autoPagination);
    checks.put("the same idempotency key twice gives the same object", Scenario::idempotentRetry);
    checks.put("a webhook is verified by the SDK's signature check", Scenario::webhook);
    checks.put("a webhook's object deserializes in the SDK's API version", Scenario::webhookObject);

    if (args.length == 1 && args[0].equals("--list")) {
      checks.keySet().forEach(System.out::println);
      return;
    }
    String url = System.getenv("ARREARS_URL");
    String key = System.getenv("ARREARS_KEY");
    if (url == null || url.isEmpty() || key == null || key.isEmpty()) {
      System.out.println("ARREARS_URL and ARREARS_KEY are not set: nothing to test against");
      return;
    }
    // The official ways to point stripe-java elsewhere: the global API base for the static resource
    // calls, and the StripeClient builder's setApiBase.
    Stripe.apiKey = key;
    Stripe.overrideApiBase(url);
    Stripe.setMaxNetworkRetries(0);
    client = StripeClient.builder().setApiKey(key).setApiBase(url).setMaxNetworkRetries(0).build();

    List<String> only = List.of(args);
    int passed = 0;
    int failed = 0;
    for (Map.Entry<String, Check> check : checks.entrySet()) {
      if (!only.isEmpty() && !only.contains(check.getKey())) {
        continue;
      }
      try {
        check.getValue().run();
        System.out.println("PASS " + check.getKey());
        passed++;
      } catch (Exception | AssertionError e) {
        System.out.println("FAIL " + check.getKey() + ": " + e);
        failed++;
      }
    }
    System.out.println(passed + " passed, " + failed + " failed");
    System.exit(failed == 0 && passed > 0 ? 0 : 1);
  }

  static void expect(boolean holds, String what) {
    if (!holds) {
      throw new AssertionError(what);
    }
  }

  static Customer customer(String email, long balance) throws StripeException {
    return Customer.create(CustomerCreateParams.builder().setEmail(email).setBalance(balance).build());
  }

  /** The docs' set-up: a 10.99 usd item taken into an invoice that is then finalized. */
  static Invoice openInvoice(Customer cus) throws StripeException {
    InvoiceItem.create(InvoiceItemCreateParams.builder()
        .setCustomer(cus.getId()).setAmount(1099L).setCurrency("usd").build());
    Invoice inv = Invoice.create(InvoiceCreateParams.builder()
        .setCustomer(cus.getId())
        .setPendingInvoiceItemsBehavior(InvoiceCreateParams.PendingInvoiceItemsBehavior.INCLUDE)
        .build());
    expect("draft".equals(inv.getStatus()) && inv.getTotal() == 1099L,
        "new invoice: " + inv.getStatus() + " " + inv.getTotal() + ", want draft 1099");
    inv = inv.finalizeInvoice();
    expect("open".equals(inv.getStatus()), "finalized invoice: " + inv.getStatus() + ", want open");
    return inv;
  }

  interface Call {
    void run() throws StripeException;
  }

  /** The call must raise a 400 invalid_request_error with exactly this message. */
  static void refused(String what, Call call, String message) {
    try {
      call.run();
    } catch (StripeException e) {
      expect(e.getStatusCode() == 400 && e.getStripeError() != null
              && "invalid_request_error".equals(e.getStripeError().getType())
              && message.equals(e.getStripeError().getMessage()),
          what + ": got " + e.getStatusCode() + " " + e.getStripeError() + ", want 400 " + message);
      return;
    }
    throw new AssertionError(what + ": it was not refused");
  }

  static void docsScenario() throws Exception {
    Customer cus = customer("java@example.com", -500);
    String id = openInvoice(cus).getId();

    // The docs' own calls.
    Invoice resource = Invoice.retrieve(id);
    InvoiceMarkUncollectibleParams params = InvoiceMarkUncollectibleParams.builder().build();
    Invoice invoice = resource.markUncollectible(params);

    expect("uncollectible".equals(invoice.getStatus()), "status " + invoice.getStatus());
    expect(invoice.getTotal() == 1099L && invoice.getAmountDue() == 599L && invoice.getAmountRemaining() == 599L
            && invoice.getAmountPaid() == 0L,
        "total/due/remaining/paid " + invoice.getTotal() + "/" + invoice.getAmountDue() + "/"
            + invoice.getAmountRemaining() + "/" + invoice.getAmountPaid() + ", want 1099/599/599/0");
    expect(invoice.getStatusTransitions().getMarkedUncollectibleAt() != null,
        "status_transitions.marked_uncollectible_at is not set");
    // stripe-java asks for its own API version (a dahlia one), older than the one that added
    // status_details (2026-09-30.endive): arrears answers in the version asked and leaves it out.
    expect(!invoice.getLastResponse().body().contains("\"status_details\""),
        "status_details shown in " + Stripe.API_VERSION);
    expect(invoice.getLastResponse().headers().firstValue("Stripe-Version").equals(Optional.of(Stripe.API_VERSION)),
        "Stripe-Version of the answer: " + invoice.getLastResponse().headers().firstValue("Stripe-Version"));

    Invoice paid = invoice.pay(InvoicePayParams.builder().setPaidOutOfBand(true).build());
    expect("paid".equals(paid.getStatus()) && paid.getAmountPaid() == 599L && paid.getAmountRemaining() == 0L,
        "paid: " + paid.getStatus() + " " + paid.getAmountPaid() + " " + paid.getAmountRemaining());
  }

  static void refusals() throws Exception {
    Customer cus = customer("java-refusals@example.com", 0);

    Invoice draft = Invoice.create(InvoiceCreateParams.builder().setCustomer(cus.getId()).build());
    refused("mark_uncollectible on a draft", () -> draft.markUncollectible(), NOT_OPEN);

    Invoice open = openInvoice(cus);
    open.markUncollectible();
    refused("mark_uncollectible twice", () -> open.markUncollectible(), ALREADY_UNCOLLECTIBLE);

    Invoice paid = openInvoice(cus).pay(InvoicePayParams.builder().setPaidOutOfBand(true).build());
    refused("mark_uncollectible on a paid invoice", () -> paid.markUncollectible(), NOT_OPEN);
    // The StripeClient raises the same error.
    refused("client mark_uncollectible on a paid invoice",
        () -> client.v1().invoices().markUncollectible(paid.getId()), NOT_OPEN);
  }

  static void autoPagination() throws Exception {
    String email = "java-pages@example.com";
    Customer cus = customer(email, 0);
    List<String> want = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      want.add(0, Invoice.create(InvoiceCreateParams.builder().setCustomer(cus.getId()).build()).getId());
    }
    InvoiceListParams params = InvoiceListParams.builder()
        .setCustomer(cus.getId()).setLimit(1L).addExpand("data.customer").build();

    List<String> got = new ArrayList<>();
    for (Invoice inv : Invoice.list(params).autoPagingIterable()) {
      expect(inv.getCustomerObject() != null && email.equals(inv.getCustomerObject().getEmail()),
          "invoice " + inv.getId() + ": customer not expanded on its page");
      got.add(inv.getId());
    }
    expect(got.equals(want), "Invoice.list pages gave " + got + ", want " + want);

    got.clear();
    for (Invoice inv : client.v1().invoices().list(params).autoPagingIterable()) {
      expect(inv.getCustomerObject() != null && email.equals(inv.getCustomerObject().getEmail()),
          "invoice " + inv.getId() + ": customer not expanded on its page (client)");
      got.add(inv.getId());
    }
    expect(got.equals(want), "client list pages gave " + got + ", want " + want);
  }

  static void idempotentRetry() throws Exception {
    RequestOptions options = RequestOptions.builder()
        .setIdempotencyKey("java-retry-" + System.nanoTime()).build();
    CustomerCreateParams params = CustomerCreateParams.builder().setEmail("java-retry@example.com").build();
    Customer first = Customer.create(params, options);
    Customer second = Customer.create(params, options);
    expect(first.getId().equals(second.getId()),
        "the retry made " + second.getId() + " after " + first.getId() + ": want the same customer");
    expect(second.getLastResponse().headers().firstValue("Idempotent-Replayed").equals(Optional.of("true")),
        "Idempotent-Replayed on the retry: " + second.getLastResponse().headers().firstValue("Idempotent-Replayed"));
    expect(first.getLastResponse().headers().firstValue("Idempotent-Replayed").isEmpty(),
        "the first request says it was replayed");
  }

  /** One webhook POST as the receiver saw it. */
  record Delivery(String body, String signature) {}

  /**
   * A loopback receiver and an endpoint on arrears that sends it invoice.marked_uncollectible in
   * stripe-java's API version (as the webhook docs advise); an invoice is then marked uncollectible and its
   * event awaited. Returns the endpoint's secret, the invoice's id and the delivery.
   */
  static String[] oneDelivery() throws Exception {
    LinkedBlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
    HttpServer hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hook.createContext("/webhook", exchange -> {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        got.add(new Delivery(body, exchange.getRequestHeaders().getFirst("Stripe-Signature")));
        exchange.sendResponseHeaders(200, -1);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    hook.start();
    WebhookEndpoint endpoint = null;
    try {
      endpoint = WebhookEndpoint.create(WebhookEndpointCreateParams.builder()
          .setUrl("http://127.0.0.1:" + hook.getAddress().getPort() + "/webhook")
          .addEnabledEvent(WebhookEndpointCreateParams.EnabledEvent.INVOICE__MARKED_UNCOLLECTIBLE)
          .setApiVersion(WebhookEndpointCreateParams.ApiVersion.VERSION_2026_07_29_DAHLIA)
          .build());
      expect(endpoint.getSecret() != null && endpoint.getSecret().startsWith("whsec_"),
          "endpoint secret " + endpoint.getSecret());
      Invoice inv = openInvoice(customer("java-hooks@example.com", 0)).markUncollectible();
      Delivery d = got.poll(30, TimeUnit.SECONDS);
      expect(d != null, "no webhook delivery within 30 s");
      return new String[] {endpoint.getSecret(), inv.getId(), d.body(), d.signature()};
    } finally {
      hook.stop(0);
      if (endpoint != null) {
        endpoint.delete();
      }
    }
  }

  static void webhook() throws Exception {
    String[] seen = oneDelivery();
    String secret = seen[0];
    String id = seen[1];
    String body = seen[2];
    String signature = seen[3];

    Event event = Webhook.constructEvent(body, signature, secret);
    expect("invoice.marked_uncollectible".equals(event.getType()), "event type " + event.getType());
    Invoice inv = (Invoice) event.getDataObjectDeserializer().deserializeUnsafe();
    expect(id.equals(inv.getId()) && "uncollectible".equals(inv.getStatus()),
        "event object " + inv.getId() + " " + inv.getStatus() + ", want " + id + " uncollectible");
    // A body signed with another secret, or changed on the way, is refused.
    refusedSignature("a wrong secret", body, signature, "whsec_other");
    refusedSignature("a changed body", body.replaceFirst("uncollectible", "paid"), signature, secret);
  }

  static void refusedSignature(String what, String body, String signature, String secret) {
    try {
      Webhook.constructEvent(body, signature, secret);
    } catch (SignatureVerificationException e) {
      return;
    }
    throw new AssertionError(what + " was accepted");
  }

  /**
   * Stripe renders an endpoint's events in the endpoint's api_version, so the safe deserializer (which
   * gives nothing for another API version than the SDK's) gives the object.
   */
  static void webhookObject() throws Exception {
    String[] seen = oneDelivery();
    Event event = Webhook.constructEvent(seen[2], seen[3], seen[0]);
    Optional<StripeObject> object = event.getDataObjectDeserializer().getObject();
    expect(object.isPresent(), "getObject() is empty for an event in API version " + event.getApiVersion()
        + " (the SDK's is " + Stripe.API_VERSION + ")");
  }
}
